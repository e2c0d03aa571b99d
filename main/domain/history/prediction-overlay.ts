import { z } from 'zod';
import { epochMs, id } from '../schema-parts.js';

// TwinEdge ML predictions laid over a trend: the query and the points.

export const PredictionsOverlayQuery = z
  .object({ tagIds: z.array(id).min(1).max(50), from: epochMs, to: epochMs })
  .strict()
  .refine((q) => q.from < q.to, { message: 'the start must be before the end', path: ['from'] });

export interface PredictionOverlay {
  tagId: number;
  modelId: string;
  /** Device-wide predictions (no tag name in TwinEdge) are overlaid on each of the device's tags. */
  deviceWide: boolean;
  points: { ts: number; score: number; predicted: number | null; anomaly: boolean }[];
}

export interface PredictionsResult {
  overlays: PredictionOverlay[];
  /** Why predictions are not shown (no key, offline, device not linked); null when they are. */
  note: string | null;
}
