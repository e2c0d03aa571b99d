/** One benchmark figure, printed as one JSON line by `npm run bench`. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** The physical limit, or a peer measured in the same run. */
  baseline: number;
  /** value / baseline. */
  ratio: number;
}

/** `digits`: decimals kept in value and baseline (whole numbers unless asked). */
export const result = (name: string, value: number, unit: string, baseline: number, digits = 0): BenchResult => ({
  name,
  value: Math.round(value * 10 ** digits) / 10 ** digits,
  unit,
  baseline: Math.round(baseline * 10 ** digits) / 10 ** digits,
  // Three decimals, or three significant digits for ratios far below 1 (so they do not print as 0).
  ratio:
    value / baseline >= 0.01 ? Math.round((value / baseline) * 1000) / 1000 : Number((value / baseline).toPrecision(3)),
});
