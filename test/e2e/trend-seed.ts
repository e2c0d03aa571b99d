import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { compactAll } from '../../main/store/raw/compactor.js';
import { Store } from '../../main/store/store.js';
import { ModbusDeviceInput } from '../../main/domain/device/device-schema.js';
import type { Sample } from '../../main/domain/sample/sample.js';

/*
 * A data dir seeded before the service starts: one disabled Modbus device (no collector) with trend tags and a
 * known history, and the demo plant switched off, so only these samples are in the store.
 */

export const BAD = 0x80000000;
export const SEED_STEP_MS = 10_000;

export interface TrendSeed {
  deviceName: string;
  tags: { id: number; name: string; unit: string }[];
  /** First and last sample time (epoch ms). */
  start: number;
  end: number;
  /** No samples for any tag in [gapFrom, gapTo). */
  gapFrom: number;
  gapTo: number;
  /** The one sample of tag 0 far above the rest. */
  spikeTs: number;
  spikeValue: number;
}

/** Tag 0 ("Boiler temperature", °C): a slow sine in hundredths; tag 1 ("Steam pressure", bar): a saw tooth. */
export function seedValue(tagIndex: number, i: number): number {
  if (tagIndex === 0) return Math.round((50 + 10 * Math.sin(i / 1000)) * 100) / 100;
  if (tagIndex === 1) return Math.round((5 + (i % 60) / 100) * 100) / 100;
  return Math.round((tagIndex * 10 + 5 * Math.sin(i / 30 + tagIndex)) * 100) / 100;
}

/** Every 1000th sample (offset 500) is stored with Bad quality. */
export const isBad = (i: number): boolean => i % 1000 === 500;

/**
 * 30 days at 10 s for two tags, ending at the last full minute before `now`: a 3-hour gap 3 days ago, Bad samples,
 * one spike on tag 0 ten days ago. Returns where everything is.
 */
export function seedTrendHistory(dataDir: string, now = Date.now()): TrendSeed {
  mkdirSync(dataDir, { recursive: true });
  const store = Store.open(join(dataDir, 'twinedge.sqlite'));
  try {
    store.settings.set('demo.enabled', false);
    const deviceName = 'Boiler house PLC';
    const dev = store.devices.save(
      ModbusDeviceInput.parse({
        name: deviceName,
        protocol: 'modbus',
        enabled: false,
        settings: { host: '127.0.0.1' },
        tags: [
          { name: 'Boiler temperature', unit: '°C', area: 'holding', address: 0, dataType: 'float32' },
          { name: 'Steam pressure', unit: 'bar', area: 'holding', address: 2, dataType: 'float32' },
        ],
      }),
    );
    const tags = dev.tags.map((t) => ({ id: t.id, name: t.name, unit: t.unit }));
    const end = Math.floor(now / 60_000) * 60_000 - 60_000;
    const n = (30 * 86_400_000) / SEED_STEP_MS;
    const start = end - (n - 1) * SEED_STEP_MS;
    const gapFrom = end - 3 * 86_400_000;
    const gapTo = gapFrom + 3 * 3_600_000;
    const spikeIndex = Math.round((end - 10 * 86_400_000 - start) / SEED_STEP_MS) + 3;
    const spikeTs = start + spikeIndex * SEED_STEP_MS;
    const spikeValue = 987.65;
    let batch: Sample[] = [];
    for (let i = 0; i < n; i++) {
      const ts = start + i * SEED_STEP_MS;
      if (ts >= gapFrom && ts < gapTo) continue;
      tags.forEach((t, k) => {
        const value = k === 0 && i === spikeIndex ? spikeValue : seedValue(k, i);
        batch.push({ tagId: t.id, ts, value, quality: isBad(i) ? BAD : 0 });
      });
      if (batch.length >= 20_000) {
        store.writeSamples(batch, null);
        batch = [];
      }
    }
    store.writeSamples(batch, null);
    while (store.rollups.step(50_000) > 0) {
      // The service would do this in the background; done here so the first query finds every rollup.
    }
    // Sealed into compressed blocks as the background compactor would, all but the last day, which stays rows: the
    // trend reads both (the spike, the gap and the Bad samples lie in blocks).
    compactAll(store, end - 86_400_000);
    return { deviceName, tags, start, end, gapFrom, gapTo, spikeTs, spikeValue };
  } finally {
    store.close();
  }
}

/** Index of the sample at `ts` (ts on the 10 s grid). */
export const seedIndex = (seed: TrendSeed, ts: number): number => Math.round((ts - seed.start) / SEED_STEP_MS);
