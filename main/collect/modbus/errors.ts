/**
 * Typed Modbus errors. `code` lets callers branch without parsing messages; messages are written
 * for a plant engineer reading a status line.
 */
export type ModbusErrorCode = 'exception' | 'timeout' | 'connect_failed' | 'closed' | 'frame' | 'request';

export class ModbusError extends Error {
  constructor(
    readonly code: ModbusErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ModbusError';
  }
}

/** The device answered with a Modbus exception response. */
export class ModbusExceptionError extends ModbusError {
  constructor(
    readonly functionCode: number,
    readonly exceptionCode: number,
    message: string,
  ) {
    super('exception', message);
    this.name = 'ModbusExceptionError';
  }
}

export class ModbusTimeoutError extends ModbusError {
  constructor(message: string) {
    super('timeout', message);
    this.name = 'ModbusTimeoutError';
  }
}

export class ModbusConnectError extends ModbusError {
  constructor(
    message: string,
    readonly errno: string | undefined,
  ) {
    super('connect_failed', message);
    this.name = 'ModbusConnectError';
  }
}

export class ModbusClosedError extends ModbusError {
  constructor(message: string) {
    super('closed', message);
    this.name = 'ModbusClosedError';
  }
}

/** Malformed bytes on the wire (bad MBAP header, truncated PDU, wrong byte count). */
export class ModbusFrameError extends ModbusError {
  constructor(message: string) {
    super('frame', message);
    this.name = 'ModbusFrameError';
  }
}

/** A request we refuse to send (quantity out of range, address overflow). */
export class ModbusRequestError extends ModbusError {
  constructor(message: string) {
    super('request', message);
    this.name = 'ModbusRequestError';
  }
}
