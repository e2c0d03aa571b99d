import { describe, expect, it } from 'vitest';
import { storageFilters } from '../../main/app/storage-filters.js';
import { CollectorManager } from '../../main/collect/collector-manager.js';
import type { CollectorEvents } from '../../main/collect/types.js';
import { DeviceInput, type DeviceConfigInput } from '../../main/domain/device/device-schema.js';
import type { Sample } from '../../main/domain/sample/sample.js';
import type { StoredDevice } from '../../main/store/devices-repo.js';

/** A device as the store hands it out: parsed, tags numbered from `firstTag`. */
const stored = (input: DeviceConfigInput, id = 1, firstTag = 1): StoredDevice => {
  const config = { ...DeviceInput.parse(input), id };
  return {
    id,
    config,
    tags: config.tags.map((t, i) => ({ id: firstTag + i, deviceId: id, name: t.name, unit: '', address: '' })),
  };
};

type ModbusInput = Extract<DeviceConfigInput, { protocol: 'modbus' }>;

const press = (storage: ModbusInput['settings']['storage']): ModbusInput => ({
  name: 'press 1',
  protocol: 'modbus',
  settings: { host: '127.0.0.1', port: 502, unitId: 1, storage },
  tags: [
    { name: 'pressure', area: 'holding', address: 0, dataType: 'uint16', storage: { mode: 'change', deadband: 5 } },
    { name: 'running', area: 'coil', address: 0, dataType: 'bool' },
  ],
});

const s = (tagId: number, ts: number, value: number): Sample => ({ tagId, ts, value, quality: 0 });

describe('storage filters of the app', () => {
  it("applies each tag's effective policy; a device's stop flushes its held points, its start sets the new policy", () => {
    const flushed: Sample[][] = [];
    const f = storageFilters(
      (held) => flushed.push(held),
      () => {},
    );
    const device = stored(press({ mode: 'change', deadband: 10, maxIntervalS: 600 }));
    f.lifecycle.starting?.(device);
    // pressure: its own deadband 5; running: a bool, every change stored whatever the device's deadband of 10.
    expect(f.filter([s(1, 1000, 100), s(1, 2000, 103), s(1, 3000, 106), s(2, 1000, 0), s(2, 2000, 1)])).toEqual([
      s(1, 1000, 100),
      s(1, 2000, 103),
      s(1, 3000, 106),
      s(2, 1000, 0),
      s(2, 2000, 1),
    ]);
    expect(f.filter([s(1, 4000, 107), s(2, 3000, 1)])).toEqual([]);
    f.lifecycle.stopped?.(1);
    expect(flushed).toEqual([[s(1, 4000, 107), s(2, 3000, 1)]]);
    // Edited to store every sample: from its restart on, nothing is held.
    f.lifecycle.starting?.(stored({ ...press({ mode: 'every' }), tags: press({ mode: 'every' }).tags.slice(1) }));
    expect(f.filter([s(2, 4000, 1), s(2, 5000, 1)])).toEqual([s(2, 4000, 1), s(2, 5000, 1)]);
    expect(f.flush()).toEqual([]);
  });

  it('a policy that cannot be resolved stores every sample, and says so', () => {
    const warnings: string[] = [];
    const f = storageFilters(
      () => {},
      (line) => warnings.push(line),
    );
    const device = stored(press({ mode: 'change' }));
    // A percent deadband without a span: refused on save, so only a damaged stored config has it.
    const damaged: StoredDevice = {
      ...device,
      config: {
        ...device.config,
        tags: device.config.tags.map((t) => ({ ...t, storage: { ...t.storage!, band: 'percent' as const } })),
      } as StoredDevice['config'],
    };
    f.lifecycle.starting?.(damaged);
    expect(f.filter([s(1, 1000, 5), s(1, 2000, 5)])).toHaveLength(2);
    expect(warnings).toEqual([
      `Device "press 1", tag "pressure": a percent deadband or deviation needs the tag's span (low below high); every sample is stored.`,
    ]);
  });

  it('the collector manager flushes after the old collector handed over its last samples, then starts the new one', async () => {
    const order: string[] = [];
    let filters = storageFilters(
      (held) => order.push(`stored held ${held.map((h) => h.ts).join(',')}`),
      () => {},
    );
    const manager = new CollectorManager(
      (_device, events: CollectorEvents) => ({
        start: () => {
          order.push('start');
          events.onSamples([s(1, 1000, 1), s(1, 2000, 1)]);
        },
        stop: () => {
          // A collector hands over what it buffered as it stops.
          events.onSamples([s(1, 3000, 1)]);
          return Promise.resolve();
        },
      }),
      (batch) =>
        order.push(
          `kept ${filters
            .filter(batch)
            .map((k) => k.ts)
            .join(',')}`,
        ),
      () => {},
      () => {},
      {
        stopped: (id) => {
          order.push('stopped');
          filters.lifecycle.stopped?.(id);
        },
        starting: (d) => {
          order.push('starting');
          filters.lifecycle.starting?.(d);
        },
      },
    );
    filters = storageFilters(
      (held) => order.push(`stored held ${held.map((h) => h.ts).join(',')}`),
      () => {},
    );
    await manager.apply(stored(press({ mode: 'change' })));
    await manager.apply(stored(press({ mode: 'change' })));
    await manager.stopAll(1000);
    expect(order).toEqual([
      'starting',
      'start',
      'kept 1000',
      'kept ', // 3000 is held: the same value
      'stopped',
      'stored held 3000',
      'starting',
      'start',
      'kept 1000', // a new filter: its first sample is stored
      'kept ',
      'stopped',
      'stored held 3000',
    ]);
  });
});
