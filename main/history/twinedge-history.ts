import type { TelemetryRowAnswer as TelemetryRow } from '../sync/api/answers.js';
import type { Aggregation, Interval } from '../sync/api/model.js';
import { errorText } from '../sync/client/api-error.js';
import { listAll } from '../sync/client/pages.js';
import type { TwinEdgeCloudApi } from '../sync/client/client-api.js';
import type { TagTarget } from '../sync/points.js';
import type { CloudFill, CloudHistorySource, CloudUnavailable } from './cloud-source.js';

/** What the history source needs from sync: where a tag uploads to, and a client while a key is set. */
export interface CloudHistoryDeps {
  target(tagId: number): TagTarget | null;
  /** Throws with a plain-language message when there is no key. */
  client(): TwinEdgeCloudApi;
  now(): number;
}

const intervalMs: Record<Interval, number> = { '1m': 60_000, '5m': 300_000, '1h': 3_600_000, '1d': 86_400_000 };
const intervalOrder: Interval[] = ['1m', '5m', '1h', '1d'];
/** Rows per aggregation at most: pages of 100 cost one request each, and the key's budget is shared with uploads. */
const MAX_ROWS = 400;
const PER_PAGE = 100;
const CACHE_ENTRIES = 200;
/** Old cloud history rarely changes; refetching it on every pan would spend the request budget. */
const CACHE_TTL_MS = 10 * 60_000;

type Envelope = Record<'avg' | 'min' | 'max', Map<number, number | null>>;

/**
 * History older than the local store, from TwinEdge's aggregated `GET /telemetry`: avg, min and max per
 * interval, regrouped into the chart's buckets (see chooseInterval); results are cached.
 */
export class TwinEdgeHistory implements CloudHistorySource {
  private readonly cache = new Map<string, { at: number; rows: Envelope }>();
  /** Requests made, for tests and the budget. */
  requests = 0;

  constructor(private readonly d: CloudHistoryDeps) {}

  async fetch(tagId: number, from: number, to: number, bucketMs: number): Promise<CloudFill | CloudUnavailable> {
    const target = this.d.target(tagId);
    if (!target) return { unavailable: 'Older data is not in TwinEdge: this device is not registered there.' };
    let client: TwinEdgeCloudApi;
    try {
      client = this.d.client();
    } catch (err) {
      return { unavailable: `Older data cannot be fetched from TwinEdge: ${errorText(err)}` };
    }
    const interval = chooseInterval(to - from, bucketMs);
    const size = intervalMs[interval];
    const start = Math.floor(from / size) * size;
    const end = Math.ceil(to / size) * size;
    let rows: Envelope;
    try {
      rows = await this.envelope(client, target, interval, start, end);
    } catch (err) {
      return { unavailable: `Older data could not be fetched from TwinEdge: ${errorText(err)}` };
    }
    return regroup(rows, from, to, bucketMs, size);
  }

  private async envelope(
    client: TwinEdgeCloudApi,
    target: TagTarget,
    interval: Interval,
    start: number,
    end: number,
  ): Promise<Envelope> {
    const key = `${target.assetId}\u0000${target.tagName}\u0000${interval}\u0000${start}\u0000${end}`;
    const hit = this.cache.get(key);
    if (hit && this.d.now() - hit.at < CACHE_TTL_MS) return hit.rows;
    const one = async (aggregation: Aggregation): Promise<Map<number, number | null>> => {
      const rows = await listAll<TelemetryRow>(
        (page) => {
          this.requests++;
          return client.queryTelemetry({
            asset_id: target.assetId,
            tag_name: target.tagName,
            start: new Date(start).toISOString(),
            end: new Date(end).toISOString(),
            aggregation,
            interval,
            page,
            per_page: PER_PAGE,
          });
        },
        { maxPages: Math.ceil((MAX_ROWS * 2) / PER_PAGE) },
      );
      const out = new Map<number, number | null>();
      for (const r of rows) out.set(Date.parse(r.timestamp), typeof r.value === 'number' ? r.value : null);
      return out;
    };
    // One aggregation after the other: three requests at once would crowd out uploads.
    const rows: Envelope = { avg: await one('avg'), min: await one('min'), max: await one('max') };
    if (this.cache.size >= CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, { at: this.d.now(), rows });
    return rows;
  }
}

/**
 * The coarsest TwinEdge interval no wider than a chart bucket (so every bucket gets data), made coarser
 * only when the answer would exceed MAX_ROWS.
 */
export function chooseInterval(spanMs: number, bucketMs: number): Interval {
  const start = Math.max(
    0,
    intervalOrder.findLastIndex((i) => intervalMs[i] <= bucketMs),
  );
  for (const i of intervalOrder.slice(start)) if (spanMs / intervalMs[i] <= MAX_ROWS) return i;
  return '1d';
}

/**
 * TwinEdge intervals as chart buckets. An interval as wide as a chart bucket or wider is a bucket of its own, at
 * its own time (regrouping it onto the chart's grid would show a day's data up to a day off). Finer intervals are
 * merged into buckets of a whole number of intervals: min of minima, max of maxima, mean of averages (unweighted:
 * TwinEdge gives no per-interval count without another request per page).
 */
function regroup(rows: Envelope, from: number, to: number, bucketMs: number, size: number): CloudFill {
  const width = Math.max(1, Math.ceil(bucketMs / size)) * size;
  const origin = Math.floor(from / size) * size;
  const out: CloudFill = { bucketMs: width, ts: [], avg: [], min: [], max: [] };
  const buckets = new Map<number, { sum: number; n: number; min: number | null; max: number | null }>();
  for (const [t, avg] of rows.avg) {
    if (t + size <= from || t >= to) continue;
    const b = origin + Math.floor((t - origin) / width) * width;
    const acc = buckets.get(b) ?? { sum: 0, n: 0, min: null, max: null };
    if (avg !== null) {
      acc.sum += avg;
      acc.n++;
    }
    const lo = rows.min.get(t) ?? null;
    const hi = rows.max.get(t) ?? null;
    if (lo !== null) acc.min = acc.min === null ? lo : Math.min(acc.min, lo);
    if (hi !== null) acc.max = acc.max === null ? hi : Math.max(acc.max, hi);
    buckets.set(b, acc);
  }
  for (const b of [...buckets.keys()].sort((x, y) => x - y)) {
    const acc = buckets.get(b);
    if (!acc) continue;
    out.ts.push(b);
    out.avg.push(acc.n > 0 ? acc.sum / acc.n : null);
    out.min.push(acc.min);
    out.max.push(acc.max);
  }
  return out;
}
