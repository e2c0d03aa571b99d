import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeviceInput, ModbusDeviceInput } from '../../main/domain/device/device-schema.js';
import { useTempStore } from '../helpers/temp-store.js';

const modbus = (name: string, tags: number) =>
  ModbusDeviceInput.parse({
    name,
    protocol: 'modbus',
    settings: { host: '127.0.0.1' },
    tags: Array.from({ length: tags }, (_, i) => ({ name: `T${i}`, area: 'holding', address: i, dataType: 'uint16' })),
  });

/** devices.list() is read on every uploader state change: parsed once, until something changes. */
describe('devices list cache', () => {
  const t = useTempStore();
  afterEach(() => vi.restoreAllMocks());

  it('parses once for many reads, and every change is seen at once', () => {
    const a = t.store.devices.save(modbus('Boiler', 50));
    t.store.devices.save(modbus('Chiller', 5));
    t.reopen(); // nothing parsed yet
    const parse = vi.spyOn(DeviceInput, 'parse');

    for (let i = 0; i < 100; i++) t.store.devices.list();
    for (let i = 0; i < 100; i++) t.store.devices.get(a.id);
    // One parse per device for 200 reads (before the cache: 100 x 2 for the lists, 100 for the gets).
    expect(parse).toHaveBeenCalledTimes(2);

    // A save: seen by the very next read.
    t.store.devices.save({ ...modbus('Boiler', 51), id: a.id });
    expect(t.store.devices.get(a.id)?.tags.map((x) => x.name)).toContain('T50');
    expect(t.store.devices.list().find((d) => d.id === a.id)?.tags).toHaveLength(51);

    // A delete: gone from the next read.
    t.store.devices.delete(a.id);
    expect(t.store.devices.list().map((d) => d.config.name)).toEqual(['Chiller']);
    expect(t.store.devices.get(a.id)).toBeUndefined();
  });

  it('a change rolled back with its transaction is not kept, and cached objects cannot be changed', () => {
    const a = t.store.devices.save(modbus('Boiler', 3));
    expect(t.store.devices.list()).toHaveLength(1);
    expect(() =>
      t.store.transaction(() => {
        t.store.devices.save(modbus('Rolled back', 1));
        expect(t.store.devices.list()).toHaveLength(2);
        throw new Error('rollback');
      }),
    ).toThrow('rollback');
    expect(t.store.devices.list().map((d) => d.config.name)).toEqual(['Boiler']);
    const cached = t.store.devices.get(a.id)!;
    expect(() => {
      (cached.config as { name: string }).name = 'changed';
    }).toThrow(TypeError);
    expect(t.store.devices.get(a.id)?.config.name).toBe('Boiler');
  });
});
