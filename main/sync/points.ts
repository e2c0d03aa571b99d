import type { Sample } from '../collect/types.js';
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
