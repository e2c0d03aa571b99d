import { GAP_QUALITY, type Resolution } from '../domain/history/resolution.js';
import { type TrendSeries } from '../domain/history/trend-result.js';
import type { Db } from '../store/database.js';
import type { RawSamples } from '../store/raw/raw-samples.js';
import type { Store } from '../store/store.js';
import { qualityOf } from '../domain/sample/status-codes.js';

/** Per-bucket aggregates as SQL returns them (k: output bucket index). */
interface BucketAgg {
  k: number;
  cnt: number;
  lo: number | null;
  hi: number | null;
  total: number | null;
  q: number;
}

const rollupSql = (
  table: string,
): string => `SELECT (bucket - CAST(@start AS INTEGER)) / CAST(@w AS INTEGER) AS k, sum(count) AS cnt,
    min(min) AS lo, max(max) AS hi, sum(sum) AS total, max(worst_quality) AS q
  FROM ${table} WHERE tag_id = @tag AND bucket >= @start AND bucket < @end GROUP BY k ORDER BY k`;

const emptySeries = (tagId: number, resolution: Resolution): TrendSeries => ({
  tagId,
  resolution,
  bucketMs: null,
  ts: [],
  values: [],
  min: null,
  max: null,
  quality: [],
  count: null,
  cloudUntil: null,
  cloudBucketMs: null,
  fillSource: null,
  cloudNote: null,
  serverNote: null,
});

/** Raw samples in output buckets, aggregated from the decoded samples (rows and sealed blocks alike). */
const rawBuckets = (raw: RawSamples, tagId: number, start: number, end: number, w: number): BucketAgg[] =>
  raw.buckets(tagId, start, end, w).map(({ k, agg }) => ({
    k,
    cnt: agg.count,
    lo: agg.min,
    hi: agg.max,
    total: agg.sum,
    q: agg.worst,
  }));

const rollupBuckets = (db: Db, table: string, tagId: number, start: number, end: number, w: number): BucketAgg[] =>
  db.prepare(rollupSql(table)).all({ tag: tagId, start, end, w }) as BucketAgg[];

/**
 * Aggregates one tag into fixed buckets of `bucketMs` starting at `start` (aligned to the tier): the raw samples
 * through RawSamples, rollups with SQL GROUP BY over the tier's table. Every bucket is in the answer; one with
 * nothing stored is a gap marker.
 */
export const reducedSeries = (
  store: Store,
  tagId: number,
  resolution: Resolution,
  start: number,
  end: number,
  bucketMs: number,
): TrendSeries => {
  const rows =
    resolution === 'raw'
      ? rawBuckets(store.samples, tagId, start, end, bucketMs)
      : rollupBuckets(store.database, resolution === '1m' ? 'rollup_1m' : 'rollup_1h', tagId, start, end, bucketMs);
  const n = Math.max(1, Math.ceil((end - start) / bucketMs));
  const s = emptySeries(tagId, resolution);
  const min: (number | null)[] = [];
  const max: (number | null)[] = [];
  const count: number[] = [];
  let next = 0;
  for (let k = 0; k < n; k++) {
    const r = rows[next]?.k === k ? rows[next++] : undefined;
    s.ts.push(start + k * bucketMs);
    if (!r) {
      s.values.push(null);
      min.push(null);
      max.push(null);
      count.push(0);
      s.quality.push(GAP_QUALITY);
      continue;
    }
    s.values.push(r.cnt > 0 && r.total !== null ? r.total / r.cnt : null);
    min.push(r.lo);
    max.push(r.hi);
    count.push(r.cnt);
    s.quality.push(r.q);
  }
  return { ...s, bucketMs, min, max, count };
};

/** Raw samples in [from, to], or null when there are more than `limit` (then the caller reduces). */
export const rawPoints = (
  raw: RawSamples,
  tagId: number,
  from: number,
  to: number,
  limit: number,
): TrendSeries | null => {
  const rows = raw.raw(tagId, from, to, limit + 1);
  if (rows.length > limit) return null;
  const s = emptySeries(tagId, 'raw');
  const gapAfter = gapThreshold(rows);
  rows.forEach((r, i) => {
    const prev = rows[i - 1];
    if (prev && r.ts - prev.ts > gapAfter) {
      // Nothing was stored here: a null point keeps the chart from drawing a line across the hole.
      s.ts.push(Math.round((prev.ts + r.ts) / 2));
      s.values.push(null);
      s.quality.push(GAP_QUALITY);
    }
    s.ts.push(r.ts);
    s.values.push(qualityOf(r.quality) === 'bad' ? null : r.value);
    s.quality.push(r.quality);
  });
  return s;
};

/** Spacing beyond five times the median spacing of the series is a gap. */
const gapThreshold = (rows: readonly { ts: number }[]): number => {
  if (rows.length < 3) return Infinity;
  const diffs: number[] = [];
  for (let i = 1; i < rows.length; i++) diffs.push((rows[i] as { ts: number }).ts - (rows[i - 1] as { ts: number }).ts);
  diffs.sort((a, b) => a - b);
  return 5 * (diffs[Math.floor(diffs.length / 2)] as number);
};
