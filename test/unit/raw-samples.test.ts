import { describe, expect, it } from 'vitest';
import { Prng } from '../../main/domain/prng.js';
import type { Sample } from '../../main/domain/sample/sample.js';
import { RetentionService } from '../../main/history/retention.js';
import { RollupService } from '../../main/history/rollups.js';
import type { Db } from '../../main/store/database.js';
import { RawSamples } from '../../main/store/raw/raw-samples.js';
import { SealedBlocks } from '../../main/store/raw/sealed-blocks.js';
import type { Store } from '../../main/store/store.js';
import { useTempStore } from '../helpers/temp-store.js';

const T0 = Date.UTC(2026, 11, 1);
const BAD = 0x80000000;

/**
 * Sealed blocks held in memory, with the SealedBlocks contract (blocks of one tag never overlap; a block covers
 * [t0, t1]): the codec-backed implementation is another lane's; this stands in for it so the merge with real rows
 * is tested now. Rows come from a real SQLite file.
 */
class MemoryBlocks extends SealedBlocks {
  readonly blocks: { tagId: number; t0: number; t1: number; samples: Sample[] }[] = [];

  constructor(db: Db) {
    super(db);
  }

  seal(samples: readonly Sample[]): void {
    const sorted = [...samples].sort((a, b) => a.ts - b.ts);
    const first = sorted[0] as Sample;
    this.blocks.push({ tagId: first.tagId, t0: first.ts, t1: (sorted.at(-1) as Sample).ts, samples: sorted });
  }

  private all(tagId: number): Sample[] {
    return this.blocks
      .filter((b) => b.tagId === tagId)
      .sort((a, b) => a.t0 - b.t0)
      .flatMap((b) => b.samples);
  }

  override range(tagId: number, from: number, to: number, limit: number): Sample[] {
    return this.all(tagId)
      .filter((s) => s.ts >= from && s.ts <= to)
      .slice(0, limit);
  }

  override rangeDesc(tagId: number, from: number, to: number, limit: number): Sample[] {
    return this.all(tagId)
      .filter((s) => s.ts >= from && s.ts <= to)
      .reverse()
      .slice(0, limit);
  }

  override has(tagId: number, ts: number): boolean {
    return this.all(tagId).some((s) => s.ts === ts);
  }

  override sealedUntil(tagId: number): number | null {
    const ends = this.blocks.filter((b) => b.tagId === tagId).map((b) => b.t1);
    return ends.length > 0 ? Math.max(...ends) : null;
  }

  override oldest(tagId: number): number | null {
    return this.all(tagId)[0]?.ts ?? null;
  }

  override count(): number {
    return this.blocks.reduce((n, b) => n + b.samples.length, 0);
  }

  override deleteBefore(cutoff: number, limit: number): number {
    const gone = this.blocks.filter((b) => b.t1 < cutoff).slice(0, limit);
    for (const b of gone) this.blocks.splice(this.blocks.indexOf(b), 1);
    return gone.reduce((n, b) => n + b.samples.length, 0);
  }

  override deleteTag(tagId: number, limit: number): number {
    const gone = this.blocks.filter((b) => b.tagId === tagId).slice(0, limit);
    for (const b of gone) this.blocks.splice(this.blocks.indexOf(b), 1);
    return gone.reduce((n, b) => n + b.samples.length, 0);
  }
}

/** A tag's day at irregular spacing, some bad, some without a value. */
const day = (tagId: number, p: Prng): Sample[] => {
  const out: Sample[] = [];
  for (let ts = T0; ts < T0 + 86_400_000; ts += 1 + Math.floor(p.range(0, 20_000))) {
    out.push({ tagId, ts, value: p.next() < 0.02 ? null : p.gauss() * 10, quality: p.next() < 0.05 ? BAD : 0 });
  }
  return out;
};

