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

export const result = (name: string, value: number, unit: string, baseline: number): BenchResult => ({
  name,
  value: Math.round(value),
  unit,
  baseline: Math.round(baseline),
  ratio: Math.round((value / baseline) * 1000) / 1000,
});
