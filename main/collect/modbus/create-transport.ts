import type { ModbusSettings } from '../../domain/device/modbus-schema.js';
import { ModbusTcpClient } from './client.js';
import { RtuSerialTransport } from './rtu-serial-transport.js';
import { RtuTcpTransport } from './rtu-tcp-transport.js';
import type { ModbusTransport } from './transport.js';

/** The transport for a device's line, by its settings. */
export const createTransport = (settings: ModbusSettings): ModbusTransport => {
  switch (settings.transport) {
    case 'tcp':
      // Several requests in flight: MBAP transaction ids pair the answers.
      return new ModbusTcpClient({
        host: settings.host,
        port: settings.port,
        connectTimeoutMs: settings.timeoutMs,
        maxInFlight: 8,
      });
    case 'rtu':
      return new RtuSerialTransport(settings.serial);
    case 'rtu-over-tcp':
      return new RtuTcpTransport({ host: settings.host, port: settings.port, connectTimeoutMs: settings.timeoutMs });
  }
};
