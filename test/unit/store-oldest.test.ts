import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RollupService } from '../../main/history/rollups.js';
import { Store } from '../../main/store/store.js';
import { tempDir } from '../helpers/temp-dir.js';

const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;
const HOUR = 3_600_000;

/** "Oldest data per tag", asked once in the store for the trend queries and retention. */
describe('oldest stored data per tag', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  beforeEach(() => {
    dir = tempDir();
    store = Store.open(join(dir.path, 's.sqlite'));
  });
  afterEach(() => {
    store.close();
    dir.remove();
  });

  /** A rollup row as retention leaves it (raw rows gone), written directly: only its bucket matters here. */
  const rollupRow = (table: 'rollup_1m' | 'rollup_1h', tagId: number, bucket: number): void => {
    store.database
      .prepare(`INSERT INTO ${table} (tag_id, bucket, count, bad_count, worst_quality) VALUES (?, ?, 1, 0, 0)`)
      .run(tagId, bucket);
  };

  it('finds the oldest raw sample over several tags, null for no tags or tags without samples', () => {
    store.writeSamples(
      [
        { tagId: 1, ts: T0 + 5_000, value: 1, quality: 0 },
        { tagId: 1, ts: T0 + 9_000, value: 2, quality: 0 },
        { tagId: 2, ts: T0 + 3_000, value: 3, quality: 0 },
        { tagId: 3, ts: T0 + 1_000, value: null, quality: 0x80000000 },
      ],
      null,
    );
    expect(store.samples.oldest([1])).toBe(T0 + 5_000);
    expect(store.samples.oldest([1, 2])).toBe(T0 + 3_000);
    expect(store.samples.oldest([2, 1, 3])).toBe(T0 + 1_000); // bad samples are stored data too
    expect(store.samples.oldest(new Set([1, 99]))).toBe(T0 + 5_000);
    expect(store.samples.oldest([])).toBeNull();
    expect(store.samples.oldest([99, 100])).toBeNull();
  });

  it('finds the oldest rollup bucket over tags and tiers, null when there is none', () => {
    rollupRow('rollup_1m', 1, T0 + 10 * MIN);
    rollupRow('rollup_1m', 1, T0 + 3 * MIN);
    rollupRow('rollup_1h', 1, T0 + HOUR);
    rollupRow('rollup_1h', 2, T0); // hour rows only for tag 2
    rollupRow('rollup_1m', 3, T0 + 2 * MIN); // minute rows only for tag 3

    expect(store.rollups.oldest([1])).toBe(T0 + 3 * MIN);
    expect(store.rollups.oldest([1, 2])).toBe(T0);
    expect(store.rollups.oldest([1, 3])).toBe(T0 + 2 * MIN);
    expect(store.rollups.oldest([1, 2, 3], ['1m'])).toBe(T0 + 2 * MIN);
    expect(store.rollups.oldest([1, 3], ['1h'])).toBe(T0 + HOUR);
    expect(store.rollups.oldest([3], ['1h'])).toBeNull();
    expect(store.rollups.oldest([])).toBeNull();
    expect(store.rollups.oldest([99])).toBeNull();
    expect(store.rollups.oldest([1], [])).toBeNull();
    // Samples and rollups are separate questions: no raw sample is stored here.
    expect(store.samples.oldest([1, 2, 3])).toBeNull();
  });

  it('agrees with rollups computed from the samples', () => {
    store.writeSamples(
      [
        { tagId: 7, ts: T0 + 90_000, value: 1, quality: 0 },
        { tagId: 8, ts: T0 + HOUR + 30_000, value: 2, quality: 0 },
      ],
      null,
    );
    new RollupService({ rollups: store.rollups }).catchUp();
    expect(store.samples.oldest([7, 8])).toBe(T0 + 90_000);
    expect(store.rollups.oldest([7, 8], ['1m'])).toBe(T0 + MIN);
    expect(store.rollups.oldest([8], ['1h'])).toBe(T0 + HOUR);
    expect(store.rollups.oldest([7, 8])).toBe(T0);
  });
});
