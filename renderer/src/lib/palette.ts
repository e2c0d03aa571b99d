/** Distinguishable line colours on a light background (32 tags max on one chart; colours repeat after 16). */
export const palette = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#7f7f7f',
  '#bcbd22',
  '#004c6d',
  '#a50026',
  '#006d2c',
  '#b35806',
  '#542788',
  '#01665e',
];

export function colorFor(index: number): string {
  return palette[index % palette.length]!;
}
