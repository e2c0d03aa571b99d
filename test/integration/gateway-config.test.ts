import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../main/app/create-app.js';
import type { CallName, CallOutput } from '../../main/contract/contract.js';
import { silentLogger, type Logger } from '../../main/log/logger.js';
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
      devices: devices.map((d) => ({ id: d.id, name: d.config.name, tags: d.tags.map((t) => [t.id, t.name]) })),
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
});
