import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../main/store/store.js';
import { ModbusDeviceInput } from '../../main/domain/device/device-schema.js';

/*
 * A data dir for the live values view with the demo plant off: a disabled Modbus device whose last values are in the
 * store (a number, a text, an uncertain one), and an enabled one on a loopback port where nothing listens (down,
 * with the collector's reason).
 */

export const UNCERTAIN_LAST_USABLE = 0x40900000;

export interface LiveSeed {
  stored: { device: string; ts: number; tags: { name: string; unit: string }[] };
  down: { device: string; tags: string[] };
}

export function seedLiveValues(dataDir: string, ts: number): LiveSeed {
  mkdirSync(dataDir, { recursive: true });
  const store = Store.open(join(dataDir, 'twinedge.sqlite'));
  try {
    store.settings.set('demo.enabled', false);
    const stored = store.devices.save(
      ModbusDeviceInput.parse({
        name: 'Boiler house PLC',
        protocol: 'modbus',
        enabled: false,
        settings: { host: '127.0.0.1' },
        tags: [
          { name: 'Boiler temperature', unit: '°C', area: 'holding', address: 0, dataType: 'float32' },
          { name: 'Batch name', unit: '', area: 'holding', address: 2, dataType: 'string', length: 8 },
          { name: 'Steam pressure', unit: 'bar', area: 'holding', address: 10, dataType: 'float32' },
        ],
      }),
    );
    const [temp, batch, steam] = stored.tags;
    if (!temp || !batch || !steam) throw new Error('seed: tags not saved');
    store.writeSamples(
      [
        { tagId: temp.id, ts, value: 81.25, quality: 0 },
        { tagId: batch.id, ts, value: null, quality: 0, text: 'LOT-2291' },
        { tagId: steam.id, ts, value: 6.5, quality: UNCERTAIN_LAST_USABLE },
      ],
      null,
    );
    store.devices.save(
      ModbusDeviceInput.parse({
        name: 'Chiller PLC',
        protocol: 'modbus',
        enabled: true,
        // Port 9 (discard): nothing listens on loopback, so every connect is refused.
        settings: { host: '127.0.0.1', port: 9, pollIntervalMs: 1000, timeoutMs: 500 },
        tags: [
          { name: 'Chilled water supply', unit: '°C', area: 'holding', address: 0, dataType: 'float32' },
          { name: 'Chilled water return', unit: '°C', area: 'holding', address: 2, dataType: 'float32' },
        ],
      }),
    );
    return {
      stored: { device: 'Boiler house PLC', ts, tags: stored.tags.map((t) => ({ name: t.name, unit: t.unit })) },
      down: { device: 'Chiller PLC', tags: ['Chilled water supply', 'Chilled water return'] },
    };
  } finally {
    store.close();
  }
}
