import type { Quality } from '../../../main/domain/sample/quality.js';

/** OPC UA status code severity (top two bits): 0 good, 1 uncertain, 2/3 bad. */
export function qualityOf(statusCode: number): Quality {
  const severity = statusCode >>> 30;
  if (severity === 0) return 'good';
  if (severity === 1) return 'uncertain';
  return 'bad';
}

export const qualityLabel: Record<Quality, string> = {
  good: 'Good',
  uncertain: 'Uncertain',
  bad: 'Bad',
};

export function statusCodeHex(code: number): string {
  return '0x' + (code >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

/** The browser's time zone (same machine as the service in both shells). */
export const localTimeZone: string = Intl.DateTimeFormat().resolvedOptions().timeZone || 'local time';

const tsParts = new Intl.DateTimeFormat('en-GB', {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'short',
});

function parts(ms: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of tsParts.formatToParts(new Date(ms))) out[p.type] = p.value;
  return out;
}

/** "2025-11-29 14:03:07 CET": local time, ISO order, with the zone. */
export function formatTimestamp(ms: number, withMillis = false): string {
  const p = parts(ms);
  const millis = withMillis ? '.' + String(Math.floor(ms % 1000)).padStart(3, '0') : '';
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}${millis} ${p.timeZoneName ?? ''}`.trim();
}

/** "14:03:07 CET": the time of day with the zone, where the date is given elsewhere (a tooltip, a heading). */
export function formatClock(ms: number): string {
  const p = parts(ms);
  return `${p.hour}:${p.minute}:${p.second} ${p.timeZoneName ?? ''}`.trim();
}

/** Short zone name now, e.g. "CET" or "UTC". */
export function zoneAbbrev(ms = Date.now()): string {
  return parts(ms).timeZoneName ?? localTimeZone;
}

/** The zone's name and, where it differs, its short name: ["Europe/Berlin", "CET"], but ["UTC"] and not twice. */
export function zoneNames(abbrev = zoneAbbrev(), zone = localTimeZone): string[] {
  return abbrev === zone ? [zone] : [zone, abbrev];
}

const numberFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3, useGrouping: false });
const bigFmt = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 6, useGrouping: false });

export function formatValue(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (Math.abs(v) >= 1e6 || (v !== 0 && Math.abs(v) < 1e-3)) return v.toExponential(3);
  return Math.abs(v) >= 1000 ? bigFmt.format(v) : numberFmt.format(v);
}

export function withUnit(value: string, unit: string): string {
  return unit ? `${value} ${unit}` : value;
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}

export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '—';
  return `${perSecond >= 100 ? Math.round(perSecond) : perSecond.toFixed(1)} samples/s`;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${m % 60} min`;
}

/** Value for <input type="datetime-local"> in local time. */
export function toDatetimeLocal(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A live readout: the text of a string tag, else the number with its unit. */
export function readoutText(s: { value: number | null; text?: string }, unit: string): string {
  if (s.text !== undefined) return s.text === '' ? '(empty text)' : s.text;
  return s.value === null ? 'no value' : withUnit(formatValue(s.value), unit);
}

/** An ISO 8601 time from TwinEdge as local time with the zone; the raw text if it does not parse; "—" if none. */
export function formatIsoTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : formatTimestamp(ms);
}

/** Hours as an engineer reads them: "45 min", "3.5 h", "2 d 6 h". */
export function formatHours(hours: number): string {
  if (!Number.isFinite(hours) || hours < 0) return '—';
  if (hours < 1) return `${Math.round(hours * 60)} min`;
  if (hours < 48) return `${hours < 10 ? hours.toFixed(1) : Math.round(hours)} h`;
  const d = Math.floor(hours / 24);
  return `${d} d ${Math.round(hours - d * 24)} h`;
}

const countFmt = new Intl.NumberFormat('en-US');

/** A count with thousands separators: 12,345. */
export function formatCount(n: number): string {
  return Number.isFinite(n) ? countFmt.format(n) : '—';
}

/** A rate with its unit: "12.5 points/s". */
export function formatPerSecond(perSecond: number, unit: string): string {
  if (!Number.isFinite(perSecond)) return '—';
  return `${perSecond >= 100 ? Math.round(perSecond) : perSecond.toFixed(1)} ${unit}/s`;
}

/** A large count in plant words: 950, 12.3 k, 4.1 M, 2.0 G. */
export function formatCompactCount(n: number): string {
  if (!Number.isFinite(n)) return '—';
  const a = Math.abs(n);
  if (a < 10_000) return formatCount(Math.round(n));
  const [div, unit] = a < 1e6 ? [1e3, 'k'] : a < 1e9 ? [1e6, 'M'] : [1e9, 'G'];
  const v = n / div;
  return `${Math.abs(v) >= 100 ? Math.round(v) : v.toFixed(1)} ${unit}`;
}
