import { describe, expect, it } from 'vitest';
import type { Sample } from '../../main/domain/sample/sample.js';
import { compactAll } from '../../main/store/raw/compactor.js';
import { MAX_BLOCK_SAMPLES, SealedBlocks } from '../../main/store/raw/sealed-blocks.js';
import { useTempStore } from '../helpers/temp-store.js';

const T0 = Date.UTC(2026, 5, 1);
const HOUR = 3_600_000;

describe('sealed blocks', () => {
  const ctx = useTempStore();

  /** Tag 1 every 10 s for three hours, sealed as three hour blocks (the day is not finished: no merge). */
  const seed = (): Sample[] => {
    const samples = Array.from({ length: 1080 }, (_, i) => ({ tagId: 1, ts: T0 + i * 10_000, value: i, quality: 0 }));
    ctx.store.writeSamples(samples, null);
    while (ctx.store.rollups.step(10_000) > 0);
    compactAll(ctx.store, T0 + 3 * HOUR);
    return samples;
  };

  it('answers ranges across block boundaries, oldest or newest first, within the limit', () => {
    const samples = seed();
    const blocks = ctx.store.blocks;
    expect(blocks.count()).toBe(1080);
    const ts = (list: Sample[]): number[] => list.map((s) => s.ts);
    const from = T0 + HOUR - 25_000;
    const to = T0 + 2 * HOUR + 25_000;
    const inRange = samples.filter((s) => s.ts >= from && s.ts <= to);
    expect(ts(blocks.range(1, from, to, 10_000))).toEqual(ts(inRange));
    expect(ts(blocks.range(1, from, to, 5))).toEqual(ts(inRange.slice(0, 5)));
    expect(ts(blocks.rangeDesc(1, from, to, 10_000))).toEqual(ts(inRange).reverse());
    expect(ts(blocks.rangeDesc(1, from, to, 3))).toEqual(ts(inRange).reverse().slice(0, 3));
    expect(blocks.range(1, T0 + 5, T0 + 9_999, 10)).toEqual([]);
    expect(blocks.range(2, T0, T0 + HOUR, 10)).toEqual([]);
    expect(blocks.oldest(1)).toBe(T0);
    expect(blocks.sealedUntil(1)).toBe(T0 + 1079 * 10_000);
    expect(blocks.sealedUntil(2)).toBeNull();
  });

  it('finds sealed samples by exact time, also through another instance on the same connection', () => {
    seed();
    const other = new SealedBlocks(ctx.store.database);
    expect(other.has(1, T0 + HOUR)).toBe(true);
    expect(other.has(1, T0 + HOUR + 1)).toBe(false);
    expect(other.has(1, T0 + 4 * HOUR)).toBe(false);
    // A block written later is seen by the other instance's duplicate check.
    ctx.store.writeSamples([{ tagId: 1, ts: T0 + 3 * HOUR + 5, value: 1, quality: 0 }], null);
    while (ctx.store.rollups.step(10_000) > 0);
    compactAll(ctx.store, T0 + 4 * HOUR);
    expect(other.has(1, T0 + 3 * HOUR + 5)).toBe(true);
  });

  it('deletes whole blocks that end before a cutoff, a bounded number per call', () => {
    seed();
    const blocks = ctx.store.blocks;
    expect(blocks.deleteBefore(T0 + 2 * HOUR + 1, 1)).toBe(360);
    expect(blocks.oldest(1)).toBe(T0 + HOUR);
    // The second hour's block ends at 2 h - 10 s: it goes; the third straddles the cutoff and stays.
    expect(blocks.deleteBefore(T0 + 2 * HOUR + 1, 10)).toBe(360);
    expect(blocks.count()).toBe(360);
    expect(blocks.deleteTag(1, 10)).toBe(360);
    expect(blocks.sealedUntil(1)).toBeNull();
  });

  it("cuts a fast tag's finished day into blocks of at most MAX_BLOCK_SAMPLES, and merges it no further", () => {
    const store = ctx.store;
    const n = 172_800; // 500 ms for a day
    const day = Array.from({ length: n }, (_, i) => ({ tagId: 3, ts: T0 + i * 500, value: i % 4096, quality: 0 }));
    for (let i = 0; i < n; i += 10_000) store.writeSamples(day.slice(i, i + 10_000), null);
    const first = compactAll(store, T0 + 86_400_000);
    expect(first.rows).toBe(n);
    expect(first.merged).toBe(1);
    const spans = store.database.prepare('SELECT n FROM sample_blocks WHERE tag_id = 3 ORDER BY t0').all() as {
      n: number;
    }[];
    expect(spans.map((s) => s.n)).toEqual([MAX_BLOCK_SAMPLES, n - MAX_BLOCK_SAMPLES]);
    expect(compactAll(store, T0 + 86_400_000).merged).toBe(0);
    const back = store.blocks.range(3, T0, T0 + 86_400_000, n + 1);
    expect(back.map((s) => [s.ts, s.value])).toEqual(day.map((s) => [s.ts, s.value]));
  });
});
