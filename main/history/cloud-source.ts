/**
 * TwinEdge as a source of history older than what the local store keeps. The history query asks it for
 * the part of a range before local data begins; the answer is aggregated per bucket like local rollups.
 */
export interface CloudFill {
  /** Width of each bucket: the chart's, or TwinEdge's interval when that is coarser. */
  bucketMs: number;
  /** Bucket starts, epoch ms ascending. */
  ts: number[];
  avg: (number | null)[];
  min: (number | null)[];
  max: (number | null)[];
}

/** Why TwinEdge could not fill (no key, offline, device not linked), in words for the trend's note. */
export interface CloudUnavailable {
  unavailable: string;
}

export interface CloudHistorySource {
  /** Aggregated history of one local tag over [from, to) in buckets of at least bucketMs. */
  fetch(tagId: number, from: number, to: number, bucketMs: number): Promise<CloudFill | CloudUnavailable>;
}
