/** What a history answer tells the user beside the chart: reduction, no data, fill sources and their notes. Pure. */
import type { HistoryFillSource, TrendResult } from '../../../main/domain/history/trend-result';

/** The bucket width of a reduced answer, null when it is raw. */
export const bucketMsOf = (shown: TrendResult | null): number | null =>
  shown?.series.find((s) => s.bucketMs !== null)?.bucketMs ?? null;

/** A fixed range with no value at all (while following, data is about to come). */
export const hasNoData = (shown: TrendResult | null, follow: boolean): boolean =>
  shown !== null && shown.series.every((s) => s.values.every((v) => v === null)) && !follow;

/** TwinEdge's notes on the answer, each once. */
export const cloudNotesOf = (shown: TrendResult | null): string[] => [
  ...new Set(shown?.series.map((s) => s.cloudNote).filter((n) => n !== null) ?? []),
];

/** The device server history's notes on the answer, each once. */
export const serverNotesOf = (shown: TrendResult | null): string[] => [
  ...new Set(shown?.series.map((s) => s.serverNote).filter((n) => n !== null) ?? []),
];

/** Which sources filled older data in (drawn dashed). */
export const fillsOf = (shown: TrendResult | null): HistoryFillSource[] => [
  ...new Set(shown?.series.flatMap((s) => (s.cloudUntil !== null && s.fillSource ? [s.fillSource] : [])) ?? []),
];
