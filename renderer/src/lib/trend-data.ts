/** Trend data assembly: axes per unit, uPlot columns (gaps, min/max bands, TwinEdge part), cursor readouts. Pure. */
import type { AxisSetting } from '../../../main/domain/history/trend-view.js';
import type { PredictionOverlay } from '../../../main/domain/history/prediction-overlay.js';
import type { TrendSeries } from '../../../main/domain/history/trend-result.js';
import { GAP_QUALITY } from '../../../main/domain/history/resolution.js';

/** The subset of a history answer the chart needs; live tails are appended as raw points. */
export type PlotSeries = Pick<
  TrendSeries,
  | 'tagId'
  | 'bucketMs'
  | 'ts'
  | 'values'
  | 'min'
  | 'max'
  | 'quality'
  | 'count'
  | 'cloudUntil'
  | 'cloudBucketMs'
  | 'fillSource'
>;

/** Bucket width at point i: TwinEdge's part has its own (possibly coarser) buckets. */
const widthAt = (s: PlotSeries, i: number): number | null =>
  s.cloudUntil !== null && (s.ts[i] ?? Infinity) < s.cloudUntil ? s.cloudBucketMs : s.bucketMs;

export interface AxisGroup {
  unit: string;
  /** uPlot scale key. */
  scale: string;
  tagIds: number[];
  min: number | null;
  max: number | null;
}

/** One y-axis per engineering unit, in order of first appearance; manual limits from `settings`. */
export function groupAxes(tags: { id: number; unit: string }[], settings: readonly AxisSetting[]): AxisGroup[] {
  const groups: AxisGroup[] = [];
  for (const t of tags) {
    const unit = t.unit.trim();
    let g = groups.find((x) => x.unit === unit);
    if (!g) {
      const s = settings.find((x) => x.unit === unit);
      g = { unit, scale: `u:${unit}`, tagIds: [], min: s?.min ?? null, max: s?.max ?? null };
      groups.push(g);
    }
    g.tagIds.push(t.id);
  }
  return groups;
}

/** Which columns a tag needs: the TwinEdge line when part of it came from TwinEdge, the band when reduced. */
export interface TagLayout {
  cloud: boolean;
  band: boolean;
}
export const fullLayout: TagLayout = { cloud: true, band: true };
export const layoutOf = (s: PlotSeries): TagLayout => ({
  cloud: s.cloudUntil !== null,
  band: s.min !== null && s.max !== null,
});
/** Columns of one tag: its value line, then the TwinEdge line and the min and max columns when present. */
export const colsOf = (l: TagLayout): number => 1 + (l.cloud ? 1 : 0) + (l.band ? 2 : 0);

/** Columns per tag with the full layout: local value, TwinEdge value, bucket min, bucket max. */
export const COLS_PER_TAG = 4;
export const col = {
  local: (k: number): number => 1 + k * COLS_PER_TAG,
  cloud: (k: number): number => 2 + k * COLS_PER_TAG,
  min: (k: number): number => 3 + k * COLS_PER_TAG,
  max: (k: number): number => 4 + k * COLS_PER_TAG,
};

/** y column: null is a gap (drawn as a break); undefined is "this tag has no point at this x" (spanned). */
export type YCol = (number | null | undefined)[];

export interface Assembled {
  /** x in epoch seconds, then COLS_PER_TAG columns per tag. */
  data: [number[], ...YCol[]];
  /** x in epoch ms (the same points), for cursor stepping. */
  xsMs: number[];
}

/** An extra line on its own scale (prediction scores): one column, aligned on the same x. */
export interface ExtraColumn {
  ts: number[];
  values: (number | null | undefined)[];
}

function unionTimes(list: readonly { ts: number[] }[]): number[] {
  if (list.length === 0) return [];
  const first = list[0]!.ts;
  const same = list.every((s) => s.ts.length === first.length && s.ts.every((t, i) => t === first[i]));
  if (same) return first.slice();
  let all: number[] = [];
  for (const s of list) all = all.concat(s.ts);
  all.sort((a, b) => a - b);
  const out: number[] = [];
  for (const t of all) if (out.length === 0 || out[out.length - 1] !== t) out.push(t);
  return out;
}

/**
 * Aligns the tags on one x axis. Per tag: the value line split at cloudUntil (the first local point is
 * repeated on the TwinEdge line so the two join), and the bucket envelope (min/max) when reduced.
 */
export function assemble(
  list: readonly PlotSeries[],
  extras: readonly ExtraColumn[] = [],
  layouts: readonly TagLayout[] = list.map(() => fullLayout),
): Assembled {
  const xsMs = unionTimes([...list, ...extras]);
  const n = xsMs.length;
  const cols: YCol[] = [];
  list.forEach((s, k) => {
    const layout = layouts[k] ?? fullLayout;
    const local: YCol = new Array<number | null | undefined>(n);
    const cloud: YCol = layout.cloud ? new Array<number | null | undefined>(n) : local;
    const lo: YCol = new Array<number | null | undefined>(n);
    const hi: YCol = new Array<number | null | undefined>(n);
    const cu = layout.cloud ? s.cloudUntil : null;
    let j = 0;
    let joined = false;
    for (let i = 0; i < s.ts.length; i++) {
      const t = s.ts[i]!;
      while (j < n && xsMs[j]! < t) j++;
      if (j >= n) break;
      const v = s.values[i] ?? null;
      if (cu !== null && t < cu) cloud[j] = v;
      else {
        local[j] = v;
        if (cu !== null && !joined) {
          cloud[j] = v;
          joined = true;
        }
      }
      if (layout.band && s.min && s.max) {
        lo[j] = s.min[i] ?? null;
        hi[j] = s.max[i] ?? null;
      }
    }
    cols.push(local);
    if (layout.cloud) cols.push(cloud);
    if (layout.band) cols.push(lo, hi);
  });
  for (const e of extras) {
    const c: YCol = new Array<number | null | undefined>(n);
    let j = 0;
    for (let i = 0; i < e.ts.length; i++) {
      while (j < n && xsMs[j]! < e.ts[i]!) j++;
      if (j >= n) break;
      c[j] = e.values[i];
    }
    cols.push(c);
  }
  return { data: [xsMs.map((t) => t / 1000), ...cols], xsMs };
}

