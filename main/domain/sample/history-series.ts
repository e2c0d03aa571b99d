// One tag's stored samples over a range, as columns.

export interface HistorySeries {
  tagId: number;
  /** Epoch ms, ascending. */
  ts: number[];
  values: (number | null)[];
  quality: number[];
  /** True when the range held more rows than maxPoints and was reduced (min/max per bucket). */
  reduced: boolean;
}
