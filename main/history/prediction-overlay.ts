import type { PredictionAnswer as Prediction } from '../sync/api/answers.js';
import type { PredictionOverlay } from '../domain/history/prediction-overlay.js';

/** A charted tag: its id, name, and the TwinEdge asset of its device (null when not registered). */
export interface OverlayTag {
  tagId: number;
  tagName: string;
  assetId: string | null;
}

/**
 * Overlays for the charted tags: predictions naming a tag go on that tag; device-wide ones (no tag name)
 * go on each charted tag of the device. One overlay per tag and model, points in time order.
 */
export function toOverlays(tags: readonly OverlayTag[], predictions: readonly Prediction[]): PredictionOverlay[] {
  const out = new Map<string, PredictionOverlay>();
  for (const p of predictions) {
    const ts = Date.parse(p.timestamp);
    if (!Number.isFinite(ts)) continue;
    for (const t of tags) {
      if (t.assetId !== p.asset_id) continue;
      if (p.tag_name !== null && p.tag_name !== t.tagName) continue;
      const key = `${t.tagId}\u0000${p.model_id}`;
      let o = out.get(key);
      if (!o) {
        o = { tagId: t.tagId, modelId: p.model_id, deviceWide: p.tag_name === null, points: [] };
        out.set(key, o);
      }
      o.points.push({ ts, score: p.anomaly_score, predicted: p.predicted_value, anomaly: p.is_anomaly });
    }
  }
  for (const o of out.values()) o.points.sort((a, b) => a.ts - b.ts);
  return [...out.values()];
}
