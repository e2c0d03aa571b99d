import type { Sample } from '../domain/sample/sample.js';
import type { TelemetryPoint, TelemetryQuality } from './api/model.js';
import { isoTime } from './iso-time.js';

/** OPC UA status severity (top two bits) → TwinEdge's three qualities; Modbus qualities use the same codes. */
export const telemetryQuality = (statusCode: number): TelemetryQuality => {
  const severity = (statusCode >>> 30) & 0b11;
  return severity === 0 ? 'good' : severity === 1 ? 'uncertain' : 'bad';
};

/** What a sample's tag is called in TwinEdge. */
export interface TagTarget {
  assetId: string;
  tagName: string;
}

export const toPoint = (s: Sample, target: TagTarget): TelemetryPoint => ({
  asset_id: target.assetId,
  tag_name: target.tagName,
  timestamp: isoTime(s.ts),
  value: s.text !== undefined ? s.text : s.value !== null && Number.isFinite(s.value) ? s.value : null,
  quality: telemetryQuality(s.quality),
  status_code: s.quality >>> 0,
});

/** The start of a point's JSON for this tag, up to the timestamp's text: `{"asset_id":…,"tag_name":…,"timestamp":"`. */
export const pointPrefix = (target: TagTarget): string =>
  `{"asset_id":${JSON.stringify(target.assetId)},"tag_name":${JSON.stringify(target.tagName)},"timestamp":"`;

/** `","quality":…,"status_code":…}` by OPC UA status code (a handful of distinct codes in practice). */
const suffixes = new Map<number, string>();
const suffixOf = (statusCode: number): string => {
  let s = suffixes.get(statusCode);
  if (s === undefined) {
    s = `,"quality":"${telemetryQuality(statusCode)}","status_code":${statusCode >>> 0}}`;
    if (suffixes.size < 1024) suffixes.set(statusCode, s);
  }
  return s;
};

/**
 * `JSON.stringify(toPoint(sample, target))`, character for character, from a sample's fields and its tag's
 * `pointPrefix`: an upload writes ten thousand per request, and no point object is made.
 */
export const pointJson = (
  prefix: string,
  ts: number,
  value: number | null,
  quality: number,
  text: string | undefined,
): string => {
  // A finite number's JSON text is its String(); NaN and ±Infinity are not JSON, sent as null (as toPoint).
  const v =
    text !== undefined ? JSON.stringify(text) : value !== null && Number.isFinite(value) ? String(value) : 'null';
  return `${prefix}${isoTime(ts)}","value":${v}${suffixOf(quality)}`;
};
