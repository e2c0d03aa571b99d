import { describe, expect, it } from 'vitest';
import type { Sample } from '../../main/domain/sample/sample.js';
import { seededRandom } from '../../main/domain/prng.js';
import type { Store } from '../../main/store/store.js';
import { compactAll, Compactor, type CompactionRun } from '../../main/store/raw/compactor.js';
import { useTempStore } from '../helpers/temp-store.js';

const T0 = Date.UTC(2026, 2, 1);
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Samples still held as rows (store.samples counts rows and blocks together). */
const rowCount = (store: Store): number =>
  (store.database.prepare('SELECT count(*) AS n FROM samples').get() as { n: number }).n;

/** A tag's samples held as rows, oldest first (store.samples.raw merges rows and blocks). */
const rowsOf = (store: Store, tagId: number): Sample[] =>
  (
    store.database.prepare('SELECT ts, value, quality, text FROM samples WHERE tag_id = ? ORDER BY ts').all(tagId) as {
      ts: number;
      value: number | null;
      quality: number;
      text: string | null;
    }[]
  ).map((r) => ({ tagId, ts: r.ts, value: r.value, quality: r.quality, ...(r.text === null ? {} : { text: r.text }) }));

/** Every sample of a tag, from blocks and rows, checking none is in both. */
const readAll = (store: Store, tagId: number): Sample[] => {
  const sealed = store.blocks.range(tagId, -1e15, 1e15, 1e9);
  const rows = rowsOf(store, tagId);
  const inBlocks = new Set(sealed.map((s) => s.ts));
  for (const r of rows) expect(inBlocks.has(r.ts), `tag ${tagId} ts ${r.ts} both sealed and a row`).toBe(false);
  return [...sealed, ...rows].sort((a, b) => a.ts - b.ts);
};

const blockSpans = (store: Store): { tag_id: number; t0: number; t1: number; n: number }[] =>
  store.database.prepare('SELECT tag_id, t0, t1, n FROM sample_blocks ORDER BY tag_id, t0').all() as {
    tag_id: number;
    t0: number;
    t1: number;
    n: number;
  }[];

