import type { DeviceState } from '../../../main/domain/device/device-state.js';
import type { DeviceView, TagInfo } from '../../../main/domain/device/device-view.js';
import type { Quality } from '../../../main/domain/sample/quality.js';
import { qualityLabel, qualityOf, readoutText } from './format.js';
import { statusCodeName, statusCodeText } from './status-codes.js';
import { lossyTags } from './storage-text.js';

/** A tag's latest sample (AppState.latest holds these). */
export interface LatestValue {
  ts: number;
  value: number | null;
  quality: number;
  text?: string;
}

/** One tag's current value as the live values table shows it. Pure data: built from a snapshot, then sorted. */
export interface LiveRow {
  tagId: number;
  deviceId: number;
  device: string;
  tag: string;
  unit: string;
  address: string;
  /** The value as shown: text tags as their text, numbers without the unit (its own column); "waiting…" before any. */
  value: string;
  /** For sorting: the number, the text of a text tag, or null (no value). */
  sortValue: number | string | null;
  quality: Quality | null;
  /** "Good", "Bad: BadNodeIdUnknown (0x80340000)"; the status code with its hex for OPC UA devices. */
  qualityText: string;
  /** Source time, epoch ms; null before the first value. */
  ts: number | null;
  /** Why the value is not current (its device is down, or a polled value is overdue); null when it is. */
  stale: string | null;
  /** What makes the stored trend differ from the collected values ("deadband ±0.5 °C"); null when stored losslessly. */
  lossy: string | null;
}

export type LiveSortKey = 'device' | 'tag' | 'value' | 'unit' | 'quality' | 'ts';

export interface LiveSort {
  key: LiveSortKey;
  ascending: boolean;
}

/** A polled value older than this many poll intervals (and at least OVERDUE_MIN_MS) is marked stale. */
export const OVERDUE_POLLS = 3;
export const OVERDUE_MIN_MS = 5_000;

const stateWords: Record<DeviceState['state'], string> = {
  connected: 'connected',
  connecting: 'connecting',
  degraded: 'degraded (answering too rarely)',
  error: 'down',
  disabled: 'disabled',
};

/** What a device's state means for its values, in words; null when connected. */
export function deviceDownText(state: DeviceState | undefined): string | null {
  if (!state || state.state === 'connected') return null;
  return `device ${stateWords[state.state]}: last known value`;
}

/** The quality in words, with the status code for OPC UA devices (Modbus qualities are TwinEdge's own mapping). */
export function qualityText(code: number, opcUa: boolean): string {
  const word = qualityLabel[qualityOf(code)];
  if (code === 0) return word;
  if (opcUa) return `${word}: ${statusCodeText(code)}`;
  const name = statusCodeName(code);
  return name && name !== word ? `${word}: ${name}` : word;
}

/** How often each Modbus tag is polled (its own rate, else its device's), by tag id; OPC UA tags report on change. */
function pollIntervals(devices: readonly DeviceView[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const d of devices) {
    if (d.config.protocol !== 'modbus') continue;
    const own = new Map(d.config.tags.map((t) => [t.name, t.pollIntervalMs]));
    for (const t of d.tags) out.set(t.id, own.get(t.name) ?? d.config.settings.pollIntervalMs);
  }
  return out;
}

/** The rows for every tag, from the latest values; `now` decides which polled values are overdue. */
export function buildLiveRows(
  tags: readonly TagInfo[],
  devices: readonly DeviceView[],
  deviceStates: ReadonlyMap<number, DeviceState>,
  latest: ReadonlyMap<number, LatestValue>,
  now: number,
): LiveRow[] {
  const byId = new Map(devices.map((d) => [d.id, d]));
  const pollById = pollIntervals(devices);
  const lossyById = lossyTags(devices);
  return tags.map((t): LiveRow => {
    const device = byId.get(t.deviceId);
    const s = latest.get(t.id);
    const opcUa = device?.config.protocol === 'opcua';
    const down = deviceDownText(deviceStates.get(t.deviceId));
    let stale = down;
    const poll = pollById.get(t.id);
    if (s && stale === null && poll !== undefined) {
      const age = now - s.ts;
      if (age > Math.max(OVERDUE_POLLS * poll, OVERDUE_MIN_MS))
        stale = `no new value for ${Math.round(age / 1000)} s (polled every ${poll / 1000} s)`;
    }
    return {
      tagId: t.id,
      deviceId: t.deviceId,
      device: device?.config.name ?? `device ${t.deviceId}`,
      tag: t.name,
      unit: t.unit,
      address: t.address,
      value: s ? readoutText(s, '') : down ? '—' : 'waiting…',
      sortValue: s ? (s.text ?? s.value) : null,
      quality: s ? qualityOf(s.quality) : null,
      qualityText: s ? qualityText(s.quality, opcUa) : down ? 'no value: device not connected' : 'no value yet',
      ts: s ? s.ts : null,
      stale: s ? stale : null,
      lossy: lossyById.get(t.id) ?? null,
    };
  });
}

/** Rows of one device (or all when null) whose device, tag, unit or address contains the text (any case). */
export function filterLiveRows(rows: readonly LiveRow[], text: string, deviceId: number | null): LiveRow[] {
  const needle = text.trim().toLowerCase();
  return rows.filter(
    (r) =>
      (deviceId === null || r.deviceId === deviceId) &&
      (needle === '' ||
        r.tag.toLowerCase().includes(needle) ||
        r.device.toLowerCase().includes(needle) ||
        r.unit.toLowerCase().includes(needle) ||
        r.address.toLowerCase().includes(needle)),
  );
}

const qualityRank: Record<Quality, number> = { bad: 0, uncertain: 1, good: 2 };
const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Numbers before texts; rows without a value are handled by the caller (always last). */
function compareValues(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return collator.compare(a, b);
}

const keyOf: Record<LiveSortKey, (r: LiveRow) => number | string | null> = {
  device: (r) => r.device,
  tag: (r) => r.tag,
  value: (r) => r.sortValue,
  unit: (r) => r.unit,
  quality: (r) => (r.quality === null ? null : (qualityRank[r.quality] ?? null)),
  ts: (r) => r.ts,
};

/**
 * A sorted copy. Rows without a value (no sample yet) go last in both directions; ties go by device, then tag,
 * so the order does not jump between updates.
 */
export function sortLiveRows(rows: readonly LiveRow[], sort: LiveSort): LiveRow[] {
  const key = keyOf[sort.key];
  const dir = sort.ascending ? 1 : -1;
  const keyed = rows.map((r) => ({ r, k: key(r) }));
  keyed.sort((a, b) => {
    if (a.k === null || b.k === null) {
      if (a.k !== b.k) return a.k === null ? 1 : -1;
    } else {
      const c = compareValues(a.k, b.k);
      if (c !== 0) return c * dir;
    }
    return collator.compare(a.r.device, b.r.device) || collator.compare(a.r.tag, b.r.tag);
  });
  return keyed.map((x) => x.r);
}

/** The devices that are not connected, each once, with its reason: shown above the table instead of on every row. */
export function devicesDown(
  devices: readonly DeviceView[],
  deviceStates: ReadonlyMap<number, DeviceState>,
): {
  deviceId: number;
  name: string;
  state: DeviceState['state'];
  reason: string | null;
  since: number;
  tags: number;
}[] {
  const out = [];
  for (const d of devices) {
    const s = deviceStates.get(d.id) ?? d.state;
    if (s.state === 'connected') continue;
    out.push({
      deviceId: d.id,
      name: d.config.name,
      state: s.state,
      reason: s.message,
      since: s.since,
      tags: d.tags.length,
    });
  }
  return out;
}
