import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Sample } from '../../main/domain/sample/sample.js';
import { ModbusDeviceInput } from '../../main/domain/device/device-schema.js';
import { RollupService } from '../../main/history/rollups.js';
import { Store } from '../../main/store/store.js';
import type { RollupRow } from '../../main/store/rollups-repo.js';
import { tempDir } from '../helpers/temp-dir.js';

const T0 = Date.UTC(2026, 10, 1);
const BAD = 0x80000000;
const UNCERTAIN = 0x40900000;

/** Small seeded PRNG (mulberry32) so failures reproduce. */
const prng = (seed: number): (() => number) => {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

const shuffle = <T>(xs: T[], rnd: () => number): T[] => {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [xs[i], xs[j]] = [xs[j] as T, xs[i] as T];
  }
  return xs;
};

/** Several tags over ~5 hours: irregular spacing, gaps, bad and uncertain quality, nulls. */
const makeSamples = (rnd: () => number): Sample[] => {
  const out: Sample[] = [];
  for (const tagId of [1, 2, 3]) {
    let ts = T0 + Math.floor(rnd() * 5000);
    while (ts < T0 + 5 * 3_600_000) {
      const r = rnd();
      const quality = r < 0.05 ? BAD : r < 0.1 ? UNCERTAIN : 0;
      const value = rnd() < 0.03 ? null : Math.round((rnd() * 200 - 100) * 1000) / 1000;
      out.push({ tagId, ts, value, quality });
      // A 20-minute gap now and then, else 0.2 to 4 s.
      ts += rnd() < 0.0005 ? 20 * 60_000 : 200 + Math.floor(rnd() * 3800 * tagId);
    }
  }
  return out;
};

/** Rollups recomputed straight from raw rows with SQL GROUP BY: what the incremental ones must equal. */
const expected = (path: string, width: number): RollupRow[] => {
  const db = new Database(path, { readonly: true });
  try {
    const u = '(value IS NOT NULL AND quality < 2147483648)';
    return db
      .prepare(
        `SELECT a.tag_id, a.bucket, a.count, a.bad_count, a.min, a.max, a.sum, a.first_ts,
           (SELECT value FROM samples s WHERE s.tag_id = a.tag_id AND s.ts = a.first_ts) AS first_value, a.last_ts,
           (SELECT value FROM samples s WHERE s.tag_id = a.tag_id AND s.ts = a.last_ts) AS last_value, a.worst_quality
         FROM (SELECT tag_id, (ts / ${width}) * ${width} AS bucket, sum(${u}) AS count,
                 sum(quality >= 2147483648) AS bad_count, min(CASE WHEN ${u} THEN value END) AS min,
                 max(CASE WHEN ${u} THEN value END) AS max, sum(CASE WHEN ${u} THEN value END) AS sum,
                 min(CASE WHEN ${u} THEN ts END) AS first_ts, max(CASE WHEN ${u} THEN ts END) AS last_ts,
                 max(quality) AS worst_quality
               FROM samples GROUP BY tag_id, bucket) AS a ORDER BY a.tag_id, a.bucket`,
      )
      .all() as RollupRow[];
  } finally {
    db.close();
  }
};

const stored = (path: string, table: string): RollupRow[] => {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(`SELECT * FROM ${table} ORDER BY tag_id, bucket`).all() as RollupRow[];
  } finally {
    db.close();
  }
};

const expectSame = (actual: RollupRow[], wanted: RollupRow[]): void => {
  expect(actual.length).toBe(wanted.length);
  actual.forEach((a, i) => {
    const w = wanted[i] as RollupRow;
    const { sum: as, ...aRest } = a;
    const { sum: ws, ...wRest } = w;
    expect(aRest).toEqual(wRest);
    if (ws === null) expect(as).toBeNull();
    else expect(Math.abs((as ?? NaN) - ws)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(ws)));
  });
};

const checkAll = (path: string): void => {
  expectSame(stored(path, 'rollup_1m'), expected(path, 60_000));
  expectSame(stored(path, 'rollup_1h'), expected(path, 3_600_000));
};

