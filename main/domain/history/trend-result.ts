import type { Resolution } from './resolution.js';

// What a trend query answers: each tag's points over the range, from the tier that fills the pixels.

/** One tag's history over a range. */
export interface TrendSeries {
  tagId: number;
  /** The store tier that answered: the coarsest one with at least one bucket per pixel. */
  resolution: Resolution;
  /** Width of each output bucket in ms when reduced (min/max/avg per bucket); null: one point per raw sample. */
  bucketMs: number | null;
  /** Epoch ms, ascending: sample time, or bucket start when reduced. */
  ts: number[];
  /**
   * The sample's value, or the bucket's average of usable (good or uncertain) samples. Null is a gap: a
   * bad-quality sample, a bucket with no usable sample, or a marker inserted where nothing was stored.
   */
  values: (number | null)[];
  /** Envelope per bucket when reduced (so spikes survive zooming out); null when not reduced. */
  min: (number | null)[] | null;
  max: (number | null)[] | null;
  /** Status code per point: the sample's, or the worst in the bucket; GAP_QUALITY for gap markers. */
  quality: number[];
  /** Samples aggregated per bucket when reduced; null when not reduced. */
  count: number[] | null;
  /**
   * Points with ts < cloudUntil are older history not from the local store: from TwinEdge (GET /telemetry,
   * aggregated) or from the device's own OPC UA server (HistoryRead); `fillSource` says which. Null when none are.
   */
  cloudUntil: number | null;
  /** Width of those buckets (TwinEdge's interval when coarser than the chart's); null when none or raw values. */
  cloudBucketMs: number | null;
  /** Where the points before cloudUntil come from; null when none do. */
  fillSource: HistoryFillSource | null;
  /** Why older data could not be filled from TwinEdge (offline, no key, device not linked); null otherwise. */
  cloudNote: string | null;
  /** Why older data could not be filled from the device's server (not connected, no HistoryRead access); null otherwise. */
  serverNote: string | null;
}

/** Sources of history older than the local store: TwinEdge, or the OPC UA server's own history. */
export type HistoryFillSource = 'twinedge' | 'server';

export interface TrendResult {
  from: number;
  to: number;
  series: TrendSeries[];
  /** Oldest raw sample and oldest rollup still stored (over the asked tags); null when none. */
  oldestRaw: number | null;
  oldestRollup: number | null;
}
