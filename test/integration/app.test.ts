import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../main/app/create-app.js';
import type { AppStatus } from '../../main/domain/app/app-status.js';
import type { CallName } from '../../main/contract/wire.js';
import type { CallOutput, Events } from '../../main/contract/contract.js';
import type { DeviceView } from '../../main/domain/device/device-view.js';
import { silentLogger } from '../../main/log/logger.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

/** The core as both shells see it: calls through the router, events through the hub. */
const call = async <K extends CallName>(app: App, name: K, input: unknown = {}): Promise<CallOutput<K>> => {
  const r = await app.router.invoke(name, input);
  if (!r.ok) throw new Error(`${name}: ${r.error.code}: ${r.error.message}`);
  return r.value as CallOutput<K>;
};

const start = (dir: string, extra: Partial<Parameters<typeof createApp>[0]> = {}): Promise<App> =>
  createApp({ dataDir: dir, shell: 'browser', version: 'test', logger: silentLogger, statusIntervalMs: 200, ...extra });

const stateOf = (status: AppStatus, id: number): string | undefined =>
  status.devices.find((d) => d.deviceId === id)?.state;

describe('the app core with its demo plant', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const f of cleanup.reverse()) await f();
    cleanup.length = 0;
  });
  const fresh = async (extra: Partial<Parameters<typeof createApp>[0]> = {}): Promise<{ app: App; dir: string }> => {
    const dir = tempDir();
    const app = await start(dir.path, extra);
    cleanup.push(
      () => dir.remove(),
      () => app.stop(),
    );
    return { app, dir: dir.path };
  };

  it('a new user gets two connected demo devices, stored samples and a chart already set up', async () => {
    const { app } = await fresh({ demo: { enabled: true, opcuaPort: 0, modbusPort: 0 } });
    const batches: Events['samples.batch'][] = [];
    app.events.subscribe((name, payload) => {
      if (name === 'samples.batch') batches.push(payload as Events['samples.batch']);
    });
    const devices = await call(app, 'devices.list');
    expect(devices.map((d) => [d.config.name, d.config.protocol, d.tags.length])).toEqual([
      ['Demo pump skid (OPC UA)', 'opcua', 24],
      ['Demo pump skid (Modbus)', 'modbus', 30],
    ]);
    await waitFor(
      () => devices.every((d) => stateOf(app.status(), d.id) === 'connected'),
      20_000,
      'both demo devices connected',
    );
    const settings = await call(app, 'settings.get');
    expect(settings.trendTagIds).toHaveLength(6);
    await waitFor(() => batches.length >= 3, 10_000, 'live batches');
    // Batched: each message carries many samples, never one message per sample.
    const total = batches.reduce((n, b) => n + b.samples.length, 0);
    expect(total / batches.length).toBeGreaterThan(1);
    const info = await call(app, 'app.info');
    expect(info.demo.running).toBe(true);
    expect(info.demo.opcuaEndpoint).toMatch(/^opc\.tcp:\/\/127\.0\.0\.1:\d+$/);
    // The chart's tags are the OPC UA device's; its first values may land after the Modbus ones on a busy machine.
    let latest = await call(app, 'samples.latest', { tagIds: settings.trendTagIds });
    await waitFor(
      async () => (latest = await call(app, 'samples.latest', { tagIds: settings.trendTagIds })).length === 6,
      20_000,
      'a stored sample for each chart tag',
    );
    expect(latest.every(([, , , q]) => q === 0)).toBe(true);
  });

  it('writes a demo setpoint from the UI: the plant follows, the audit log records who, refusals are typed', async () => {
    const { app } = await fresh({ demo: { enabled: true, opcuaPort: 0, modbusPort: 0, tickMs: 50 } });
    const mb = (await call(app, 'devices.list')).find((d) => d.config.protocol === 'modbus')!;
    await waitFor(() => stateOf(app.status(), mb.id) === 'connected', 20_000, 'demo Modbus connected');
    const sp = mb.tags.find((t) => t.name === 'T-101 level setpoint')!;
    const r = await call(app, 'modbus.write', { deviceId: mb.id, tagId: sp.id, value: 62.5 });
    expect(r.request).toBe('FC 16 write holding registers 40101-40102 (offset 100, 2 registers), unit 1');
    await waitFor(
      async () => (await call(app, 'samples.latest', { tagIds: [sp.id] }))[0]?.[2] === 62.5,
      10_000,
      'the written setpoint read back by the collector',
    );
    // Refused before sending (input register), and refused by the device (a bad value on a string).
    const level = mb.tags.find((t) => t.name === 'T-101 level')!;
    const batch = mb.tags.find((t) => t.name === 'Batch ID')!;
    const bad = await app.router.invoke('modbus.write', { deviceId: mb.id, tagId: batch.id, value: 'X'.repeat(17) });
    expect(bad).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: expect.stringMatching(/longer than 16/) as string },
    });
    // The simulation owns the signal registers: the demo refuses writes there, as a PLC does.
    const speed = mb.tags.find((t) => t.name === 'P-101 speed')!;
    const refused = await app.router.invoke('modbus.write', { deviceId: mb.id, tagId: speed.id, value: 10 });
    expect(refused).toMatchObject({
      ok: false,
      error: {
        code: 'device_error',
        message: expect.stringMatching(/exception 02: illegal data address 40001/) as string,
      },
    });
    const log = await call(app, 'audit.list', {});
    expect(log.map((e) => [e.outcome, e.target.split(' (')[0], e.value])).toEqual([
      ['failed', 'P-101 speed', '10 %'],
      ['failed', 'Batch ID', 'X'.repeat(17)],
      ['ok', 'T-101 level setpoint', '62.5 %'],
    ]);
    expect(log[2]!.actor).toMatch(/ \(browser mode\)$/);
    expect(log[2]!.message).toBe(r.request);
    // A setpoint the loop cannot hold is clamped in the register, like a PLC would.
    await call(app, 'modbus.write', { deviceId: mb.id, tagId: sp.id, value: 95 });
    await waitFor(
      async () => (await call(app, 'samples.latest', { tagIds: [sp.id] }))[0]?.[2] === 80,
      10_000,
      'the clamped setpoint',
    );
    let diag = await call(app, 'devices.diagnostics', { id: mb.id });
    await waitFor(
      async () => (diag = await call(app, 'devices.diagnostics', { id: mb.id })).pollGroups[0]?.lastCycleMs !== null,
      10_000,
      'a timed poll cycle',
    );
    expect(diag.pollGroups).toEqual([
      { intervalMs: 1000, tags: 30, requests: 3, lastCycleMs: expect.any(Number) as number },
    ]);
    expect(app.status().devices.find((d) => d.deviceId === mb.id)?.requestsPerCycle).toBe(3); // signals, controller registers, coils
    expect(level.address).toMatch(/^HR \d+ \(4\d{4}\) float32 ABCD$/);
  });

  it('refuses invalid device settings with field paths and leaves the other devices collecting', async () => {
    const { app } = await fresh({ demo: { enabled: true, opcuaPort: 0, modbusPort: 0 } });
    const [opc] = await call(app, 'devices.list');
    if (!opc) throw new Error('no demo device');
    await waitFor(() => stateOf(app.status(), opc.id) === 'connected', 20_000, 'demo OPC UA connected');
    const before = app.status().devices.find((d) => d.deviceId === opc.id)?.samples ?? 0;
    const r = await app.router.invoke('devices.save', {
      name: 'Bad PLC',
      protocol: 'opcua',
      settings: { endpointUrl: 'http://plc:4840' },
      tags: [{ name: 'T', nodeId: 'nonsense' }],
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.fields?.map((f) => f.path)).toEqual(['settings.endpointUrl', 'tags.0.nodeId']);
    expect((await call(app, 'devices.list')).map((d) => d.config.name)).not.toContain('Bad PLC');
    await waitFor(
      () => (app.status().devices.find((d) => d.deviceId === opc.id)?.samples ?? 0) > before + 10,
      10_000,
      'more samples',
    );
  });

  it('an unreachable device reports a readable error while the others keep going; deleting it stops it', async () => {
    const { app } = await fresh({ demo: { enabled: true, opcuaPort: 0, modbusPort: 0 } });
    const saved = await call(app, 'devices.save', {
      name: 'Packaging line PLC',
      protocol: 'modbus',
      settings: { host: '127.0.0.1', port: 1, pollIntervalMs: 200 },
      tags: [{ name: 'Count', area: 'holding', address: 0 }],
    });
    await waitFor(() => stateOf(app.status(), saved.id) === 'error', 15_000, 'error state');
    const state = app.status().devices.find((d) => d.deviceId === saved.id);
    expect(state?.message).toMatch(/cannot connect to 127\.0\.0\.1:1: connection refused/);
    const demoIds = (await call(app, 'devices.list')).filter((d) => d.id !== saved.id).map((d) => d.id);
    await waitFor(() => demoIds.every((id) => stateOf(app.status(), id) === 'connected'), 20_000, 'demo connected');
    await call(app, 'devices.delete', { id: saved.id });
    expect(stateOf(app.status(), saved.id)).toBeUndefined();
    const again = await app.router.invoke('devices.delete', { id: saved.id });
    expect(again).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('restarting keeps devices, tags and history, and adds no duplicate demo devices', async () => {
    const dir = tempDir();
    cleanup.push(() => dir.remove());
    let app = await start(dir.path, { demo: { enabled: true, opcuaPort: 0, modbusPort: 0 } });
    const first = await call(app, 'devices.list');
    const opcId = first[0]?.id;
    await waitFor(() => (app.status().devices.find((d) => d.deviceId === opcId)?.samples ?? 0) > 0, 20_000, 'samples');
    const tagId = first[0]?.tags[0]?.id ?? 0;
    await app.stop();
    app = await start(dir.path, { demo: { enabled: true, opcuaPort: 0, modbusPort: 0 } });
    cleanup.push(() => app.stop());
    const second: DeviceView[] = await call(app, 'devices.list');
    expect(second.map((d) => [d.id, d.config.name, d.tags.map((t) => t.id)])).toEqual(
      first.map((d) => [d.id, d.config.name, d.tags.map((t) => t.id)]),
    );
    const history = await call(app, 'samples.history', { tagIds: [tagId], from: 0, to: Date.now() + 3_600_000 });
    expect(history[0]?.ts.length).toBeGreaterThan(0);
  });

  it('the demo plant can be switched off, and a headless config file declares devices', async () => {
    const dir = tempDir();
    cleanup.push(() => dir.remove());
    const config = join(dir.path, 'plant.json');
    writeFileSync(
      config,
      JSON.stringify({
        demoPlant: false,
        devices: [
          {
            name: 'Kiln PLC',
            protocol: 'opcua',
            settings: { endpointUrl: 'opc.tcp://127.0.0.1:1' },
            tags: [{ name: 'Zone 1', unit: '°C', nodeId: 'ns=2;s=Z1' }],
          },
        ],
      }),
    );
    const app = await start(join(dir.path, 'data'), { configFile: config });
    cleanup.push(() => app.stop());
    expect((await call(app, 'app.info')).demo).toMatchObject({ enabled: false, running: false });
    expect((await call(app, 'devices.list')).map((d) => d.config.name)).toEqual(['Kiln PLC']);
  });

  it('an invalid config file is applied not at all: the app starts and its status names the field', async () => {
    const dir = tempDir();
    cleanup.push(() => dir.remove());
    const config = join(dir.path, 'plant.json');
    writeFileSync(
      config,
      JSON.stringify({
        demoPlant: false,
        devices: [{ name: 'x', protocol: 'modbus', settings: { host: 'plc', port: 0 }, tags: [] }],
      }),
    );
    const app = await start(join(dir.path, 'data'), { configFile: config, demo: { enabled: false } });
    cleanup.push(() => app.stop());
    expect(app.status().configError).toMatch(/devices\.0\.settings\.port/);
    expect(await call(app, 'devices.list')).toEqual([]);
  });

  it('a damaged store: the app keeps running, explains it, and does not touch the file', async () => {
    const dir = tempDir();
    cleanup.push(() => dir.remove());
    const garbage = Buffer.from('definitely not sqlite '.repeat(500));
    writeFileSync(join(dir.path, 'twinedge.sqlite'), garbage);
    const app = await start(dir.path, { demo: { enabled: false } });
    cleanup.push(() => app.stop());
    expect(app.status().storeError).toMatch(/twinedge\.sqlite is damaged/);
    const r = await app.router.invoke('devices.list', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'store_unavailable' } });
    expect((await call(app, 'settings.get')).trendTagIds).toEqual([]);
    await app.stop();
    expect(readFileSync(join(dir.path, 'twinedge.sqlite'))).toEqual(garbage);
  });

  it('a data folder held by another running TwinEdge: the app says which process holds it', async () => {
    const dir = tempDir();
    cleanup.push(() => dir.remove());
    // A real holder of the OS lock (a PID written in a file blocks nobody any more).
    const holder = join(import.meta.dirname, '..', 'fixtures', 'lock-holder.ts');
    const other = spawn(process.execPath, ['--import', 'tsx', holder, dir.path], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanup.push(() => void other.kill('SIGKILL'));
    await new Promise<void>((resolve, reject) => {
      other.stdout.on('data', (d: Buffer) => (d.toString().includes('LOCKED') ? resolve() : undefined));
      other.once('exit', (code) => reject(new Error(`lock holder exited (${code})`)));
    });
    const app = await start(dir.path, { demo: { enabled: false } });
    cleanup.push(() => app.stop());
    expect(app.status().storeError).toMatch(new RegExp(`in use by another TwinEdge process \\(pid ${other.pid} on `));
  });
});
