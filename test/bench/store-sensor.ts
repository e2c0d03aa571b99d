import { join } from 'node:path';
import type { Sample } from '../../main/domain/sample/sample.js';
import { Prng } from '../../main/domain/prng.js';
import {
  defaultStoragePolicy,
  resolvePolicy,
  StoragePolicy,
  type ResolvedPolicy,
} from '../../main/domain/storage/storage-policy.js';
import { compactAll } from '../../main/store/raw/compactor.js';
import { Store } from '../../main/store/store.js';
import { tempDir } from '../helpers/temp-dir.js';
import { result, type BenchResult } from './result.js';

/** The storage filter's bench entry (main/domain/storage/storage-filter.ts, written by the policy work). */
type FilterSamples = (policy: ResolvedPolicy, samples: readonly Sample[], options?: { discrete?: boolean }) => Sample[];

const T0 = Date.UTC(2026, 10, 2);
const DAY_S = 86_400;
/** The reference plant: 5,000 tags at 1 s, half analog transmitters, half digital signals, a 10 GiB store cap. */
const PLANT_TAGS = 5000;
const CAP_BYTES = 10 * 2 ** 30;
/** Tags simulated (a sample of the plant, the same mix); the day's bytes are extrapolated to PLANT_TAGS. */
const ANALOG = 20;
const DIGITAL = 20;
const SPAN = { spanLow: 0, spanHigh: 250 };

/**
 * An analog transmitter's day at 1 s: a slow process value (drift, a daily swing, steps) read by a 12-bit ADC
 * (0..4095 over the span) with a few counts of noise, scaled to the span and sent as float32.
 */
const analogDay = (tagId: number, rnd: Prng): Sample[] => {
  const out: Sample[] = [];
  let level = 0.3 + 0.4 * rnd.next();
  const phase = rnd.next() * Math.PI * 2;
  const counts = 4095;
  for (let i = 0; i < DAY_S; i++) {
    if (rnd.next() < 1 / 7200) level = Math.min(0.9, Math.max(0.1, level + (rnd.next() - 0.5) * 0.2));
    level += (rnd.next() - 0.5) * 1e-4;
    const v = level + 0.05 * Math.sin(phase + (2 * Math.PI * i) / DAY_S);
    const noise = Math.round((rnd.next() + rnd.next() + rnd.next() - 1.5) * 3);
    const raw = Math.min(counts, Math.max(0, Math.round(v * counts) + noise));
    const value = Math.fround(SPAN.spanLow + (raw * (SPAN.spanHigh - SPAN.spanLow)) / counts);
    out.push({ tagId, ts: T0 + i * 1000, value, quality: 0 });
  }
  return out;
};

/** A digital signal's day at 1 s: 0/1, changing a few times an hour. */
const digitalDay = (tagId: number, rnd: Prng): Sample[] => {
  const out: Sample[] = [];
  let v = rnd.next() < 0.5 ? 0 : 1;
  const perHour = 1 + rnd.next() * 5;
  for (let i = 0; i < DAY_S; i++) {
    if (rnd.next() < perHour / 3600) v = 1 - v;
    out.push({ tagId, ts: T0 + i * 1000, value: v, quality: 0 });
  }
  return out;
};

/** Bytes of raw storage (rows and sealed blocks, pages as dbstat counts them) after storing and compacting. */
const storedBytes = (dir: string, name: string, perTag: Sample[][]): { bytes: number; stored: number } => {
  const store = Store.open(join(dir, `${name}.sqlite`));
  try {
    for (const samples of perTag) {
      for (let i = 0; i < samples.length; i += 5000) store.writeSamples(samples.slice(i, i + 5000), null);
    }
    compactAll(store, T0 + DAY_S * 1000 + 1);
    const db = store.database;
    db.pragma('wal_checkpoint(TRUNCATE)');
    const rows = db.prepare("SELECT name, sum(pgsize) AS b FROM dbstat('main', 1) GROUP BY name").all() as {
      name: string;
      b: number;
    }[];
    const of = (n: string): number => rows.find((r) => r.name === n)?.b ?? 0;
    const blob = db.prepare('SELECT coalesce(sum(length(data)), 0) AS b FROM sample_blocks').get() as { b: number };
    const bytes = of('samples') + of('sample_blocks');
    // Container overhead: pages (keys, overflow-page slack, free space in leaves) beyond the encoded bytes.
    console.error(
      `  ${name}: ${(bytes / 1e3).toFixed(1)} kB in pages for ${(blob.b / 1e3).toFixed(1)} kB of block data ` +
        `(${((bytes / Math.max(1, blob.b) - 1) * 100).toFixed(1)} % overhead)`,
    );
    return { bytes, stored: store.samples.count() };
  } finally {
    store.close();
  }
};

