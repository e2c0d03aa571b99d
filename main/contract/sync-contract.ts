import { z } from 'zod';
import { AlertRuleBody, TrainingBody } from '../sync/api/model.js';
import { baseUrlProblem } from '../sync/base-url.js';
import type {
  AlertEventAnswer as AlertEvent,
  AlertRuleAnswer as AlertRule,
  DashboardAnswer as Dashboard,
  MlModelAnswer as MlModel,
  PredictionAnswer as Prediction,
  TrainingJobAnswer as TrainingJob,
} from '../sync/api/answers.js';
import type { KeyInfo } from '../sync/api/model.js';

/**
 * The cloud-sync part of the renderer contract (spread into `calls` in contract.ts). The renderer never sees
 * the API key: only whether one is set and its last four characters.
 */

export type SyncState =
  /** No key, or sync switched off: nothing is buffered for upload. */
  | 'off'
  /** The user paused uploads; samples are still buffered. */
  | 'paused'
  /** Uploads are flowing (or there is nothing to upload). */
  | 'online'
  /** A key is set and nothing has been answered yet (just started, or the address or key changed). */
  | 'connecting'
  /** The API cannot be reached; samples are buffered and retried. */
  | 'offline'
  /** The API refused the key (401/403): buffered, not retried until the key changes. */
  | 'unauthorized'
  /**
   * TwinEdge answered, but not in a way that lets data flow (a device that must be linked by hand, a missing
   * route, server errors, a refused batch being retried): the summary names the route, status and field.
   */
  | 'problem'
  /** Waiting for the request budget (rate limit) to refill. */
  | 'throttled';

export type BufferFullPolicy =
  /** Keep the newest data: the oldest buffered samples are dropped (counted and shown). */
  | 'drop-oldest'
  /** Keep the oldest data: new samples are not buffered for upload while full (counted and shown). */
  | 'drop-newest';

export interface SyncBacklog {
  /** Samples stored locally and not yet confirmed by TwinEdge. */
  samples: number;
  /** Source time of the oldest of them, epoch ms; null when empty. */
  oldestTs: number | null;
  /** Bytes the buffer takes on disk. */
  bytes: number;
  capBytes: number;
  policy: BufferFullPolicy;
  /** Samples dropped because the buffer was full, since it was created. */
  droppedSamples: number;
  /** At the current ingest rate, how many hours of outage the remaining space holds (null: no ingest). */
  hoursOfOutageLeft: number | null;
}

export interface SyncBudget {
  tier: KeyInfo['tier'] | null;
  perMinute: { limit: number; remaining: number; resetAt: number } | null;
  perDay: { limit: number; remaining: number; resetAt: number } | null;
}

export interface CloudDeviceLink {
  deviceId: number;
  name: string;
  cloudId: string | null;
  /** linked: linked by hand to an existing TwinEdge device; needs_link: cannot be registered, waits for such a link. */
  state: 'pending' | 'synced' | 'linked' | 'needs_link' | 'conflict' | 'error' | 'unlinked';
  /** Plain-language explanation for conflict / error. */
  message: string | null;
  syncedAt: number | null;
}

export interface PointRejectionView {
  id: number;
  at: number;
  deviceName: string;
  tagName: string;
  ts: number;
  code: string;
  message: string;
}

export interface SyncStatus {
  state: SyncState;
  /** One line for the status bar / settings header, e.g. "Offline since 14:02 CET: connection refused". */
  summary: string;
  baseUrl: string;
  /** `host`: the host the key was entered for (it is sent nowhere else). */
  key: { set: boolean; last4: string | null; storedIn: string; host: string | null };
  paused: boolean;
  backlog: SyncBacklog;
  budget: SyncBudget;
  /** Points per second confirmed by TwinEdge over the last minute. */
  uploadRate: number;
  /** Samples per second entering the buffer over the last minute. */
  ingestRate: number;
  uploadedTotal: number;
  lastUploadAt: number | null;
  lastError: { at: number; message: string } | null;
  rejectedTotal: number;
  devices: CloudDeviceLink[];
}

export interface KeyTestResult {
  ok: boolean;
  /** Present when ok. */
  info: { name: string; tier: KeyInfo['tier']; scopes: KeyInfo['scopes']; perMinute: number; perDay: number } | null;
  message: string;
}

export interface CloudAlerts {
  rules: AlertRule[];
  events: AlertEvent[];
  /** When the lists were fetched from TwinEdge, epoch ms; null: never (offline since start). */
  fetchedAt: number | null;
  error: string | null;
}

export interface CloudList<T> {
  items: T[];
  fetchedAt: number | null;
  error: string | null;
}

// ---- inputs ---------------------------------------------------------------------------------

const httpUrl = z
  .string()
  .trim()
  .max(2048)
  .superRefine((s, ctx) => {
    const problem = baseUrlProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const SyncConfigureInput = z
  .object({
    baseUrl: httpUrl.optional(),
    /** Buffer cap in MiB (at least 16 MiB, at most 1 TiB). */
    capMiB: z
      .number()
      .int()
      .min(16)
      .max(1024 * 1024)
      .optional(),
    policy: z.enum(['drop-oldest', 'drop-newest']).optional(),
  })
  .strict();

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

/** TwinEdge's devices, for linking a local device by hand; `error` says why the list is not available. */
export interface CloudDeviceChoices {
  items: { id: string; name: string; externalId: string | null }[];
  error: string | null;
}

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
    name: TrainingBody.shape.name,
    modelType: TrainingBody.shape.model_type,
    tagNames: z.array(z.string().min(1)).min(1).max(100),
    hours: z
      .number()
      .min(1)
      .max(24 * 365),
  })
  .strict();
export const JobInput = z.object({ id: z.string().min(1).max(200) }).strict();
export const AlertRuleInput = AlertRuleBody;

export type { AlertEvent, AlertRule, Dashboard, MlModel, Prediction, TrainingJob };
