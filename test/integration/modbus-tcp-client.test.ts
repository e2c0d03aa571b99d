import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModbusTcpClient } from '../../main/collect/modbus/client.js';
import { ModbusClosedError, ModbusConnectError } from '../../main/collect/modbus/errors.js';
import { startPyModbus, type PyModbus } from '../helpers/pymodbus.js';

/** ModbusTcpClient's connect path, shared with RTU over TCP through socket-connect.ts. */
describe('ModbusTcpClient against pymodbus', () => {
  let py: PyModbus | null = null;

  beforeAll(async () => {
    py = await startPyModbus();
  });

  afterAll(async () => {
    await py?.stop();
  });

  it('connects, reads, closes', async () => {
    const c = new ModbusTcpClient({ host: '127.0.0.1', port: py!.port, connectTimeoutMs: 2000 });
    expect(c.maxInFlight).toBe(8);
    expect(c.target).toBe(`127.0.0.1:${py!.port}`);
    await c.connect();
    expect(c.connected).toBe(true);
    expect(await c.request(1, { fc: 3, address: 9, quantity: 1 }, 2000)).toEqual({ fc: 3, registers: [1234] });
    await c.close();
    expect(c.connected).toBe(false);
  });

  it('says "connection refused" when nobody listens', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const c = new ModbusTcpClient({ host: '127.0.0.1', port, connectTimeoutMs: 2000 });
    await expect(c.connect()).rejects.toThrow(
      new ModbusConnectError(`cannot connect to 127.0.0.1:${port}: connection refused`, 'ECONNREFUSED'),
    );
  });

  it('close() cancels a connect in progress', async () => {
    // 192.0.2.0/24 is reserved for documentation; close() runs before any answer could come back.
    const c = new ModbusTcpClient({ host: '192.0.2.1', port: 502, connectTimeoutMs: 60_000 });
    const attempt = c.connect();
    await c.close();
    await expect(attempt).rejects.toBeInstanceOf(ModbusClosedError);
    expect(c.connected).toBe(false);
  });
});
