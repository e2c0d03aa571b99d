import { describe, expect, it } from 'vitest';
import { demoPortWarning, readDemoPorts, recordDemoPorts } from '../../main/app/demo-ports.js';
import { DeviceInput, type DeviceConfig } from '../../main/domain/device/device-schema.js';
import { useTempStore } from '../helpers/temp-store.js';

const opcua = (endpointUrl: string): DeviceConfig =>
  DeviceInput.parse({ name: 'PLC', protocol: 'opcua', settings: { endpointUrl }, tags: [] });
const modbus = (settings: Record<string, unknown>): DeviceConfig =>
  DeviceInput.parse({ name: 'PLC', protocol: 'modbus', settings, tags: [] });
const running = (opcuaPort: number, modbusPort: number) => ({
  opcuaEndpoint: `opc.tcp://127.0.0.1:${opcuaPort}`,
  modbusHost: '127.0.0.1',
  modbusPort,
});

/** Which endpoints count as "a port the demo plant used and no longer uses", and what the move notice says. */
describe('demo plant ports', () => {
  const t = useTempStore();

  it('keeps the ports, says nothing when they stay and names each port that moved', () => {
    expect(readDemoPorts(t.store)).toBeNull();
    expect(recordDemoPorts(t.store, { opcua: 48400, modbus: 15020 })).toBeNull();
    expect(recordDemoPorts(t.store, { opcua: 48400, modbus: 15020 })).toBeNull();
    const notice = recordDemoPorts(t.store, { opcua: 40001, modbus: 15020 });
    expect(notice).toContain('OPC UA port 48400 was taken, it now listens on 40001');
    expect(notice).not.toContain('Modbus');
    expect(readDemoPorts(t.store)).toEqual({ opcua: 40001, modbus: 15020 });
  });

  it('flags loopback endpoints on a former port of the same protocol only', () => {
    recordDemoPorts(t.store, { opcua: 48400, modbus: 15020 });
    recordDemoPorts(t.store, { opcua: 40001, modbus: 40002 });
    const now = running(40001, 40002);
    for (const url of ['opc.tcp://127.0.0.1:48400', 'opc.tcp://localhost:48400', 'opc.tcp://127.0.1.1:48400/UA'])
      expect(demoPortWarning(t.store, opcua(url), now), url).toContain('Port 48400 was the demo plant');
    expect(demoPortWarning(t.store, modbus({ host: 'LOCALHOST', port: 15020 }), now)).toContain(
      'the demo plant now listens on 127.0.0.1:40002',
    );
    // Where it listens now, another computer, another protocol's port, a serial line: nothing to say.
    expect(demoPortWarning(t.store, opcua('opc.tcp://127.0.0.1:40001'), now)).toBeNull();
    expect(demoPortWarning(t.store, opcua('opc.tcp://10.0.0.5:48400'), now)).toBeNull();
    expect(demoPortWarning(t.store, opcua('opc.tcp://127.0.0.1:15020'), now)).toBeNull();
    expect(
      demoPortWarning(t.store, modbus({ transport: 'rtu', serial: { path: '/dev/ttyUSB0' }, port: 15020 }), now),
    ).toBeNull();
    // Not running: its current ports are not the demo plant's either.
    expect(demoPortWarning(t.store, opcua('opc.tcp://127.0.0.1:40001'), null)).toContain(
      'the demo plant is not running',
    );
  });
});