describe('compactor', () => {
  const ctx = useTempStore();

  it('keeps every first-stored sample exactly once through late, out-of-order and duplicate arrivals', () => {
    const store = ctx.store;
    const rnd = seededRandom(19);
    const expected = new Map<number, Map<number, Sample>>();
    const remember = (s: Sample): void => {
      const tag = expected.get(s.tagId) ?? new Map<number, Sample>();
      expected.set(s.tagId, tag);
      // The store keeps the first sample stored at a time; later ones with the same time are duplicates.
      if (!tag.has(s.ts)) tag.set(s.ts, s);
    };
    const sent: Sample[] = [];
    const make = (tagId: number, ts: number): Sample => {
      const r = rnd();
      if (tagId === 3) return { tagId, ts, value: null, quality: 0, text: r < 0.5 ? 'AUTO' : 'MANUAL' };
      if (r < 0.05) return { tagId, ts, value: null, quality: 0x80000000 };
      if (tagId === 2) return { tagId, ts, value: r < 0.5 ? 0 : 1, quality: 0 };
      return { tagId, ts, value: Math.fround(20 + rnd() * 5), quality: r < 0.1 ? 0x40000000 : 0 };
    };
    // Three simulated days of three tags at ~10 s with gaps, written in 10-minute batches; the compactor runs
    // every simulated 2 hours over everything older than an hour.
    for (let t = T0; t < T0 + 3 * DAY; t += 600_000) {
      const batch: Sample[] = [];
      for (let k = 0; k < 60; k++) {
        const ts = t + k * 10_000 + Math.floor(rnd() * 3);
        if (Math.floor(ts / 1_800_000) % 7 === 3) continue; // a gap of half an hour every 3.5 hours
        for (const tag of [1, 2, 3]) batch.push(make(tag, ts));
      }
      // Late arrivals (backfill into sealed hours), and resends of samples already stored.
      for (let k = 0; k < 5 && sent.length > 0; k++) {
        const old = sent[Math.floor(rnd() * sent.length)]!;
        batch.push(rnd() < 0.5 ? { ...old, value: -1 } : make(old.tagId, old.ts - 1 - Math.floor(rnd() * 5000)));
      }
      batch.sort(() => rnd() - 0.5); // out of order within a batch
      store.writeSamples(batch, null);
      for (const s of batch) {
        remember(s);
        sent.push(s);
      }
      if ((t - T0) % (2 * HOUR) === 0) compactAll(store, t - HOUR);
    }
    const run = compactAll(store, T0 + 3 * DAY);
    expect(run.rows).toBeGreaterThan(0);
    expect(rowCount(store)).toBe(0);
    let total = 0;
    for (const [tagId, want] of expected) {
      const got = readAll(store, tagId);
      const wantList = [...want.values()].sort((a, b) => a.ts - b.ts);
      // One comparison of whole lists (value as stored: a text sample has none).
      const shape = (s: Sample): unknown[] => [s.ts, s.text === undefined ? s.value : null, s.quality, s.text ?? null];
      expect(got.map(shape)).toEqual(wantList.map(shape));
      total += got.length;
    }
    expect(store.blocks.count()).toBe(total);
    // Blocks never overlap, and every finished day of a tag is one block.
    const spans = blockSpans(store);
    for (let i = 1; i < spans.length; i++) {
      const a = spans[i - 1]!;
      const b = spans[i]!;
      if (a.tag_id === b.tag_id) expect(b.t0).toBeGreaterThan(a.t1);
    }
    const perDay = new Set(spans.map((s) => `${s.tag_id}:${Math.floor(s.t0 / DAY)}`));
    expect(perDay.size).toBe(spans.length);
  });

  it('refuses a duplicate of a sealed sample and keeps the sealed one', () => {
    const store = ctx.store;
    store.writeSamples([{ tagId: 5, ts: T0, value: 1, quality: 0 }], null);
    compactAll(store, T0 + HOUR);
    expect(store.blocks.has(5, T0)).toBe(true);
    store.writeSamples(
      [
        { tagId: 5, ts: T0, value: 2, quality: 0 },
        { tagId: 5, ts: T0 + 1, value: 3, quality: 0 },
      ],
      null,
    );
    expect(rowCount(store)).toBe(1);
    expect(readAll(store, 5).map((s) => s.value)).toEqual([1, 3]);
  });

  it('converts an existing store in the background, logging start and end once, while inserts go on', async () => {
    const store = ctx.store;
    const batch: Sample[] = [];
    for (let i = 0; i < 2 * 86_400; i += 5) batch.push({ tagId: 9, ts: T0 + i * 1000, value: i % 97, quality: 0 });
    store.writeSamples(batch, null);
    // The app's rollup pass has computed these minutes (the compactor leaves minutes still dirty as rows).
    while (store.rollups.step(10_000) > 0);
    const events: [string, CompactionRun][] = [];
    const compactor = new Compactor({
      store,
      now: () => T0 + 3 * DAY,
      stepRows: 2000,
      onConversion: (kind, run) => events.push([kind, { ...run }]),
    });
    const pass = compactor.kick();
    // An insert between steps is not blocked by the conversion.
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    store.writeSamples([{ tagId: 10, ts: T0 + 3 * DAY, value: 1, quality: 0 }], null);
    const run = await pass;
    expect(events.map((e) => e[0])).toEqual(['started', 'ended']);
    expect(run.rows).toBe(batch.length);
    expect(run.steps).toBeGreaterThan(24);
    expect(readAll(store, 9)).toHaveLength(batch.length);
    expect(blockSpans(store).filter((s) => s.tag_id === 9)).toHaveLength(2);
    expect(rowCount(store)).toBe(1);
    await compactor.stop();
  });

  it('runs its passes on its own once started, and stops', async () => {
    const store = ctx.store;
    store.writeSamples([{ tagId: 8, ts: T0, value: 1, quality: 0 }], null);
    while (store.rollups.step(10_000) > 0);
    const compactor = new Compactor({ store, now: () => T0 + DAY, startDelayMs: 0, intervalMs: 10 });
    compactor.start();
    for (let i = 0; i < 200 && rowCount(store) > 0; i++) await new Promise((r) => setTimeout(r, 10));
    await compactor.stop();
    expect(rowCount(store)).toBe(0);
    expect(store.blocks.has(8, T0)).toBe(true);
  });

  it('removes the sealed blocks of a deleted tag with its rows', () => {
    const store = ctx.store;
    const batch: Sample[] = [];
    for (let d = 0; d < 40; d++) batch.push({ tagId: 4, ts: T0 + d * DAY, value: d, quality: 0 });
    batch.push({ tagId: 6, ts: T0, value: 1, quality: 0 });
    store.writeSamples(batch, null);
    compactAll(store, T0 + 41 * DAY);
    expect(blockSpans(store)).toHaveLength(41);
    store.tagPurge.enqueue([4]);
    // Steps are bounded by samples: 40 one-sample blocks at 10 a step take several.
    let steps = 0;
    while (!store.tagPurge.step(10).idle) steps++;
    expect(steps).toBeGreaterThan(1);
    expect(blockSpans(store).map((s) => s.tag_id)).toEqual([6]);
    expect(store.blocks.sealedUntil(4)).toBeNull();
    expect(store.blocks.deleteBefore(T0 + 1, 10)).toBe(1);
    expect(store.blocks.count()).toBe(0);
  });
});
