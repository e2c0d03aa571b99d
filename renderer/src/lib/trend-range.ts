/** Time range math for the trend view: presets, zoom and pan around a point, live follow. Pure. */

export interface TimeRange {
  from: number;
  to: number;
}

export interface RangePreset {
  minutes: number;
  label: string;
}

export const rangePresets: readonly RangePreset[] = [
  { minutes: 10, label: 'Live 10 min' },
  { minutes: 60, label: '1 h' },
  { minutes: 480, label: '8 h' },
  { minutes: 1440, label: '24 h' },
  { minutes: 7 * 1440, label: '7 d' },
  { minutes: 30 * 1440, label: '30 d' },
];

/** The shortest range the chart zooms into: 10 seconds. */
export const MIN_SPAN_MS = 10_000;
/** The longest: ten years. */
export const MAX_SPAN_MS = 10 * 366 * 86_400_000;

/** The last `minutes` before `now`. */
export function presetRange(minutes: number, now: number): TimeRange {
  return { from: now - minutes * 60_000, to: now };
}

function clampSpan(span: number): number {
  return Math.min(MAX_SPAN_MS, Math.max(MIN_SPAN_MS, span));
}

/**
 * Zoom by `factor` (< 1 zooms in, > 1 out) keeping the time at `anchor` in the same place on screen.
 * The anchor defaults to the middle of the range.
 */
export function zoomAround(r: TimeRange, factor: number, anchor = (r.from + r.to) / 2): TimeRange {
  const span = r.to - r.from;
  const next = clampSpan(span * factor);
  const a = Math.min(r.to, Math.max(r.from, anchor));
  const share = span > 0 ? (a - r.from) / span : 0.5;
  const from = Math.round(a - next * share);
  return { from, to: from + Math.round(next) };
}

/** Move the range by `fraction` of its span (negative: earlier). */
export function panBy(r: TimeRange, fraction: number): TimeRange {
  const d = Math.round((r.to - r.from) * fraction);
  return { from: r.from + d, to: r.to + d };
}

/** A range never starts before the epoch, never ends after now, and is never shorter than the minimum span. */
export function clampRange(r: TimeRange, now: number): TimeRange {
  let { from, to } = r;
  if (to - from < MIN_SPAN_MS) {
    const mid = (from + to) / 2;
    from = Math.round(mid - MIN_SPAN_MS / 2);
    to = from + MIN_SPAN_MS;
  }
  if (to > now) {
    from -= to - now;
    to = now;
  }
  if (from < 0) {
    to -= from;
    from = 0;
  }
  return { from: Math.round(from), to: Math.round(to) };
}

/** Following live: the window of the same span ending now. */
export function followRange(span: number, now: number): TimeRange {
  return { from: now - span, to: now };
}

/**
 * While following live the range slides every frame; the history behind it is re-queried when the window has slid
 * by 5% of its span, but at least every minute (so a long window's newest bucket is never old) and at most every
 * 5 seconds. Meanwhile the live ring fills the newest part.
 */
export function needsRequery(queried: TimeRange | null, current: TimeRange): boolean {
  if (!queried) return true;
  const span = current.to - current.from;
  if (Math.abs(queried.to - queried.from - span) > 1) return true;
  const slide = Math.min(60_000, Math.max(5_000, span * 0.05));
  return current.from - queried.from > slide || current.from < queried.from;
}

/** "10 min", "8 h", "7 d", "90 s": a span as an engineer reads it. */
export function spanText(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} min`;
  const h = Math.round(m / 60);
  if (h < 72) return `${h} h`;
  return `${Math.round(h / 24)} d`;
}

/** Parse a datetime-local input value as local time; NaN when empty or invalid. */
export function parseLocal(value: string): number {
  if (!value) return NaN;
  return new Date(value).getTime();
}

/** Value for <input type="datetime-local" step="1"> in local time, to the second. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}T${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
}