describe('RawSamples: rows and sealed blocks as one, oldest first, each (tag, time) once', () => {
  const ctx = useTempStore();

  /** The first 60 % of each tag's samples sealed into blocks of 500, the rest rows, plus late rows inside blocks. */
  const split = (): { raw: RawSamples; blocks: MemoryBlocks; all: Map<number, Sample[]> } => {
    const db = ctx.store.database;
    const blocks = new MemoryBlocks(db);
    const raw = new RawSamples(db, blocks);
    const p = new Prng(7);
    const all = new Map<number, Sample[]>();
    for (const tag of [1, 2]) {
      const xs = day(tag, p);
      all.set(tag, xs);
      const sealedN = Math.floor(xs.length * 0.6);
      const sealed = xs.slice(0, sealedN).filter((_, i) => i % 50 !== 3); // holes: late arrivals come later
      for (let i = 0; i < sealed.length; i += 500) blocks.seal(sealed.slice(i, i + 500));
      const late = xs.slice(0, sealedN).filter((_, i) => i % 50 === 3);
      ctx.store.transaction(() => raw.insertNew([...xs.slice(sealedN), ...late]));
    }
    return { raw, blocks, all };
  };

  it('reads ranges merged and in order, in chunks, latest and oldest across both', () => {
    const { raw, blocks, all } = split();
    expect(blocks.count()).toBeGreaterThan(0);
    for (const [tag, xs] of all) {
      expect(raw.raw(tag, T0, T0 + 86_400_000)).toEqual(xs);
      const from = T0 + 3_600_000;
      const to = T0 + 20 * 3_600_000;
      const want = xs.filter((s) => s.ts >= from && s.ts <= to);
      expect(raw.raw(tag, from, to, 100)).toEqual(want.slice(0, 100));
      expect(raw.countRange(tag, from, to)).toBe(want.length);
      const walked: Sample[] = [];
      raw.walk(tag, from, to, (c) => walked.push(...c), 333);
      expect(walked).toEqual(want);
      const newest = xs.at(-1) as Sample;
      expect(raw.latest([tag])).toEqual([[tag, newest.ts, newest.value, newest.quality]]);
      expect(raw.oldest([tag])).toBe((xs[0] as Sample).ts);
    }
    expect(raw.count()).toBe([...all.values()].reduce((n, xs) => n + xs.length, 0));
    // A tag whose rows are all late arrivals inside its blocks: its newest sample is in a block.
    blocks.seal([3, 5, 9].map((k) => ({ tagId: 3, ts: T0 + k * 1000, value: k, quality: 0 })));
    ctx.store.transaction(() => raw.insertNew([{ tagId: 3, ts: T0 + 4000, value: 4, quality: 0 }]));
    expect(raw.latest([3])).toEqual([[3, T0 + 9000, 9, 0]]);
    expect(raw.raw(3, T0, T0 + 10_000).map((s) => s.value)).toEqual([3, 4, 5, 9]);
  });

  it('does not store again a sample a block already holds, and stores a late one into a hole', () => {
    const { raw, blocks, all } = split();
    const xs = all.get(1) as Sample[];
    const inBlock = blocks.blocks[0]?.samples[10] as Sample;
    const fresh = { tagId: 1, ts: inBlock.ts + 1, value: 1, quality: 0 };
    expect(xs.some((s) => s.ts === fresh.ts)).toBe(false);
    const stored = ctx.store.transaction(() => raw.insertNew([{ ...inBlock, value: 999 }, fresh]));
    expect(stored).toEqual([fresh]);
    expect(raw.raw(1, inBlock.ts, inBlock.ts + 1)).toEqual([inBlock, fresh]);
  });

  it('reduces to min and max per bucket and aggregates buckets over both', () => {
    const { raw, all } = split();
    const xs = all.get(2) as Sample[];
    const h = raw.history(2, T0, T0 + 86_400_000 - 1, 200);
    expect(h.reduced).toBe(true);
    const values = xs.flatMap((s) => (s.value === null ? [] : [s.value]));
    expect(Math.max(...(h.values as number[]))).toBe(Math.max(...values));
    expect(Math.min(...(h.values as number[]))).toBe(Math.min(...values));
    const hours = raw.buckets(2, T0, T0 + 86_400_000, 3_600_000);
    expect(hours.map((b) => b.k)).toEqual(Array.from({ length: 24 }, (_, k) => k));
    expect(hours.reduce((n, b) => n + b.agg.n, 0)).toBe(xs.length);
    const usable = xs.filter((s) => s.value !== null && s.quality < BAD);
    expect(hours.reduce((n, b) => n + b.agg.count, 0)).toBe(usable.length);
  });

  it('deletes by age (rows per tag, whole blocks) and a purged tag entirely, in bounded steps', () => {
    const { raw, blocks, all } = split();
    const cutoff = T0 + 12 * 3_600_000;
    let deleted = 0;
    for (const tag of raw.tagIds()) {
      for (let more = true; more;) {
        const step = raw.deleteRowsStep(tag, cutoff, 100);
        expect(step.deleted).toBeLessThanOrEqual(100);
        deleted += step.deleted;
        more = step.more;
      }
    }
    for (let n = raw.deleteBlocksStep(cutoff, 2); n > 0; n = raw.deleteBlocksStep(cutoff, 2)) deleted += n;
    // What is left before the cutoff is only in blocks reaching past it.
    const left = raw.raw(1, T0, cutoff - 1);
    expect(left.every((s) => blocks.blocks.some((b) => b.tagId === 1 && b.t1 >= cutoff && s.ts >= b.t0))).toBe(true);
    const total = [...all.values()].reduce((n, xs) => n + xs.length, 0);
    expect(raw.count()).toBe(total - deleted);
    for (let step = raw.purgeTagStep(2, 400); !step.done; step = raw.purgeTagStep(2, 400)) {
      expect(step.deleted).toBeGreaterThan(0);
    }
    expect(raw.raw(2, T0, T0 + 86_400_000)).toEqual([]);
    expect(raw.tagIds()).toEqual([1]);
  });

  it('retention over the size cap gets past a sealed block that reaches beyond the oldest day', async () => {
    const db = ctx.store.database;
    const blocks = new MemoryBlocks(db);
    const raw = new RawSamples(db, blocks);
    // The store as the app has it, its raw samples read through these blocks.
    const store = Object.create(ctx.store, { samples: { value: raw } }) as Store;
    const now = T0 + 10 * 86_400_000;
    // Three days in one block (the oldest data), then rows.
    blocks.seal(Array.from({ length: 72 }, (_, h) => ({ tagId: 1, ts: T0 + h * 3_600_000, value: h, quality: 0 })));
    const rows = Array.from({ length: 48 }, (_, h) => ({
      tagId: 1,
      ts: T0 + 5 * 86_400_000 + h * 3_600_000,
      value: h,
      quality: 0,
    }));
    store.transaction(() => raw.insertNew(rows));
    // A cap nothing fits under: everything raw goes, oldest first.
    store.settings.set('retention', { rawDays: 3650, rollupDays: 3650, maxBytes: 1, alarmEventDays: 365 });
    const rollups = new RollupService({ rollups: store.rollups });
    const run = await new RetentionService({ store, rollups, now: () => now }).run();
    expect(run.capReached).toBe(true);
    expect(run.deletedSamples).toBe(72 + 48);
    expect(raw.count()).toBe(0);
  });
});
