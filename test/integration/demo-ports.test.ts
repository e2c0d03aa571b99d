import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../main/app/create-app.js';
import type { CallName, WireResult } from '../../main/contract/wire.js';
import type { CallOutput } from '../../main/contract/contract.js';
import type { DeviceView } from '../../main/domain/device/device-view.js';
import { createLogger } from '../../main/log/logger.js';
import { EnvSecretStore } from '../../main/secrets/env-store.js';
import { freePort } from '../helpers/free-port.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * The demo plant keeps its ports across restarts of the app on one data dir (the ports it used last time win over
 * the defaults), moves only when one is taken and says so, and a device the user pointed at the old port is flagged.
 */
describe('demo plant ports across restarts', () => {
  const dir = tempDir('twinedge-demo-ports-');
  let app: App | undefined;
  let squatter: net.Server | undefined;
  afterAll(async () => {
    await app?.stop();
    await new Promise((r) => (squatter ? squatter.close(r) : r(undefined)));
    dir.remove();
  });

  const start = async (preferred: { opcua: number; modbus: number }, enabled = true): Promise<App> =>
    createApp({
      dataDir: dir.path,
      shell: 'browser',
      version: 'test',
      logger: createLogger({ console: false }),
      secretStore: new EnvSecretStore({}),
      demo: { enabled, opcuaPreferredPort: preferred.opcua, modbusPreferredPort: preferred.modbus },
    });
  const call = async <K extends CallName>(name: K, input: unknown): Promise<CallOutput<K>> => {
    const r = (await app!.router.invoke(name, input)) as WireResult<CallOutput<K>>;
    if (!r.ok) throw new Error(`${name}: ${r.error.code}: ${r.error.message}`);
    return r.value;
  };
  const byName = (devices: DeviceView[], name: string): DeviceView => devices.find((d) => d.config.name === name)!;
  const modbusPortOf = (d: DeviceView): number => (d.config.protocol === 'modbus' ? d.config.settings.port : 0);

  it('restarts on the ports of last time, moves off a taken one with a notice and flags a device left on it', async () => {
    const first = { opcua: await freePort(), modbus: await freePort() };
    app = await start(first);
    let info = await call('app.info', {});
    expect(info.demo).toMatchObject({
      running: true,
      opcuaEndpoint: `opc.tcp://127.0.0.1:${first.opcua}`,
      modbusEndpoint: `127.0.0.1:${first.modbus}`,
      notice: null,
    });
    // The user points a device of their own at the demo plant's Modbus port.
    await call('devices.save', {
      name: 'My test PLC',
      protocol: 'modbus',
      enabled: false,
      settings: { host: '127.0.0.1', port: first.modbus },
      tags: [{ name: 'Level', area: 'holding', address: 0 }],
    });
    expect(byName(await call('devices.list', {}), 'My test PLC').demoPortWarning).toBeNull();
    await app.stop();

    // Other defaults on the second start: the ports of last time still win.
    app = await start({ opcua: await freePort(), modbus: await freePort() });
    info = await call('app.info', {});
    expect(info.demo.opcuaEndpoint).toBe(`opc.tcp://127.0.0.1:${first.opcua}`);
    expect(info.demo.modbusEndpoint).toBe(`127.0.0.1:${first.modbus}`);
    expect(info.demo.notice).toBeNull();
    expect(byName(await call('devices.list', {}), 'My test PLC').demoPortWarning).toBeNull();
    await app.stop();

    // Another program takes the Modbus port while the app is stopped.
    squatter = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => squatter!.listen(first.modbus, '127.0.0.1', r));
    app = await start(first);
    info = await call('app.info', {});
    expect(info.demo.running).toBe(true);
    expect(info.demo.opcuaEndpoint).toBe(`opc.tcp://127.0.0.1:${first.opcua}`);
    const moved = Number(info.demo.modbusEndpoint?.split(':')[1]);
    expect(moved).not.toBe(first.modbus);
    expect(info.demo.notice).toContain(`Modbus TCP port ${first.modbus} was taken, it now listens on ${moved}`);
    expect(info.demo.notice).not.toContain('OPC UA port');
    const devices = await call('devices.list', {});
    expect(modbusPortOf(byName(devices, 'Demo pump skid (Modbus)'))).toBe(moved);
    expect(byName(devices, 'Demo pump skid (Modbus)').demoPortWarning).toBeNull();
    expect(byName(devices, 'Demo pump skid (OPC UA)').demoPortWarning).toBeNull();
    expect(byName(devices, 'My test PLC').demoPortWarning).toBe(
      `Port ${first.modbus} was the demo plant's; the demo plant now listens on 127.0.0.1:${moved}. ` +
        `Whatever answers on ${first.modbus} now is not the demo plant.`,
    );

    // Switched off: every port it used is flagged, the demo devices' too.
    await app.stop();
    app = await start(first, false);
    const off = await call('devices.list', {});
    expect(byName(off, 'Demo pump skid (Modbus)').demoPortWarning).toContain('the demo plant is not running');
    expect(byName(off, 'My test PLC').demoPortWarning).toContain(`Port ${first.modbus} was the demo plant's`);
    expect((await call('app.info', {})).demo.notice).toBeNull();
  }, 90_000);
});
