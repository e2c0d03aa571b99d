import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp, type App } from '../../main/app/create-app.js';
import type { CallName } from '../../main/contract/wire.js';
import type { CallOutput } from '../../main/contract/contract.js';
import { silentLogger, type Logger } from '../../main/log/logger.js';
import { DevicesRepo } from '../../main/store/devices-repo.js';
import { SettingsRepo } from '../../main/store/settings-repo.js';
import { tempDir } from '../helpers/temp-dir.js';

const call = async <K extends CallName>(app: App, name: K, input: unknown = {}): Promise<CallOutput<K>> => {
  const r = await app.router.invoke(name, input);
  if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
  return r.value as CallOutput<K>;
};

/** A gateway's file: one Modbus device (disabled: nothing is polled), two rules on its tags, sync settings. */
const goodConfig = {
  demoPlant: false,
  devices: [
    {
      name: 'Boiler PLC',
      protocol: 'modbus',
      enabled: false,
      settings: { host: '127.0.0.1', port: 1502 },
      tags: [
        { name: 'Pressure', unit: 'bar', area: 'holding', address: 0, dataType: 'uint16' },
        { name: 'Temp', unit: '°C', area: 'holding', address: 1, dataType: 'uint16' },
      ],
    },
  ],
  alarmRules: [
    {
      name: 'Boiler pressure high',
      severity: 'critical',
      conditions: [{ kind: 'threshold', device: 'Boiler PLC', tagName: 'Pressure', operator: '>', threshold: 8 }],
      deadband: 0.2,
    },
    {
      name: 'Boiler offline',
      severity: 'warning',
      conditions: [{ kind: 'offline', device: 'Boiler PLC', afterSeconds: 30 }],
    },
  ],
  sync: { baseUrl: 'http://127.0.0.1:9/v1', capMiB: 64, policy: 'drop-newest', paused: true },
};

