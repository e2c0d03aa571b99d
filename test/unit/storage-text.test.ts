import { describe, expect, it } from 'vitest';
import { ModbusDeviceInput } from '../../main/domain/device/device-schema.js';
import type { DeviceView } from '../../main/domain/device/device-view.js';
import { StoragePolicy } from '../../main/domain/storage/storage-policy.js';
import { buildLiveRows } from '../../renderer/src/lib/live-rows.js';
import { newStoragePolicy } from '../../renderer/src/lib/storage-draft.js';
import { hasStorageError, lossyTags, lossyText, storageSummary } from '../../renderer/src/lib/storage-text.js';

const device = (storage: unknown): DeviceView => {
  const config = ModbusDeviceInput.parse({
    id: 7,
    name: 'Tank farm',
    protocol: 'modbus',
    settings: { host: '127.0.0.1', storage },
    tags: [
      { name: 'Level', unit: 'm', area: 'holding', address: 0 },
      { name: 'Temp', unit: '°C', area: 'holding', address: 1, storage: { deadband: 0.5 } },
      {
        name: 'Flow',
        unit: 'm³/h',
        area: 'holding',
        address: 2,
        storage: { band: 'percent', compression: 0.25 },
        spanLow: 0,
        spanHigh: 400,
      },
      { name: 'Pump', area: 'coil', address: 0, dataType: 'bool', storage: { mode: 'every' } },
    ],
  });
  return {
    id: 7,
    config: { ...config, id: 7 },
    tags: config.tags.map((t, i) => ({ id: 70 + i, deviceId: 7, name: t.name, unit: t.unit, address: `HR ${i}` })),
    state: { deviceId: 7, state: 'connected', message: null, since: 0, samples: 0, requestsPerCycle: null },
    passwordSet: false,
    demoPortWarning: null,
  };
};

describe('storage policy texts', () => {
  it('says what makes a policy lossy, in the tag unit or % of span; nothing for lossless ones', () => {
    expect(lossyText(StoragePolicy.parse({ deadband: 0.5 }), '°C')).toBe('deadband ±0.5 °C');
    expect(lossyText(StoragePolicy.parse({ band: 'percent', deadband: 1, compression: 0.25 }), 'bar')).toBe(
      'deadband ±1 % of span, compressed ±0.25 % of span',
    );
    expect(lossyText(StoragePolicy.parse({}), '°C')).toBeNull();
    expect(lossyText(StoragePolicy.parse({ mode: 'every' }), '°C')).toBeNull();
  });

  it('marks the lossy tags of a device by tag id, a tag on the device default included', () => {
    const lossless = lossyTags([device({})]);
    expect([...lossless]).toEqual([
      [71, 'deadband ±0.5 °C'],
      [72, 'compressed ±0.25 % of span'],
    ]);
    // The device's own deadband reaches the tag that has no policy of its own, not the one storing every sample.
    const withDefault = lossyTags([device({ deadband: 0.02 })]);
    expect(withDefault.get(70)).toBe('deadband ±0.02 m');
    expect(withDefault.has(73)).toBe(false);
  });

  it('puts the lossy text on the live values rows', () => {
    const d = device({});
    const rows = buildLiveRows(d.tags, [d], new Map(), new Map(), 0);
    expect(rows.map((r) => [r.tag, r.lossy])).toEqual([
      ['Level', null],
      ['Temp', 'deadband ±0.5 °C'],
      ['Flow', 'compressed ±0.25 % of span'],
      ['Pump', null],
    ]);
  });

  it('summarises the policy in force for a row being edited, and whose it is', () => {
    const dev = { ...newStoragePolicy(), deadband: 0.5 };
    expect(storageSummary(dev, null, '°C')).toEqual({
      text: 'on change beyond ±0.5 °C, max 600 s',
      own: false,
      lossy: true,
    });
    expect(storageSummary(dev, { ...newStoragePolicy(), mode: 'every' }, '°C')).toEqual({
      text: 'every sample',
      own: true,
      lossy: false,
    });
    expect(storageSummary(dev, { ...newStoragePolicy(), maxIntervalS: null }, '°C').text).toBe(
      'own policy not valid yet',
    );
  });

  it('finds the storage and span errors of one row only', () => {
    const errors = { 'tags.1.storage.deadband': 'x', 'tags.12.spanLow': 'y', 'tags.2.name': 'z' };
    expect([0, 1, 2, 12].map((i) => hasStorageError(errors, i))).toEqual([false, true, false, true]);
  });
});
