import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyConfigFile } from '../../main/app/apply-config.js';
import { loadConfigFile } from '../../main/app/config/config-file.js';
import { ModbusDeviceInput } from '../../main/domain/device/device-schema.js';
import { everySamplePolicy } from '../../main/domain/storage/storage-policy.js';
import type { Logger } from '../../main/log/logger.js';
import { useTempStore } from '../helpers/temp-store.js';

const log: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const device = (storage?: object) => ({
  name: 'Boiler PLC',
  protocol: 'modbus',
  settings: { host: '127.0.0.1', ...(storage ? { storage } : {}) },
  tags: [{ name: 'Temp', area: 'holding', address: 0 }],
});

describe('storage policies from the config file', () => {
  const t = useTempStore();
  const dir = mkdtempSync(join(tmpdir(), 'twinedge-cfg-'));
  const apply = (devices: object[]) => {
    const path = join(dir, 'gateway.json');
    writeFileSync(path, JSON.stringify({ demoPlant: false, devices }));
    applyConfigFile({ file: path, config: loadConfigFile(path), store: t.store, alarms: null, sync: null, log });
    return t.store.devices.list().find((d) => d.config.name === 'Boiler PLC')!.config.settings.storage;
  };

  it('an existing device named without storage keeps its policy (an upgraded store keeps storing every sample)', () => {
    // As migration 10 leaves a device stored before storage policies.
    t.store.devices.save(
      ModbusDeviceInput.parse({ ...device(), settings: { host: '127.0.0.1', storage: everySamplePolicy } }),
    );
    expect(apply([device()])).toEqual(everySamplePolicy);
  });

  it('a new device without storage gets the default, and a policy the file states is applied', () => {
    expect(apply([device()]).mode).toBe('change');
    const stated = { mode: 'change', deadband: 0.5, maxIntervalS: 60 };
    expect(apply([device(stated)])).toMatchObject(stated);
    // Then the file stops stating it: the stored policy stays.
    expect(apply([device()])).toMatchObject(stated);
  });
});