describe('rollups', () => {
  let dir: ReturnType<typeof tempDir>;
  afterEach(() => dir.remove());

  it('equal raw aggregation after shuffled, late and duplicate writes', () => {
    dir = tempDir();
    const path = join(dir.path, 's.sqlite');
    const store = Store.open(path);
    const rollups = new RollupService({ rollups: store.rollups, stepSize: 97 });
    const rnd = prng(42);
    const all = makeSamples(rnd);
    // First the data mostly in order in batches, holding back 10% as late arrivals.
    const late: Sample[] = [];
    const onTime: Sample[] = [];
    for (const s of all) (rnd() < 0.1 ? late : onTime).push(s);
    for (let i = 0; i < onTime.length; i += 500) {
      store.writeSamples(shuffle(onTime.slice(i, i + 500), rnd), null);
      if (i % 5000 === 0) rollups.catchUp();
    }
    rollups.catchUp();
    checkAll(path);
    // Late samples into old buckets, shuffled, mixed with duplicates of stored ones (which are ignored).
    const dups = onTime.filter(() => rnd() < 0.05).map((s) => ({ ...s, value: 12345 }));
    const mixed = shuffle([...late, ...dups], rnd);
    for (let i = 0; i < mixed.length; i += 300) store.writeSamples(mixed.slice(i, i + 300), () => {});
    expect(store.rollups.pendingCount()).toBeGreaterThan(0);
    rollups.catchUp();
    expect(store.rollups.pendingCount()).toBe(0);
    expect(store.samples.count()).toBe(all.length);
    checkAll(path);
    expect(stored(path, 'rollup_1m').some((r) => r.max === 12345)).toBe(false);
    store.close();
  });

  it('background pass leaves the minute still filling dirty; catch-up takes it', async () => {
    dir = tempDir();
    const path = join(dir.path, 's.sqlite');
    const store = Store.open(path);
    // Now is 30 s into the third minute after T0: minutes 0 and 1 have ended, minute 2 is still filling.
    const now = T0 + 2 * 60_000 + 30_000;
    const svc = new RollupService({ rollups: store.rollups, now: () => now });
    const samples = Array.from({ length: 150 }, (_, i) => ({ tagId: 3, ts: T0 + i * 1000, value: i, quality: 0 }));
    store.writeSamples(samples, null);
    await svc.runInBackground();
    expect(store.rollups.rows('1m', 3, T0, T0 + 3 * 60_000).map((r) => r.bucket)).toEqual([T0, T0 + 60_000]);
    expect(store.rollups.pendingCount()).toBe(1);
    svc.catchUp();
    expect(store.rollups.pendingCount()).toBe(0);
    store.close();
    checkAll(path);
  });

  it('catch up after a crash between the write and the pass', () => {
    dir = tempDir();
    const path = join(dir.path, 's.sqlite');
    let store = Store.open(path);
    const rnd = prng(7);
    const all = makeSamples(rnd);
    new RollupService({ rollups: store.rollups }).catchUp();
    for (let i = 0; i < all.length; i += 1000) store.writeSamples(all.slice(i, i + 1000), null);
    // "Crash": dirty marks committed with the samples, no pass ran; the file is reopened.
    store.close();
    store = Store.open(path);
    expect(store.rollups.pendingCount()).toBeGreaterThan(0);
    new RollupService({ rollups: store.rollups, stepSize: 500 }).catchUp();
    store.close();
    checkAll(path);
  });

  it('keep rollups of purged raw ranges and ignore late samples there', () => {
    dir = tempDir();
    const path = join(dir.path, 's.sqlite');
    const store = Store.open(path);
    const svc = new RollupService({ rollups: store.rollups });
    const samples = Array.from({ length: 600 }, (_, i) => ({ tagId: 1, ts: T0 + i * 1000, value: i, quality: 0 }));
    store.writeSamples(samples, null);
    svc.catchUp();
    const before = store.rollups.rows('1m', 1, T0, T0 + 3_600_000);
    // Retention deletes the first hour of raw samples, then a late sample lands in it.
    store.transaction(() => {
      store.rollups.setRawPurgedBefore(T0 + 3_600_000);
      store.database.prepare('DELETE FROM samples WHERE ts < ?').run(T0 + 3_600_000);
    });
    store.writeSamples([{ tagId: 1, ts: T0 + 500, value: -1, quality: 0 }], null);
    svc.catchUp();
    expect(store.rollups.rows('1m', 1, T0, T0 + 3_600_000)).toEqual(before);
    expect(store.rollups.rows('1h', 1, T0, T0 + 3_600_000)[0]?.count).toBe(600);
    store.close();
  });

  it('go with their tag when it is deleted', () => {
    dir = tempDir();
    const store = Store.open(join(dir.path, 's.sqlite'));
    const device = store.devices.save(
      ModbusDeviceInput.parse({
        name: 'd',
        protocol: 'modbus',
        settings: { host: '10.0.0.5' },
        tags: [{ name: 't', area: 'holding', address: 0, dataType: 'uint16' }],
      }),
    );
    const tagId = device.tags[0]?.id ?? 0;
    store.writeSamples([{ tagId, ts: T0, value: 1, quality: 0 }], null);
    new RollupService({ rollups: store.rollups }).catchUp();
    expect(store.rollups.rows('1h', tagId, 0, T0 * 2)).toHaveLength(1);
    store.devices.delete(device.id);
    // Removed with the samples, in the background steps of the tag purge.
    while (!store.tagPurge.step(1000).idle);
    expect(store.rollups.rows('1m', tagId, 0, T0 * 2)).toHaveLength(0);
    expect(store.rollups.rows('1h', tagId, 0, T0 * 2)).toHaveLength(0);
    store.close();
  });
});