const loadFilter = async (): Promise<FilterSamples | null> => {
  // Imported by name at run time: the storage filter may not be on this branch yet (then the figures are skipped).
  const specifier = '../../main/domain/storage/storage-filter.js';
  try {
    const mod = (await import(specifier)) as { filterSamples?: FilterSamples };
    return mod.filterSamples ?? null;
  } catch {
    return null;
  }
};

/**
 * store.bytes_per_sample.sensor: bytes per collected sample of the sensor mix stored with the default policy (on
 * change, lossless). store.reference_plant_days(.deviation): days of raw data the 10 GiB cap holds for the
 * reference plant, lossless and with a 0.25 %-of-span swinging-door deviation, from one simulated day of
 * ANALOG + DIGITAL tags extrapolated linearly to 5,000 tags of the same mix (raw pages only; rollups not counted).
 */
export const benchStoreSensor = async (): Promise<BenchResult[]> => {
  const filterSamples = await loadFilter();
  if (!filterSamples) {
    console.error(
      'store.bytes_per_sample.sensor: main/domain/storage/storage-filter.ts (filterSamples) missing: skipped',
    );
    return [];
  }
  const rnd = new Prng(1912);
  const analog = Array.from({ length: ANALOG }, (_, i) => analogDay(1 + i, rnd));
  const digital = Array.from({ length: DIGITAL }, (_, i) => digitalDay(1 + ANALOG + i, rnd));
  const collected = (ANALOG + DIGITAL) * DAY_S;
  const policy = (p: StoragePolicy): ResolvedPolicy => {
    const r = resolvePolicy(p, SPAN);
    if (typeof r === 'string') throw new Error(r);
    return r;
  };
  const lossless = policy(defaultStoragePolicy);
  const deviation = policy(StoragePolicy.parse({ mode: 'change', band: 'percent', compression: 0.25 }));
  const filtered = (p: ResolvedPolicy, which: 'analog' | 'digital' | 'both'): Sample[][] => [
    ...(which === 'digital' ? [] : analog.map((s) => filterSamples(p, s))),
    ...(which === 'analog' ? [] : digital.map((s) => filterSamples(p, s, { discrete: true }))),
  ];
  const dir = tempDir('twinedge-bench-');
  try {
    // Lossless, analog and digital tags in separate files (each class's container overhead shows apart).
    const la = storedBytes(dir.path, 'lossless analog', filtered(lossless, 'analog'));
    const ld = storedBytes(dir.path, 'lossless digital', filtered(lossless, 'digital'));
    const a = { bytes: la.bytes + ld.bytes, stored: la.stored + ld.stored };
    const b = storedBytes(dir.path, 'deviation', filtered(deviation, 'both'));
    const days = (bytes: number): number => CAP_BYTES / ((bytes / (ANALOG + DIGITAL)) * PLANT_TAGS);
    console.error(
      `store sensor mix (${ANALOG} analog 12-bit float32 + ${DIGITAL} digital, one day at 1 s): ` +
        `lossless ${a.stored} of ${collected} samples stored, ${(a.bytes / 1e6).toFixed(2)} MB; ` +
        `0.25 % deviation ${b.stored} stored, ${(b.bytes / 1e6).toFixed(2)} MB`,
    );
    return [
      result('store.bytes_per_sample.sensor', a.bytes / collected, 'bytes per collected sample', 3, 3),
      result(
        'store.reference_plant_days',
        days(a.bytes),
        'days (5000 tags 1 s, 10 GiB, lossless, from 40 tags)',
        14,
        1,
      ),
      result(
        'store.reference_plant_days.deviation',
        days(b.bytes),
        'days (5000 tags 1 s, 10 GiB, 0.25 % span deviation, from 40 tags)',
        90,
        1,
      ),
    ];
  } finally {
    dir.remove();
  }
};
