import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { z } from 'zod';
import type { Sample } from '../../main/domain/sample/sample.js';
import { GAP_QUALITY } from '../../main/domain/history/resolution.js';
import { TrendQuery } from '../../main/domain/history/trend-query.js';
import { type TrendSeries } from '../../main/domain/history/trend-result.js';
import type { CloudHistorySource } from '../../main/history/cloud-source.js';
import { HistoryService, chooseTier } from '../../main/history/history-query.js';
import { RollupService } from '../../main/history/rollups.js';
import { Store } from '../../main/store/store.js';
import { tempDir } from '../helpers/temp-dir.js';

const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const BAD = 0x80000000;

describe('history query', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  let history: HistoryService;
  const query = (q: Partial<z.input<typeof TrendQuery>> & { tagIds: number[]; from: number; to: number }) =>
    history.query(TrendQuery.parse(q));

  beforeEach(() => {
    dir = tempDir();
    store = Store.open(join(dir.path, 's.sqlite'));
    history = new HistoryService({ store, rollups: new RollupService({ rollups: store.rollups }) });
  });
  afterEach(() => {
    store.close();
    dir.remove();
  });

  it('chooses the coarsest tier with at least one bucket per pixel', () => {
    expect(chooseTier(T0, T0 + 365 * DAY, 2000)).toMatchObject({ resolution: '1h', bucketMs: 5 * HOUR });
    expect(chooseTier(T0, T0 + 10 * DAY, 200)).toMatchObject({ resolution: '1h', bucketMs: 2 * HOUR });
    expect(chooseTier(T0, T0 + DAY, 1000)).toMatchObject({ resolution: '1m', bucketMs: 2 * MIN });
    expect(chooseTier(T0, T0 + 1000 * MIN, 1000)).toMatchObject({ resolution: '1m', bucketMs: MIN });
    expect(chooseTier(T0, T0 + HOUR, 1000)).toMatchObject({ resolution: 'raw', bucketMs: 3600 });
    expect(chooseTier(T0 + 30_000, T0 + DAY, 1000).start).toBe(T0);
  });

  it('returns raw points unreduced, bad quality as null and a marker in a hole', async () => {
    const samples: Sample[] = [];
    for (let i = 0; i < 100; i++) {
      if (i >= 40 && i < 60) continue; // 20 s with nothing stored
      samples.push({ tagId: 1, ts: T0 + i * 1000, value: i, quality: i === 10 ? BAD : 0 });
    }
    store.writeSamples(samples, null);
    const r = await query({ tagIds: [1], from: T0, to: T0 + 100_000, pixels: 100 });
    const s = r.series[0] as TrendSeries;
    expect(s).toMatchObject({ resolution: 'raw', bucketMs: null, min: null, max: null, count: null });
    expect(s.ts).toHaveLength(81);
    expect(s.values[10]).toBeNull();
    expect(s.quality[10]).toBe(BAD);
    const gap = s.quality.indexOf(GAP_QUALITY);
    expect(s.ts[gap]).toBe(T0 + 49_500);
    expect(s.values[gap]).toBeNull();
    expect(r.oldestRaw).toBe(T0);
    expect(r.oldestRollup).toBe(T0);
  });

  it('reduces from rollups exactly as aggregating the raw rows of the same buckets', async () => {
    // Two days at 5 s with some bad samples, nulls and a missing hour.
    const samples: Sample[] = [];
    for (let ts = T0 + 1234; ts < T0 + 2 * DAY; ts += 5000) {
      if (ts >= T0 + 30 * HOUR && ts < T0 + 31 * HOUR) continue;
      const i = (ts - T0) / 5000;
      samples.push({
        tagId: 1,
        ts,
        value: i % 97 === 0 ? null : Math.sin(i / 50) * 10 + (i % 7),
        quality: i % 31 === 0 ? BAD : 0,
      });
    }
    for (let i = 0; i < samples.length; i += 2000) store.writeSamples(samples.slice(i, i + 2000), null);
    const from = T0 + 17 * MIN + 5000;
    const to = T0 + 2 * DAY;
    for (const pixels of [500, 30]) {
      const r = await query({ tagIds: [1], from, to, pixels });
      const s = r.series[0] as TrendSeries;
      const choice = chooseTier(from, to, pixels);
      expect(s.resolution).toBe(choice.resolution);
      expect(s.bucketMs).toBe(choice.bucketMs);
      expect(s.ts.length).toBe(Math.ceil((to - choice.start) / choice.bucketMs));
      expect(s.ts.length).toBeLessThanOrEqual(pixels + 1);
      s.ts.forEach((start, k) => {
        const inside = samples.filter((x) => x.ts >= start && x.ts < start + (s.bucketMs ?? 0));
        const usable = inside.filter((x) => x.value !== null && x.quality < BAD).map((x) => x.value as number);
        expect(s.count?.[k]).toBe(usable.length);
        if (inside.length === 0) {
          expect(s.quality[k]).toBe(GAP_QUALITY);
          expect(s.values[k]).toBeNull();
          return;
        }
        expect(s.min?.[k]).toBe(Math.min(...usable));
        expect(s.max?.[k]).toBe(Math.max(...usable));
        const avg = usable.reduce((a, b) => a + b, 0) / usable.length;
        expect(Math.abs((s.values[k] as number) - avg)).toBeLessThan(1e-9 * Math.max(1, Math.abs(avg)));
        expect(s.quality[k]).toBe(inside.some((x) => x.quality === BAD) ? BAD : 0);
      });
      // The missing hour shows as gap markers between present buckets (when buckets are narrower than it).
      if ((s.bucketMs ?? 0) < HOUR) expect(s.quality.filter((q) => q === GAP_QUALITY).length).toBeGreaterThan(0);
    }
  });

  it('catches up the rollups of the queried tags over the queried hours only, and answers from them', async () => {
    // Two tags, a day at 30 s: every minute of both is dirty until a rollup pass.
    const samples: Sample[] = [];
    for (const tagId of [1, 2]) {
      for (let ts = T0; ts < T0 + DAY; ts += 30_000) samples.push({ tagId, ts, value: ts / 1000, quality: 0 });
    }
    for (let i = 0; i < samples.length; i += 5000) store.writeSamples(samples.slice(i, i + 5000), null);
    const dirty = (tagId: number): number =>
      (
        store.database.prepare('SELECT count(*) AS n FROM rollup_dirty WHERE tag_id = ?').get(tagId) as {
          n: number;
        }
      ).n;
    expect([dirty(1), dirty(2)]).toEqual([1440, 1440]);
    const from = T0 + 10 * HOUR + 20 * MIN;
    const to = T0 + 12 * HOUR + 10 * MIN;
    const r = await query({ tagIds: [1], from, to, pixels: 60 });
    const s = r.series[0] as TrendSeries;
    expect(s.resolution).toBe('1m');
    // Hours 10, 11 and 12 of tag 1 were recomputed (180 minutes); the other tag and hours wait for the pass.
    expect([dirty(1), dirty(2)]).toEqual([1440 - 180, 1440]);
    expect(s.count?.reduce((a, b) => (a ?? 0) + (b ?? 0), 0)).toBe(
      samples.filter((x) => x.tagId === 1 && x.ts >= (s.ts[0] ?? 0) && x.ts < to).length,
    );
  });

  it('reduces raw rows when a short range holds more than two per pixel', async () => {
    const samples = Array.from({ length: 5000 }, (_, i) => ({ tagId: 2, ts: T0 + i * 100, value: i % 13, quality: 0 }));
    store.writeSamples(samples, null);
    const r = await query({ tagIds: [2], from: T0, to: T0 + 500_000, pixels: 100 });
    const s = r.series[0] as TrendSeries;
    expect(s).toMatchObject({ resolution: 'raw', bucketMs: 5000 });
    expect(s.ts).toHaveLength(100);
    expect(s.count?.every((c) => c === 50)).toBe(true);
    expect(s.max?.every((m) => m === 12)).toBe(true);
  });

  it('keeps a one-sample spike in a year visible', async () => {
    const samples: Sample[] = [];
    for (let ts = T0; ts < T0 + 365 * DAY; ts += 10 * MIN) samples.push({ tagId: 3, ts, value: 1, quality: 0 });
    const spike = T0 + 200 * DAY + 37 * MIN;
    samples.push({ tagId: 3, ts: spike, value: 999, quality: 0 });
    for (let i = 0; i < samples.length; i += 10_000) store.writeSamples(samples.slice(i, i + 10_000), null);
    const r = await query({ tagIds: [3], from: T0, to: T0 + 365 * DAY, pixels: 2000 });
    const s = r.series[0] as TrendSeries;
    expect(s.resolution).toBe('1h');
    const k = s.max?.indexOf(999) ?? -1;
    expect(k).toBeGreaterThanOrEqual(0);
    expect(spike - (s.ts[k] as number)).toBeLessThan(s.bucketMs ?? 0);
    expect(Math.max(...(s.values as number[]))).toBeLessThan(999);
  });

  it('fills the range before local history from TwinEdge, or says why not', async () => {
    store.writeSamples(
      Array.from({ length: 120 }, (_, i) => ({ tagId: 4, ts: T0 + 10 * DAY + i * MIN, value: 5, quality: 0 })),
      null,
    );
    const asked: number[][] = [];
    const cloud: CloudHistorySource = {
      fetch: (_tag, from, to, bucketMs) => {
        asked.push([from, to, bucketMs]);
        const ts = Array.from({ length: Math.ceil((to - from) / bucketMs) }, (_, i) => from + i * bucketMs);
        return Promise.resolve({ bucketMs, ts, avg: ts.map(() => 2), min: ts.map(() => 1), max: ts.map(() => 3) });
      },
    };
    history = new HistoryService({ store, rollups: new RollupService({ rollups: store.rollups }), cloud });
    const r = await query({ tagIds: [4], from: T0, to: T0 + 11 * DAY, pixels: 264, cloud: true });
    const s = r.series[0] as TrendSeries;
    expect(s.cloudUntil).toBe(T0 + 10 * DAY);
    expect(asked).toEqual([[T0, T0 + 10 * DAY, HOUR]]);
    expect(s.ts.filter((t) => t < T0 + 10 * DAY)).toHaveLength(240);
    expect(s.values[0]).toBe(2);
    expect(s.values[240]).toBe(5);
    expect(s.ts).toEqual([...s.ts].sort((a, b) => a - b));

    // Local data starting mid-bucket: that bucket is local (its source is not TwinEdge), everything before it cloud.
    store.writeSamples(
      Array.from({ length: 90 }, (_, i) => ({
        tagId: 5,
        ts: T0 + 10 * DAY + 30 * MIN + i * MIN,
        value: 6,
        quality: 0,
      })),
      null,
    );
    const mid = (await query({ tagIds: [5], from: T0, to: T0 + 11 * DAY, pixels: 264, cloud: true })).series[0];
    expect(mid?.cloudUntil).toBe(T0 + 10 * DAY);
    mid?.ts.forEach((t, i) =>
      expect(mid.values[i]).toBe(t < T0 + 10 * DAY ? 2 : t < T0 + 10 * DAY + 2 * HOUR ? 6 : null),
    );

    history = new HistoryService({
      store,
      rollups: new RollupService({ rollups: store.rollups }),
      cloud: { fetch: () => Promise.resolve({ unavailable: 'No API key is set.' }) },
    });
    const off = await query({ tagIds: [4], from: T0, to: T0 + 11 * DAY, pixels: 264, cloud: true });
    expect(off.series[0]).toMatchObject({ cloudUntil: null, cloudNote: 'No API key is set.' });
  });
});
