import { GAP_QUALITY, type Resolution } from '../domain/history/resolution.js';
import { type TrendSeries } from '../domain/history/trend-result.js';
import type { Db } from '../store/database.js';
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

interface RawRow {
  ts: number;
  value: number | null;
  quality: number;
}

// Parameters arrive as doubles: the casts keep the bucket index an integer division.
// Usable: a value and a quality whose severity bit (bit 31: bad) is clear; same rule as the rollups.
const USABLE = '(value IS NOT NULL AND (quality & 2147483648) = 0)';

const rawSql = `SELECT (ts - CAST(@start AS INTEGER)) / CAST(@w AS INTEGER) AS k, coalesce(sum(${USABLE}), 0) AS cnt,
    min(CASE WHEN ${USABLE} THEN value END) AS lo, max(CASE WHEN ${USABLE} THEN value END) AS hi,
    sum(CASE WHEN ${USABLE} THEN value END) AS total, max(quality) AS q
  FROM samples WHERE tag_id = @tag AND ts >= @start AND ts < @end GROUP BY k ORDER BY k`;

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

/**
 * Aggregates one tag into fixed buckets of `bucketMs` starting at `start` (aligned to the tier) with SQL
 * GROUP BY over the tier's table: every bucket is in the answer; one with no stored row is a gap marker.
 */
export const reducedSeries = (
  db: Db,
  tagId: number,
  resolution: Resolution,
  start: number,
  end: number,
  bucketMs: number,
): TrendSeries => {
  const sql = resolution === 'raw' ? rawSql : rollupSql(resolution === '1m' ? 'rollup_1m' : 'rollup_1h');
  const rows = db.prepare(sql).all({ tag: tagId, start, end, w: bucketMs }) as BucketAgg[];
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

/** Raw rows in [from, to], or null when there are more than `limit` (then the caller reduces). */
export const rawPoints = (db: Db, tagId: number, from: number, to: number, limit: number): TrendSeries | null => {
  const rows = db
    .prepare('SELECT ts, value, quality FROM samples WHERE tag_id = ? AND ts >= ? AND ts <= ? ORDER BY ts LIMIT ?')
    .all(tagId, from, to, limit + 1) as RawRow[];
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
const gapThreshold = (rows: readonly RawRow[]): number => {
  if (rows.length < 3) return Infinity;
  const diffs: number[] = [];
  for (let i = 1; i < rows.length; i++) diffs.push((rows[i] as RawRow).ts - (rows[i - 1] as RawRow).ts);
  diffs.sort((a, b) => a - b);
  return 5 * (diffs[Math.floor(diffs.length / 2)] as number);
};
