import type { DashboardAnswer as Dashboard } from '../sync/api/answers.js';
import type { DashboardBody } from '../sync/api/model.js';
import type { TagTarget } from '../sync/points.js';
import type { AxisSetting, TrendRange } from '../domain/history/trend-view.js';

/** A local tag as the mapping needs it. */
export interface TagRef {
  id: number;
  name: string;
  unit: string;
  deviceName: string;
}

/** A view's content as it goes to or comes from TwinEdge. */
export interface ViewShape {
  name: string;
  tagIds: number[];
  axes: AxisSetting[];
  range: TrendRange;
  follow: boolean;
}

export class DashboardMappingError extends Error {
  override readonly name = 'DashboardMappingError';
}

const MAX_MINUTES = 10 * 366 * 24 * 60;

/** ISO 8601 duration of a relative range, in the largest whole unit ("PT10M", "PT8H", "P7D"). */
export function toIsoDuration(minutes: number): string {
  if (minutes % 1440 === 0) return `P${minutes / 1440}D`;
  if (minutes % 60 === 0) return `PT${minutes / 60}H`;
  return `PT${minutes}M`;
}

/** Minutes of an ISO 8601 duration made of weeks, days, hours, minutes and seconds; null if not one. */
export function fromIsoDuration(text: string): number | null {
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/i.exec(text.trim());
  if (!m || text.trim().toUpperCase() === 'P' || /T$/i.test(text.trim())) return null;
  const [w, d, h, min, s] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number];
  const minutes = Math.round(w * 10080 + d * 1440 + h * 60 + min + s / 60);
  return minutes >= 1 && minutes <= MAX_MINUTES ? minutes : null;
}

/** The dashboard a trend view is saved as: one trend widget, one series per tag, the axis named by unit. */
export function viewToDashboard(
  view: ViewShape,
  tags: ReadonlyMap<number, TagRef>,
  target: (tagId: number) => TagTarget | null,
): DashboardBody {
  const unlinked: string[] = [];
  const series = view.tagIds.flatMap((id) => {
    const tag = tags.get(id);
    const t = target(id);
    if (!tag || !t) {
      unlinked.push(tag ? `${tag.deviceName} / ${tag.name}` : `tag ${id}`);
      return [];
    }
    return [{ asset_id: t.assetId, tag_name: t.tagName, ...(tag.unit ? { axis: tag.unit } : {}) }];
  });
  if (unlinked.length > 0) {
    throw new DashboardMappingError(
      `These tags are not in TwinEdge, because their device is not registered there (Cloud sync → Devices in TwinEdge): ${unlinked.join(', ')}.`,
    );
  }
  const range =
    view.range.kind === 'relative'
      ? toIsoDuration(view.range.minutes)
      : { start: new Date(view.range.from).toISOString(), end: new Date(view.range.to).toISOString() };
  return {
    name: view.name,
    description: 'Trend view saved from TwinEdge Desktop.',
    widgets: [{ type: 'trend', title: view.name, series, range }],
  };
}

/**
 * A view of a dashboard's trend widgets: every series that is a local tag, axes per unit, the first widget's
 * range. Series of other sites and non-trend widgets are named in `missing`.
 */
export function dashboardToView(
  dashboard: Dashboard,
  tags: ReadonlyMap<number, TagRef>,
  localTag: (assetId: string, tagName: string) => number | null,
): { view: ViewShape; missing: string[] } {
  const missing: string[] = [];
  const tagIds: number[] = [];
  let range: TrendRange | null = null;
  for (const w of dashboard.widgets) {
    if (w.type !== 'trend') {
      missing.push(`${w.title} (a ${w.type.replace('_', ' ')} widget, not a trend)`);
      continue;
    }
    range ??= rangeOf(w.range);
    for (const s of w.series) {
      const id = localTag(s.asset_id, s.tag_name);
      if (id === null || !tags.has(id)) missing.push(`${s.tag_name} (TwinEdge asset ${s.asset_id})`);
      else if (!tagIds.includes(id) && tagIds.length < 50) tagIds.push(id);
    }
  }
  if (tagIds.length === 0) {
    throw new DashboardMappingError(
      `None of the series on dashboard "${dashboard.name}" is a tag of this workstation's devices.`,
    );
  }
  const units = [...new Set(tagIds.map((id) => tags.get(id)?.unit ?? ''))];
  const r = range ?? { kind: 'relative' as const, minutes: 60 };
  return {
    view: {
      name: dashboard.name.slice(0, 100),
      tagIds,
      axes: units.map((unit) => ({ unit, min: null, max: null })),
      range: r,
      follow: r.kind === 'relative',
    },
    missing,
  };
}

function rangeOf(range: Dashboard['widgets'][number]['range']): TrendRange | null {
  if (range === undefined) return null;
  if (typeof range === 'string') {
    const minutes = fromIsoDuration(range);
    return minutes === null ? null : { kind: 'relative', minutes };
  }
  const from = Date.parse(range.start);
  const to = Date.parse(range.end);
  return Number.isFinite(from) && Number.isFinite(to) && from < to && from >= 0 ? { kind: 'absolute', from, to } : null;
}
