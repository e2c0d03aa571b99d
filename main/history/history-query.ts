import type { z } from 'zod';
import { GAP_QUALITY, resolutionMs, type Resolution } from '../domain/history/resolution.js';
import { type HistoryFillSource, type TrendResult, type TrendSeries } from '../domain/history/trend-result.js';
import { type TrendQuery } from '../domain/history/trend-query.js';
import type { Store } from '../store/store.js';
import type { CloudFill, CloudHistorySource } from './cloud-source.js';
import type { RollupService } from './rollups.js';
import { rawPoints, reducedSeries } from './series-reduce.js';
import { errorMessage } from '../domain/errors/app-error.js';

export type TrendQueryInput = z.output<typeof TrendQuery>;

export interface HistoryServiceOptions {
  store: Store;
  rollups: RollupService;
  /** Writes samples still held in memory, so the newest ones are in the answer. */
  flush?: () => void;
  /** TwinEdge, for the part of a range older than local history. */
  cloud?: CloudHistorySource;
  /** The device's own OPC UA server (HistoryRead), for the same part; asked before TwinEdge. */
  server?: CloudHistorySource;
}

/** The tier and bucket width that answer a range at a chart width. */
export interface TierChoice {
  resolution: Resolution;
  /** Start of the first output bucket: `from` aligned down to the tier's bucket. */
  start: number;
  bucketMs: number;
}

/**
 * The coarsest tier whose buckets are no wider than a pixel, and the output bucket width: a whole number
 * of tier buckets (so rollups aggregate exactly) and at least a pixel wide (so at most ~pixels buckets).
 */
export const chooseTier = (from: number, to: number, pixels: number): TierChoice => {
  const target = (to - from) / pixels;
  const resolution: Resolution = target >= resolutionMs['1h'] ? '1h' : target >= resolutionMs['1m'] ? '1m' : 'raw';
  const tierMs = Math.max(1, resolutionMs[resolution]);
  const bucketMs = Math.max(1, Math.ceil(target / tierMs)) * tierMs;
  return { resolution, start: Math.floor(from / tierMs) * tierMs, bucketMs };
};

/**
 * History of tags over a range, reduced to what a chart of `pixels` can show, gaps never hidden. Raw points
 * cover [from, to]; reduced buckets cover [start, to) with start = `from` aligned down to the tier's bucket.
 */
export class HistoryService {
  constructor(private readonly options: HistoryServiceOptions) {}

  async query(q: TrendQueryInput): Promise<TrendResult> {
    const { store } = this.options;
    this.options.flush?.();
    // Only what this answer reads: its tags over its range (the background pass keeps the others).
    this.options.rollups.catchUpTags(q.tagIds, q.from, q.to);
    const choice = chooseTier(q.from, q.to, q.pixels);
    const series: TrendSeries[] = [];
    for (const tagId of q.tagIds) {
      let s = choice.resolution === 'raw' ? rawPoints(store.samples, tagId, q.from, q.to, q.pixels * 2) : null;
      s ??= reducedSeries(store, tagId, choice.resolution, choice.start, q.to, choice.bucketMs);
      const { server, cloud } = this.options;
      if (q.server && server) s = await this.fillFrom(server, 'server', s, q.from, q.to, choice.bucketMs, q.pixels);
      if (q.cloud && cloud && s.fillSource === null) {
        s = await this.fillFrom(cloud, 'twinedge', s, q.from, q.to, choice.bucketMs, q.pixels);
      }
      series.push(s);
    }
    const oldest = this.oldest(q.tagIds);
    return { from: q.from, to: q.to, series, oldestRaw: oldest.raw, oldestRollup: oldest.rollup };
  }

  /** Oldest raw sample and oldest rollup bucket over these tags (null when none). */
  oldest(tagIds: readonly number[]): { raw: number | null; rollup: number | null } {
    const { samples, rollups } = this.options.store;
    return { raw: samples.oldest(tagIds), rollup: rollups.oldest(tagIds) };
  }

  /** Prepends a source's buckets (or raw values) for the part of the range before the tag's oldest local data. */
  private async fillFrom(
    source: CloudHistorySource,
    name: HistoryFillSource,
    s: TrendSeries,
    from: number,
    to: number,
    bucketMs: number,
    pixels: number,
  ): Promise<TrendSeries> {
    const o = this.oldest([s.tagId]);
    const until = Math.min(localStart(o.raw, o.rollup) ?? to, to);
    if (from >= until) return s;
    const note = name === 'server' ? 'serverNote' : 'cloudNote';
    const what = name === 'server' ? "The device server's history" : 'TwinEdge history';
    let fill: Awaited<ReturnType<CloudHistorySource['fetch']>>;
    try {
      // Raw values only where the local part is raw too (same budget as rawPoints); else the chart's buckets.
      const grid = {
        origin: s.bucketMs !== null ? (s.ts[0] ?? from) : from,
        maxRaw: s.bucketMs === null ? pixels * 2 : 0,
      };
      fill = await source.fetch(s.tagId, from, until, s.bucketMs ?? bucketMs, grid);
    } catch (err) {
      return { ...s, [note]: `${what} could not be read: ${errorMessage(err)}` };
    }
    if ('unavailable' in fill) return { ...s, [note]: fill.unavailable };
    return { ...prepend(s, fill, until), fillSource: name };
  }
}

/**
 * Where local data begins: the oldest raw sample, or the oldest rollup bucket when it ends before that (raw
 * samples aged out). A bucket's start alone is up to an hour before its first sample: not where data begins.
 */
const localStart = (raw: number | null, rollup: number | null): number | null =>
  raw === null ? rollup : rollup !== null && rollup + resolutionMs['1h'] <= raw ? rollup : raw;

/** Cloud buckets before `until` replace the (empty) local buckets they precede. */
const prepend = (s: TrendSeries, fill: CloudFill, until: number): TrendSeries => {
  const width = s.bucketMs ?? 0;
  // Local points kept: those whose bucket reaches local data; earlier ones are empty by definition.
  const keepFrom = s.ts.findIndex((t) => (width > 0 ? t + width > until : t >= until));
  const keep = keepFrom === -1 ? s.ts.length : keepFrom;
  const cut = s.ts[keep] ?? until;
  const idx = fill.ts.flatMap((t, i) => (t < cut ? [i] : []));
  const pick = <T>(xs: readonly T[]): T[] => idx.map((i) => xs[i] as T);
  const avg = pick(fill.avg);
  // A raw local part has no envelope; bucketed fill keeps its own (min/max of each bucket), none for the raw points.
  const envelope = (local: (number | null)[] | null, filled: (number | null)[]): (number | null)[] | null =>
    local
      ? [...filled, ...local.slice(keep)]
      : fill.bucketMs !== null
        ? [...filled, ...s.ts.slice(keep).map(() => null)]
        : null;
  return {
    ...s,
    ts: [...pick(fill.ts), ...s.ts.slice(keep)],
    values: [...avg, ...s.values.slice(keep)],
    min: envelope(s.min, pick(fill.min)),
    max: envelope(s.max, pick(fill.max)),
    // TwinEdge does not say how many samples a bucket held, nor their quality: good when it has a value.
    quality: [
      ...(fill.quality ? pick(fill.quality) : avg.map((v) => (v === null ? GAP_QUALITY : 0))),
      ...s.quality.slice(keep),
    ],
    count: s.count ? [...idx.map(() => 0), ...s.count.slice(keep)] : null,
    cloudBucketMs: fill.bucketMs,
    // Where the local points begin: a local bucket straddling the start of local data is local, not TwinEdge.
    cloudUntil: cut,
  };
};
