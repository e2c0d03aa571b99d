import { describe, expect, it } from 'vitest';
import { ModbusSettings } from '../../main/domain/device/modbus-schema.js';
import { ModbusTcpClient } from '../../main/collect/modbus/client.js';
import { createTransport } from '../../main/collect/modbus/create-transport.js';
import { RtuSerialTransport } from '../../main/collect/modbus/rtu-serial-transport.js';
import { RtuTcpTransport } from '../../main/collect/modbus/rtu-tcp-transport.js';

describe('createTransport', () => {
  it('picks the transport by settings.transport', () => {
    const tcp = createTransport(ModbusSettings.parse({ host: '10.0.0.5', timeoutMs: 700 }));
    expect(tcp).toBeInstanceOf(ModbusTcpClient);
    expect(tcp.maxInFlight).toBe(8);
    expect(tcp.target).toBe('10.0.0.5:502');
    expect((tcp as ModbusTcpClient).options.connectTimeoutMs).toBe(700);

    const rtu = createTransport(
      ModbusSettings.parse({ transport: 'rtu', serial: { path: '/dev/ttyUSB0', baudRate: 9600, parity: 'none' } }),
    );
    expect(rtu).toBeInstanceOf(RtuSerialTransport);
    expect(rtu.maxInFlight).toBe(1);
    expect(rtu.target).toBe('/dev/ttyUSB0 9600 8N1');
    expect(rtu.connected).toBe(false);

    const gateway = createTransport(ModbusSettings.parse({ transport: 'rtu-over-tcp', host: 'gw1', port: 4001 }));
    expect(gateway).toBeInstanceOf(RtuTcpTransport);
    expect(gateway.maxInFlight).toBe(1);
    expect(gateway.target).toBe('gw1:4001 (RTU over TCP)');
  });
});
