import { describe, expect, it } from 'vitest';
import { Prng } from '../../main/domain/prng.js';
import type { Sample } from '../../main/domain/sample/sample.js';
import { RollupService } from '../../main/history/rollups.js';
import type { RollupRow } from '../../main/store/rollups-repo.js';
import type { Store } from '../../main/store/store.js';
import { useTempStore } from '../helpers/temp-store.js';

const T0 = Date.UTC(2026, 9, 5, 7);
const MINUTE = 60_000;
const HOUR = 3_600_000;
const BAD = 0x80000000;
const UNCERTAIN = 0x40900000;

/** Random tags over three hours: full-precision doubles, whole numbers, 0/1, text; bad and uncertain; gaps; nulls. */
const randomSamples = (p: Prng): Sample[] => {
  const out: Sample[] = [];
  for (const tagId of [1, 2, 3, 4]) {
    let ts = T0 + Math.floor(p.range(0, 10_000));
    while (ts < T0 + 3 * HOUR) {
      const r = p.next();
      const quality = r < 0.06 ? BAD : r < 0.12 ? UNCERTAIN : 0;
      if (tagId === 4) out.push({ tagId, ts, value: null, quality, text: `state ${Math.floor(p.range(0, 5))}` });
      else {
        const value =
          p.next() < 0.03
            ? null
            : tagId === 1
              ? p.gauss() * 1e3 + 1e-7 * p.next()
              : tagId === 2
                ? Math.floor(p.range(-(2 ** 40), 2 ** 40))
                : Math.round(p.next());
        out.push({ tagId, ts, value, quality });
      }
      ts += p.next() < 0.001 ? 25 * MINUTE : 1 + Math.floor(p.range(0, 4000 * tagId));
    }
  }
  return out;
};

const shuffle = <T>(xs: T[], p: Prng): T[] => {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(p.next() * (i + 1));
    [xs[i], xs[j]] = [xs[j] as T, xs[i] as T];
  }
  return xs;
};

/** The reference: one bucket's rollup from its raw samples, by the rollups' definition, written out plainly. */
const rollupOf = (tagId: number, bucket: number, xs: readonly Sample[]): RollupRow => {
  const usable = xs.filter((s) => s.value !== null && s.quality < BAD);
  const values = usable.map((s) => s.value as number);
  return {
    tag_id: tagId,
    bucket,
    count: usable.length,
    bad_count: xs.filter((s) => s.quality >= BAD).length,
    min: values.length > 0 ? Math.min(...values) : null,
    max: values.length > 0 ? Math.max(...values) : null,
    sum: values.length > 0 ? values.reduce((a, b) => a + b, 0) : null,
    first_ts: usable[0]?.ts ?? null,
    first_value: usable[0]?.value ?? null,
    last_ts: usable.at(-1)?.ts ?? null,
    last_value: usable.at(-1)?.value ?? null,
    worst_quality: Math.max(...xs.map((s) => s.quality)),
  };
};

/** Rollups of every tag at `width`, aggregated from the raw samples read back through store.samples (RawSamples). */
const reference = (store: Store, tagIds: readonly number[], width: number): RollupRow[] =>
  tagIds.flatMap((tagId) => {
    const raw = store.samples.raw(tagId, T0 - HOUR, T0 + 4 * HOUR);
    const byBucket = new Map<number, Sample[]>();
    for (const s of raw) {
      const b = Math.floor(s.ts / width) * width;
      byBucket.set(b, [...(byBucket.get(b) ?? []), s]);
    }
    return [...byBucket.entries()].sort((a, b) => a[0] - b[0]).map(([b, xs]) => rollupOf(tagId, b, xs));
  });

/** Everything equal but the sum, which may differ in its last bits (SQLite adds with error compensation). */
const expectSame = (actual: readonly RollupRow[], wanted: readonly RollupRow[]): void => {
  expect(actual.length).toBe(wanted.length);
  actual.forEach((a, i) => {
    const { sum: as, ...aRest } = a;
    const { sum: ws, ...wRest } = wanted[i] as RollupRow;
    expect(aRest).toEqual(wRest);
    if (ws === null) expect(as).toBeNull();
    else expect(Math.abs((as ?? NaN) - ws)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(ws)));
  });
};

describe('rollups equal an aggregation of the raw samples read back (property, seeded)', () => {
  const ctx = useTempStore();

  for (const seed of [1, 19, 2026]) {
    it(`seed ${seed}: shuffled batches, late arrivals and duplicates`, () => {
      const { store } = ctx;
      const p = new Prng(seed);
      const all = randomSamples(p);
      const late: Sample[] = [];
      const onTime: Sample[] = [];
      for (const s of all) (p.next() < 0.1 ? late : onTime).push(s);
      const rollups = new RollupService({ rollups: store.rollups, stepSize: 113 });
      for (let i = 0; i < onTime.length; i += 700) store.writeSamples(shuffle(onTime.slice(i, i + 700), p), null);
      rollups.catchUp();
      // Late samples into finished minutes, with resends of stored ones under other values (ignored).
      const dups = onTime.filter(() => p.next() < 0.05).map((s) => ({ ...s, value: 777.5, quality: BAD }));
      const mixed = shuffle([...late, ...dups], p);
      for (let i = 0; i < mixed.length; i += 300) store.writeSamples(mixed.slice(i, i + 300), null);
      rollups.catchUp();

      const tags = [1, 2, 3, 4];
      expect(store.samples.count()).toBe(all.length);
      const rows = (tier: '1m' | '1h'): RollupRow[] =>
        tags.flatMap((t) => store.rollups.rows(tier, t, T0 - HOUR, T0 + 4 * HOUR));
      const minutes = reference(store, tags, MINUTE);
      // Not a vacuous pass: every kind of bucket is there.
      expect(minutes.length).toBeGreaterThan(400);
      expect(minutes.some((r) => r.count === 0 && r.bad_count > 0)).toBe(true);
      expect(minutes.some((r) => r.tag_id === 4 && r.count === 0)).toBe(true);
      expectSame(rows('1m'), minutes);
      expectSame(rows('1h'), reference(store, tags, HOUR));
    });
  }
});
