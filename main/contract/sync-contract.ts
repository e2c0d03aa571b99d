import { z } from 'zod';
import { AlertRuleBody } from '../domain/cloud/alert-rule-body.js';
import { modelTypes } from '../domain/cloud/ml-model-types.js';

/**
 * The cloud-sync part of the renderer contract (spread into `calls` in contract.ts). The renderer never sees
 * the API key: only whether one is set and its last four characters.
 */

export const SyncKeyInput = z
  .object({ key: z.string().trim().min(8, 'an API key is at least 8 characters').max(512) })
  .strict();
export const SyncPauseInput = z.object({ paused: z.boolean() }).strict();
export const SyncLinkInput = z
  .object({
    deviceId: z.number().int().positive(),
    /** The TwinEdge device (asset) id, picked from its list or typed in. */
    cloudId: z.string().trim().min(1, 'enter the TwinEdge asset id').max(128),
  })
  .strict();

export const SyncResolveInput = z
  .object({ deviceId: z.number().int().positive(), action: z.enum(['overwrite', 'link', 'unlink']) })
  .strict();
export const RejectionsQuery = z.object({ limit: z.number().int().min(1).max(1000).default(100) }).strict();
export const PredictionsQuery = z
  .object({
    deviceId: z.number().int().positive(),
    hours: z
      .number()
      .min(0.1)
      .max(24 * 31)
      .default(24),
  })
  .strict();
export const TrainingInput = z
  .object({
    deviceId: z.number().int().positive(),
    name: z.string().min(1).max(200),
    modelType: z.enum(modelTypes),
    tagNames: z.array(z.string().min(1)).min(1).max(100),
    hours: z
      .number()
      .min(1)
      .max(24 * 365),
  })
  .strict();
export const JobInput = z.object({ id: z.string().min(1).max(200) }).strict();
export const AlertRuleInput = AlertRuleBody;