describe('headless gateway: the --config file at start', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const f of cleanup.reverse()) await f();
    cleanup.length = 0;
  });

  const setUp = (): { dataDir: string; file: string; write: (content: unknown) => void } => {
    const dir = tempDir();
    cleanup.push(() => dir.remove());
    const file = join(dir.path, 'config.json');
    return {
      dataDir: join(dir.path, 'data'),
      file,
      write: (content) => writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content)),
    };
  };
  let logged: string[] = [];
  const logger: Logger = {
    ...silentLogger,
    info: (m) => void logged.push(m),
    error: (m) => void logged.push(`ERROR ${m}`),
  };
  const start = async (dataDir: string, configFile: string): Promise<App> => {
    logged = [];
    const app = await createApp({
      dataDir,
      shell: 'browser',
      version: 'test',
      logger,
      statusIntervalMs: 200,
      configFile,
      demo: { enabled: false },
    });
    cleanup.push(() => app.stop());
    return app;
  };
  /** What a restart must keep: devices with their tag ids, rules with their ids, sync settings. */
  const snapshot = async (app: App) => {
    const devices = await call(app, 'devices.list');
    const rules = await call(app, 'alarms.rules');
    const sync = await call(app, 'sync.status');
    return {
      devices: devices.map((d) => ({
        id: d.id,
        name: d.config.name,
        enabled: d.config.enabled,
        tags: d.tags.map((t) => [t.id, t.name]),
      })),
      rules: rules.map((r) => ({ id: r.id, name: r.name, source: r.source, conditions: r.conditions })),
      sync: { baseUrl: sync.baseUrl, cap: sync.backlog.capBytes, policy: sync.backlog.policy, paused: sync.paused },
      demo: (await call(app, 'settings.get')).demoPlant,
    };
  };

  it('applies devices, alarm rules (tags by name) and sync settings, visible through the router', async () => {
    const { dataDir, file, write } = setUp();
    write(goodConfig);
    const app = await start(dataDir, file);
    expect(app.status().configError).toBeNull();
    const s = await snapshot(app);
    expect(s.devices).toMatchObject([
      {
        name: 'Boiler PLC',
        tags: [
          [expect.any(Number), 'Pressure'],
          [expect.any(Number), 'Temp'],
        ],
      },
    ]);
    const pressureId = s.devices[0]?.tags[0]?.[0];
    const anyId: unknown = expect.any(Number);
    expect(s.rules).toEqual([
      {
        id: anyId,
        name: 'Boiler pressure high',
        source: 'local',
        conditions: [{ kind: 'threshold', tagId: pressureId, operator: '>', threshold: 8 }],
      },
      {
        id: anyId,
        name: 'Boiler offline',
        source: 'local',
        conditions: [{ kind: 'offline', deviceId: s.devices[0]?.id, afterSeconds: 30 }],
      },
    ]);
    expect(s.sync).toEqual({
      baseUrl: 'http://127.0.0.1:9/v1',
      cap: 64 * 1024 * 1024,
      policy: 'drop-newest',
      paused: true,
    });
    expect(s.demo).toBe(false);
  });

  it('is idempotent: a restart with the same file keeps every id and adds nothing', async () => {
    const { dataDir, file, write } = setUp();
    write(goodConfig);
    const first = await start(dataDir, file);
    const before = await snapshot(first);
    expect(logged).toContainEqual(
      expect.stringMatching(/applied: 1 devices \(1 changed\), 2 alarm rules \(2 changed\)/),
    );
    await first.stop();
    const second = await start(dataDir, file);
    expect(await snapshot(second)).toEqual(before);
    expect(logged).toContainEqual(
      expect.stringMatching(/applied: 1 devices \(0 changed\), 2 alarm rules \(0 changed\)/),
    );
  });

  it('a changed file updates what it names (matched by name), ids kept', async () => {
    const { dataDir, file, write } = setUp();
    write(goodConfig);
    const first = await start(dataDir, file);
    const before = await snapshot(first);
    await first.stop();
    const [pressure, offline] = goodConfig.alarmRules;
    write({
      ...goodConfig,
      alarmRules: [{ ...pressure, severity: 'warning' }, offline],
      sync: { ...goodConfig.sync, paused: false },
    });
    const second = await start(dataDir, file);
    const after = await snapshot(second);
    expect(after.rules.map((r) => r.id)).toEqual(before.rules.map((r) => r.id));
    expect((await call(second, 'alarms.rules'))[0]?.severity).toBe('warning');
    expect(after.sync.paused).toBe(false);
  });

  it('a hand-broken file: the app starts with the last good devices, rules and settings, and says why', async () => {
    const { dataDir, file, write } = setUp();
    write(goodConfig);
    const first = await start(dataDir, file);
    const good = await snapshot(first);
    await first.stop();

    write('{ "devices": [ { "name": "Boiler PLC", ');
    const broken = await start(dataDir, file);
    expect(await snapshot(broken)).toEqual(good);
    const message = broken.status().configError ?? '';
    expect(message).toMatch(/config\.json is not valid JSON/);
    expect(message).toMatch(/runs with the last good settings \(from .*config\.json, applied \d{4}-/);
    // The log (and stderr, in browser mode) says the same.
    expect(logged).toContain(`ERROR ${message}`);
    // The renderer gets it with every status.
    expect((await call(broken, 'status.get')).configError).toBe(message);
  });

  it('each kind of error names its field, and a file with any error changes nothing', async () => {
    const { dataDir, file, write } = setUp();
    write(goodConfig);
    const first = await start(dataDir, file);
    const good = await snapshot(first);
    await first.stop();

    const cases: [unknown, RegExp][] = [
      // a rule naming a tag the device does not have
      [
        {
          ...goodConfig,
          devices: [...goodConfig.devices, { ...goodConfig.devices[0], name: 'New PLC' }],
          alarmRules: [
            goodConfig.alarmRules[0],
            {
              ...goodConfig.alarmRules[0],
              name: 'x',
              conditions: [{ kind: 'stale', device: 'Boiler PLC', tagName: 'Level', afterSeconds: 60 }],
            },
          ],
        },
        /alarmRules\.1\.conditions\.0\.tagName: no tag "Level" on device "Boiler PLC"/,
      ],
      // a rule naming a device nobody declared
      [
        {
          ...goodConfig,
          alarmRules: [{ ...goodConfig.alarmRules[1], conditions: [{ kind: 'offline', device: 'Ghost' }] }],
        },
        /alarmRules\.0\.conditions\.0\.device: no device "Ghost"/,
      ],
      // a device changing protocol
      [
        {
          ...goodConfig,
          devices: [{ name: 'Boiler PLC', protocol: 'opcua', settings: { endpointUrl: 'opc.tcp://h:4840' }, tags: [] }],
        },
        /devices\.0\.protocol: device "Boiler PLC" is already configured as modbus/,
      ],
      // schema errors: rule fields, sync fields, the API key that must not be there
      [{ ...goodConfig, alarmRules: [{ ...goodConfig.alarmRules[0], severity: 'huge' }] }, /alarmRules\.0\.severity/],
      [
        { ...goodConfig, alarmRules: [goodConfig.alarmRules[0], goodConfig.alarmRules[0]] },
        /alarmRules\.1\.name: duplicate rule name/,
      ],
      [{ ...goodConfig, sync: { capMiB: 1 } }, /sync\.capMiB/],
      [{ ...goodConfig, sync: { apiKey: 'secret-123456' } }, /sync.*apiKey/],
    ];
    for (const [content, expected] of cases) {
      write(content);
      const app = await start(dataDir, file);
      expect(app.status().configError).toMatch(expected);
      expect(await snapshot(app)).toEqual(good);
      await app.stop();
    }
  });

  it('a missing file: the app starts and says it cannot read it', async () => {
    const { dataDir, file } = setUp();
    const app = await start(dataDir, file);
    expect(app.status().configError).toMatch(/Cannot read config file .*config\.json/);
    expect(app.status().configError).toMatch(/no config file was applied before/);
  });

  /** A device the file declares; enabled, so that taking it out of the file has something to stop. */
  const plc = (name: string, port: number) => ({
    name,
    protocol: 'modbus',
    settings: { host: '127.0.0.1', port },
    tags: [{ name: 'Pressure', unit: 'bar', area: 'holding', address: 0, dataType: 'uint16' }],
  });
  const highRule = (name: string, device: string) => ({
    name,
    severity: 'warning',
    conditions: [{ kind: 'threshold', device, tagName: 'Pressure', operator: '>', threshold: 5 }],
  });
  const fileA = {
    demoPlant: false,
    devices: [plc('D1', 9), plc('D2', 9)],
    alarmRules: [highRule('R1', 'D1'), highRule('R2', 'D2')],
    sync: { baseUrl: 'http://127.0.0.1:9/v1', policy: 'drop-oldest', paused: true },
  };
  const fileB = { ...fileA, devices: [plc('D1', 9)], alarmRules: [highRule('R1', 'D1')] };

  it('what a later file no longer lists: its rules deleted, its devices disabled with their samples kept', async () => {
    const { dataDir, file, write } = setUp();
    write(fileA);
    const a = await start(dataDir, file);
    expect(a.status().configError).toBeNull();
    // Made in the UI: never the file's to take away.
    const uiDevice = await call(a, 'devices.save', { ...plc('UI PLC', 9), enabled: false });
    const uiRule = await call(a, 'alarms.saveRule', {
      name: 'UI rule',
      severity: 'info',
      conditions: [{ kind: 'offline', deviceId: uiDevice.id, afterSeconds: 10 }],
    });
    const d2 = (await call(a, 'devices.list')).find((d) => d.config.name === 'D2');
    const d2Tag = d2?.tags[0]?.id ?? -1;
    const t0 = Date.now() - 60_000;
    a.store?.writeSamples(
      [1, 2, 3].map((i) => ({ tagId: d2Tag, ts: t0 + i * 1000, value: i, quality: 0 })),
      null,
    );
    await a.stop();

    write(fileB);
    const b = await start(dataDir, file);
    expect(b.status().configError).toBeNull();
    const afterB = await snapshot(b);
    expect(afterB.devices.map((d) => [d.name, d.enabled])).toEqual([
      ['D1', true],
      ['D2', false],
      ['UI PLC', false],
    ]);
    expect(afterB.rules.map((r) => r.name)).toEqual(['R1', 'UI rule']);
    expect((await call(b, 'alarms.rules')).find((r) => r.name === 'UI rule')).toEqual(uiRule);
    expect(b.store?.samples.raw(d2Tag, t0, t0 + 10_000).map((x) => x.value)).toEqual([1, 2, 3]);
    expect(logged).toContain(
      `Config file ${file}: device "D2" is no longer in the file: collection stopped, its stored samples kept; ` +
        'delete it in Devices to remove them.',
    );
    expect(logged).toContain(`Config file ${file}: alarm rule "R2" is no longer in the file: deleted.`);
    expect(logged).toContainEqual(
      expect.stringMatching(/no longer in the file: 1 alarm rules deleted, 1 devices disabled\.$/),
    );
    expect(b.store?.settings.get('config.managed')).toEqual({ devices: ['D1'], rules: ['R1'] });
    await b.stop();

    // The same file again: nothing more to take away, and nothing said about it.
    const again = await start(dataDir, file);
    expect(await snapshot(again)).toEqual(afterB);
    expect(logged.filter((m) => m.includes('no longer in the file'))).toEqual([]);
    await again.stop();

    // D2 back in the file: the normal upsert enables it again, same id, same tag, samples still there.
    write({ ...fileB, devices: [plc('D1', 9), plc('D2', 9)] });
    const c = await start(dataDir, file);
    const afterC = await snapshot(c);
    expect(afterC.devices.map((d) => [d.name, d.enabled])).toEqual([
      ['D1', true],
      ['D2', true],
      ['UI PLC', false],
    ]);
    expect(afterC.devices.find((d) => d.name === 'D2')).toEqual({
      ...afterB.devices.find((d) => d.name === 'D2'),
      enabled: true,
    });
    expect(c.store?.samples.raw(d2Tag, t0, t0 + 10_000)).toHaveLength(3);
  });

  it('a write failing midway: no store change from the file stays, and the app runs on the last good settings', async () => {
    const { dataDir, file, write } = setUp();
    write(fileA);
    const first = await start(dataDir, file);
    const good = await snapshot(first);
    const goodSettings = {
      lastApplied: first.store?.settings.get('config.lastApplied'),
      managed: first.store?.settings.get('config.managed'),
    };
    expect(goodSettings.managed).toEqual({ devices: ['D1', 'D2'], rules: ['R1', 'R2'] });
    await first.stop();

    // Changes every kind of thing (a new device, a changed and a removed rule, a removed device, sync,
    // demo plant) so that anything left behind shows up below.
    write({
      demoPlant: true,
      devices: [plc('D1', 10), plc('D3', 9)],
      alarmRules: [{ ...highRule('R1', 'D3'), severity: 'critical' }],
      sync: { baseUrl: 'http://127.0.0.1:10/v1', policy: 'drop-newest', paused: false },
    });
    const failures: [string, () => void][] = [
      [
        'the second device save',
        () => {
          // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the repo as `this`
          const save = DevicesRepo.prototype.save;
          let calls = 0;
          vi.spyOn(DevicesRepo.prototype, 'save').mockImplementation(function (this: DevicesRepo, config) {
            if (++calls === 2) throw new Error('disk I/O error (injected)');
            return save.call(this, config);
          });
        },
      ],
      [
        'the last write (config.lastApplied)',
        () => {
          // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the repo as `this`
          const set = SettingsRepo.prototype.set;
          vi.spyOn(SettingsRepo.prototype, 'set').mockImplementation(function (this: SettingsRepo, key, value) {
            if (key === 'config.lastApplied') throw new Error('disk I/O error (injected)');
            set.call(this, key, value);
          });
        },
      ],
    ];
    for (const [where, inject] of failures) {
      inject();
      const app = await start(dataDir, file);
      vi.restoreAllMocks();
      const message = app.status().configError ?? '';
      expect(message, where).toMatch(/could not be applied, none of it was kept: disk I\/O error \(injected\)/);
      expect(message, where).toMatch(/runs with the last good settings/);
      // Read through the services (the engine's rules, the sync service), not only the store.
      expect(await snapshot(app), where).toEqual(good);
      expect(app.store?.settings.get('config.lastApplied'), where).toEqual(goodSettings.lastApplied);
      expect(app.store?.settings.get('config.managed'), where).toEqual(goodSettings.managed);
      expect(
        logged.filter((m) => m.includes('no longer in the file')),
        where,
      ).toEqual([]);
      await app.stop();
    }
  });
});
