/**
 * TwinEdge as a source of history older than what the local store keeps. The history query asks it for
 * the part of a range before local data begins; the answer is aggregated per bucket like local rollups.
 */
export interface CloudFill {
  /** Width of each bucket: the chart's, or TwinEdge's interval when that is coarser; null: raw values. */
  bucketMs: number | null;
  /** Bucket starts, epoch ms ascending. */
  ts: number[];
  avg: (number | null)[];
  min: (number | null)[];
  max: (number | null)[];
  /** Status code per point when the source has one (OPC UA history); absent: good where there is a value. */
  quality?: number[];
}

/** Why TwinEdge could not fill (no key, offline, device not linked), in words for the trend's note. */
export interface CloudUnavailable {
  unavailable: string;
}

export interface CloudHistorySource {
  /**
   * Aggregated history of one local tag over [from, to) in buckets of at least bucketMs. `grid` is the local
   * series' bucket origin and its raw-point budget (a source that can may answer raw values when they fit).
   */
  fetch(
    tagId: number,
    from: number,
    to: number,
    bucketMs: number,
    grid?: { origin: number; maxRaw: number },
  ): Promise<CloudFill | CloudUnavailable>;
}
