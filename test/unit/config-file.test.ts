import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppError } from '../../main/domain/errors/app-error.js';
import { checkConfigReferences, resolveConfigRule } from '../../main/app/config/config-apply.js';
import { configJsonSchema, loadConfigFile } from '../../main/app/config/config-file.js';
import type { StoredDevice } from '../../main/store/devices-repo.js';
import { tempDir } from '../helpers/temp-dir.js';
import { defaultStoragePolicy, everySamplePolicy, StoragePolicy } from '../../main/domain/storage/storage-policy.js';

describe('headless config file', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.remove());

  const write = (content: unknown): string => {
    const path = join(dir.path, 'plant.json');
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  const refusal = (path: string): AppError => {
    try {
      loadConfigFile(path);
    } catch (err) {
      return err as AppError;
    }
    throw new Error('expected the file to be refused');
  };

  it('loads devices and fills defaults', () => {
    const cfg = loadConfigFile(
      write({
        demoPlant: false,
        devices: [
          {
            name: 'Line 3 PLC',
            protocol: 'opcua',
            settings: { endpointUrl: 'opc.tcp://plc-3:4840' },
            tags: [{ name: 'Oven temp', unit: '°C', nodeId: 'ns=3;s=Oven.Temp' }],
          },
        ],
      }),
    );
    expect(cfg.demoPlant).toBe(false);
    expect(cfg.devices[0]).toMatchObject({
      enabled: true,
      settings: { securityMode: 'None', publishingIntervalMs: 1000 },
      tags: [{ samplingIntervalMs: 1000 }],
    });
  });

  it('names the path of the bad field and what was expected', () => {
    const err = refusal(
      write({
        devices: [
          { name: 'ok', protocol: 'modbus', settings: { host: 'plc' }, tags: [] },
          { name: 'bad', protocol: 'modbus', settings: { host: 'plc', unitId: 300 }, tags: [] },
        ],
      }),
    );
    expect(err.code).toBe('invalid_input');
    expect(err.message).toContain('plant.json is invalid');
    expect(err.message).toMatch(/devices\.1\.settings\.unitId: .*255/);
  });

  it('reads device storage policies, tag overrides and spans; a device without storage gets the default', () => {
    const tankFarm = {
      name: 'Tank farm',
      protocol: 'modbus',
      settings: { host: 'plc', storage: { mode: 'change', deadband: 0.1, maxIntervalS: 120 } },
      tags: [
        {
          name: 'Level',
          area: 'holding',
          address: 0,
          storage: { band: 'percent', compression: 0.25 },
          spanLow: 0,
          spanHigh: 12,
        },
        { name: 'Temp', area: 'holding', address: 1 },
      ],
    };
    const kiln = {
      name: 'Kiln',
      protocol: 'opcua',
      settings: { endpointUrl: 'opc.tcp://kiln:4840' },
      tags: [{ name: 'Zone 1', nodeId: 'ns=2;s=Z1', storage: { mode: 'every' } }],
    };
    const [tanks, kilnDevice] = loadConfigFile(write({ devices: [tankFarm, kiln] })).devices;
    expect(tanks!.settings.storage).toEqual(StoragePolicy.parse(tankFarm.settings.storage));
    expect(tanks!.tags.map((t) => [t.storage, t.spanLow, t.spanHigh])).toEqual([
      [StoragePolicy.parse({ band: 'percent', compression: 0.25 }), 0, 12],
      [null, null, null],
    ]);
    expect(kilnDevice!.settings.storage).toEqual(defaultStoragePolicy);
    expect(kilnDevice!.tags[0]!.storage).toEqual(everySamplePolicy);

    // A percent band without the tag's span, and a malformed policy, are refused at their field.
    const { spanLow: _l, spanHigh: _h, ...noSpan } = tankFarm.tags[0]!;
    const err = refusal(write({ devices: [{ ...tankFarm, tags: [noSpan] }] }));
    expect(err.message).toMatch(/devices\.0\.tags\.0\.spanLow: a percent deadband or deviation needs the tag's span/);
    const bad = { ...kiln, settings: { ...kiln.settings, storage: { mode: 'every', deadband: 1 } } };
    expect(refusal(write({ devices: [bad] })).message).toMatch(/devices\.0\.settings\.storage\.mode: .*on change/);
  });

  it('refuses unknown keys, duplicate names and broken JSON with the file name', () => {
    expect(refusal(write({ devcies: [] })).message).toMatch(/devcies/);
    const dup = { name: 'x', protocol: 'modbus', settings: { host: 'plc' }, tags: [] };
    expect(refusal(write({ devices: [dup, dup] })).message).toMatch(/devices\.1\.name: duplicate device name "x"/);
    expect(refusal(write('{ "devices": [ ')).message).toMatch(/plant\.json is not valid JSON/);
    expect(refusal(join(dir.path, 'missing.json')).message).toMatch(/Cannot read config file .*missing\.json/);
  });

  const boiler = {
    name: 'Boiler PLC',
    protocol: 'modbus',
    settings: { host: 'plc' },
    tags: [{ name: 'Pressure', area: 'holding', address: 0 }],
  };

  it('loads alarm rules (tags by device and tag name) and sync settings, with defaults filled in', () => {
    const cfg = loadConfigFile(
      write({
        devices: [boiler],
        alarmRules: [
          {
            name: 'Pressure high',
            severity: 'critical',
            conditions: [{ kind: 'threshold', device: 'Boiler PLC', tagName: 'Pressure', operator: '>', threshold: 8 }],
          },
        ],
        sync: { baseUrl: 'https://cloud.example/v1', capMiB: 256, policy: 'drop-oldest', paused: false },
      }),
    );
    expect(cfg.alarmRules[0]).toMatchObject({ enabled: true, combinator: 'AND', ackMode: 'manual', onDelaySeconds: 0 });
    expect(cfg.sync).toEqual({
      baseUrl: 'https://cloud.example/v1',
      capMiB: 256,
      policy: 'drop-oldest',
      paused: false,
    });
  });

  it('rule and sync errors name their field; the API key is refused in the file', () => {
    const rule = (extra: object) => ({
      name: 'r',
      severity: 'info',
      conditions: [{ kind: 'threshold', device: 'Boiler PLC', tagName: 'Pressure', operator: '>', threshold: 1 }],
      ...extra,
    });
    expect(refusal(write({ alarmRules: [rule({ conditions: [] })] })).message).toMatch(
      /alarmRules\.0\.conditions: a rule needs at least one condition/,
    );
    expect(
      refusal(
        write({ alarmRules: [rule({ conditions: [{ kind: 'threshold', tagId: 3, operator: '>', threshold: 1 }] })] }),
      ).message,
    ).toMatch(/alarmRules\.0\.conditions\.0/);
    expect(
      refusal(
        write({
          alarmRules: [
            rule({ conditions: [{ kind: 'range', device: 'd', tagName: 't', operator: 'between', low: 5, high: 1 }] }),
          ],
        }),
      ).message,
    ).toMatch(/alarmRules\.0\.conditions\.0\.high: low must not be above high/);
    expect(refusal(write({ alarmRules: [rule({}), rule({})] })).message).toMatch(
      /alarmRules\.1\.name: duplicate rule name "r"/,
    );
    expect(refusal(write({ sync: { baseUrl: 'ftp://x' } })).message).toMatch(/sync\.baseUrl: an https URL/);
    expect(refusal(write({ sync: { policy: 'drop-all' } })).message).toMatch(/sync\.policy/);
    expect(refusal(write({ sync: { apiKey: 'k-123456789' } })).message).toMatch(/sync: .*apiKey/);
  });

  it('checks rule references against the file and the store, and protocol changes', () => {
    const cfg = loadConfigFile(
      write({
        devices: [boiler, { name: 'Kiln', protocol: 'opcua', settings: { endpointUrl: 'opc.tcp://k:4840' }, tags: [] }],
        alarmRules: [
          {
            name: 'ok',
            severity: 'info',
            conditions: [
              { kind: 'threshold', device: 'Boiler PLC', tagName: 'Pressure', operator: '>', threshold: 1 },
              { kind: 'stale', device: 'Stored only', tagName: 'Flow', afterSeconds: 60 },
            ],
          },
          {
            name: 'bad',
            severity: 'info',
            conditions: [
              { kind: 'offline', device: 'Nowhere' },
              { kind: 'quality', device: 'Boiler PLC', tagName: 'Level' },
            ],
          },
        ],
      }),
    );
    const stored = (id: number, name: string, protocol: 'modbus' | 'opcua', tags: string[]): StoredDevice =>
      ({
        id,
        config: { id, name, protocol },
        tags: tags.map((t, i) => ({ id: id * 10 + i, deviceId: id, name: t })),
      }) as unknown as StoredDevice;
    const store = [stored(1, 'Stored only', 'modbus', ['Flow']), stored(2, 'Kiln', 'modbus', [])];
    expect(checkConfigReferences(cfg, store)).toEqual([
      {
        path: 'devices.1.protocol',
        message: 'device "Kiln" is already configured as modbus; a device cannot change protocol (rename it)',
      },
      { path: 'alarmRules.1.conditions.0.device', message: 'no device "Nowhere"' },
      { path: 'alarmRules.1.conditions.1.tagName', message: 'no tag "Level" on device "Boiler PLC"' },
    ]);
    const first = cfg.alarmRules[0];
    if (!first) throw new Error('the rule was not loaded');
    const resolved = resolveConfigRule(first, [...store, stored(3, 'Boiler PLC', 'modbus', ['Pressure'])]);
    expect(resolved.conditions).toEqual([
      { kind: 'threshold', tagId: 30, operator: '>', threshold: 1 },
      { kind: 'stale', tagId: 10, afterSeconds: 60 },
    ]);
  });

  it('never keeps a password: one written into a device identity is dropped, and the schema offers none', () => {
    const secret = 'Pa55-in-a-config-file';
    const cfg = loadConfigFile(
      write({
        devices: [
          {
            name: 'Line 3 PLC',
            protocol: 'opcua',
            settings: {
              endpointUrl: 'opc.tcp://plc-3:4840',
              identity: { type: 'username', userName: 'operator', password: secret },
            },
            tags: [{ name: 'Oven temp', nodeId: 'ns=3;s=Oven.Temp' }],
          },
        ],
      }),
    );
    expect(cfg.devices[0]).toMatchObject({ settings: { identity: { type: 'username', userName: 'operator' } } });
    expect(JSON.stringify(cfg)).not.toContain(secret);
    expect(JSON.stringify(configJsonSchema())).not.toMatch(/"password"/i);
  });

  it('the published JSON Schema is the one generated from the code', () => {
    const published = JSON.parse(readFileSync('main/app/config/twinedge-config.schema.json', 'utf8')) as unknown;
    expect(published).toEqual(configJsonSchema());
  });
});