/** Append live samples newer than the last point of a history answer (raw points, no envelope). */
export function withLiveTail(
  s: PlotSeries,
  tail: { ts: number[]; values: (number | null)[]; quality: number[] },
): PlotSeries {
  const last = s.ts.length > 0 ? s.ts[s.ts.length - 1]! + (s.bucketMs ?? 1) : -Infinity;
  let a = 0;
  while (a < tail.ts.length && tail.ts[a]! < last) a++;
  if (a >= tail.ts.length) return s;
  const ts = s.ts.concat(tail.ts.slice(a));
  const values = s.values.concat(tail.values.slice(a));
  const quality = s.quality.concat(tail.quality.slice(a));
  const pad = <T>(arr: T[] | null, fill: T | null): (T | null)[] | null =>
    arr ? [...arr, ...Array.from({ length: tail.ts.length - a }, () => fill)] : null;
  return {
    ...s,
    ts,
    values,
    quality,
    min: s.min ? s.min.concat(tail.values.slice(a)) : null,
    max: s.max ? s.max.concat(tail.values.slice(a)) : null,
    count: pad(s.count, 1) as number[] | null,
  };
}

/** Index of the point of `s` under time `t`: the bucket containing it when reduced, else the nearest sample. */
export function pointIndexAt(s: PlotSeries, t: number): number {
  const ts = s.ts;
  if (ts.length === 0) return -1;
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  const before = lo - 1; // last ts <= t
  const width = before >= 0 ? widthAt(s, before) : null;
  if (width !== null && before >= 0 && t < ts[before]! + width) return before;
  if (before < 0) return 0;
  if (before >= ts.length - 1) return before;
  return t - ts[before]! <= ts[before + 1]! - t ? before : before + 1;
}

export interface ReadoutRow {
  tagId: number;
  /** Point time (bucket start when reduced), epoch ms. */
  ts: number;
  value: number | null;
  min: number | null;
  max: number | null;
  count: number | null;
  bucketMs: number | null;
  /** 'Good', 'Uncertain', 'Bad' or 'no data' (a gap marker). */
  quality: string;
  /** Local store, TwinEdge, or the device's own OPC UA server history. */
  source: 'local' | 'TwinEdge' | 'server';
}

export function qualityText(code: number): string {
  if (code >>> 0 === GAP_QUALITY) return 'no data';
  const sev = code >>> 30;
  return sev === 0 ? 'Good' : sev === 1 ? 'Uncertain' : 'Bad';
}

export function readoutAt(s: PlotSeries, t: number): ReadoutRow | null {
  const i = pointIndexAt(s, t);
  if (i < 0) return null;
  const ts = s.ts[i]!;
  return {
    tagId: s.tagId,
    ts,
    value: s.values[i] ?? null,
    min: s.min?.[i] ?? null,
    max: s.max?.[i] ?? null,
    count: s.count?.[i] ?? null,
    bucketMs: widthAt(s, i),
    quality: qualityText(s.quality[i] ?? GAP_QUALITY),
    source: s.cloudUntil !== null && ts < s.cloudUntil ? (s.fillSource === 'server' ? 'server' : 'TwinEdge') : 'local',
  };
}

/** The next (dir 1) or previous (dir -1) x among all points, from time `t`; t itself when there is none. */
export function stepTime(xsMs: readonly number[], t: number, dir: 1 | -1): number {
  if (xsMs.length === 0) return t;
  if (dir > 0) {
    for (const x of xsMs) if (x > t) return x;
    return xsMs[xsMs.length - 1]!;
  }
  for (let i = xsMs.length - 1; i >= 0; i--) if (xsMs[i]! < t) return xsMs[i]!;
  return xsMs[0]!;
}

/** "1-minute min/max/avg buckets" for a reduced answer. */
export function bucketText(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}-day`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}-hour`;
  if (ms % 60_000 === 0) return `${ms / 60_000}-minute`;
  if (ms % 1000 === 0) return `${ms / 1000}-second`;
  return `${ms}-ms`;
}

/** An ML prediction read at the cursor: the latest one at or before it (predictions come every interval). */
export interface PredictionReadoutRow {
  tagId: number;
  modelId: string;
  ts: number;
  score: number;
  anomaly: boolean;
  predicted: number | null;
}

/** The prediction in force at time `t` (the latest at or before it, within `maxAgeMs`), or null. */
export function predictionAt(o: PredictionOverlay, t: number, maxAgeMs = 3_600_000): PredictionReadoutRow | null {
  let hit: PredictionOverlay['points'][number] | null = null;
  for (const p of o.points) {
    if (p.ts > t) break;
    hit = p;
  }
  if (!hit || t - hit.ts > maxAgeMs) return null;
  return {
    tagId: o.tagId,
    modelId: o.modelId,
    ts: hit.ts,
    score: hit.score,
    anomaly: hit.anomaly,
    predicted: hit.predicted,
  };
}
