import type { EventEmitter } from 'node:events';
import type { ModbusRequest, ModbusResponse } from './pdu.js';

/**
 * One connection to a Modbus line: a TCP socket (MBAP), a serial port (RTU) or a TCP socket to a serial
 * gateway (RTU framing). Devices with the same line share one transport through a ModbusLine, which
 * schedules their requests; the transport itself only frames and pairs answers with requests.
 */
export interface ModbusTransportEvents {
  /**
   * The connection dropped; pending requests have been rejected with ModbusClosedError. `notModbus`: closed
   * because the peer sent bytes that are not Modbus (the reason says what).
   */
  close: [reason: string, notModbus?: boolean];
}

export interface ModbusTransport extends EventEmitter<ModbusTransportEvents> {
  /** The line as an engineer reads it: "10.0.0.5:502", "/dev/ttyUSB0 19200 8E1". */
  readonly target: string;
  readonly connected: boolean;
  /**
   * Requests that may be outstanding at once. 1 for serial lines and RTU over TCP (no transaction id to
   * pair answers); more for Modbus TCP, so a silent unit behind a gateway does not hold up the others.
   */
  readonly maxInFlight: number;
  /** Opens the connection; rejects with ModbusConnectError carrying a readable reason. */
  connect(): Promise<void>;
  /**
   * Sends one request and resolves with its answer. Rejects with ModbusExceptionError (the device said no),
   * ModbusTimeoutError (no answer within timeoutMs), ModbusClosedError or ModbusFrameError.
   */
  request(unitId: number, req: ModbusRequest, timeoutMs: number): Promise<ModbusResponse>;
  /** Closes the connection, aborting a pending connect; resolves when closed. */
  close(): Promise<void>;
}
