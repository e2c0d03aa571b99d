import type { ModbusSettings } from '../../config/modbus-schema.js';
import { ModbusTcpClient } from './client.js';
import type { ModbusTransport } from './transport.js';

/** The transport for a device's settings. */
export const createTransport = (settings: ModbusSettings): ModbusTransport =>
  new ModbusTcpClient({
    host: settings.host,
    port: settings.port,
    connectTimeoutMs: settings.timeoutMs,
    maxInFlight: 8,
  });
