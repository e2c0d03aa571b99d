import { z } from 'zod';
import { type Tier, tiers, scopes } from '../../domain/cloud/account.js';
import { AlertRuleBody, severities } from '../../domain/cloud/alert-rule-body.js';
import { modelTypes } from '../../domain/cloud/ml-model-types.js';

/**
 * The TwinEdge API's data model, shared by the typed client (main/sync/client) and the local simulator
 * (test/sim/cloud). The OpenAPI document beside this file (twinedge-openapi.yaml) is the written reference;
 * a unit test keeps the two in step. Where the vendor's reference is silent, the choices are ours and are
 * recorded in the document (`x-twinedge-choice`); where another reading may answer differently, it says so
 * (`x-twinedge-dialects`). These are the shapes we send and our simulator answers; the client reads answers
 * with the tolerant readers of answers.ts, which accept these and the other readings.
 */

// ---- conventions ------------------------------------------------------------------------------

export const API_VERSION_PATH = '/v1';

/** Requests per minute / per day by tier (reference table; enterprise is "custom": the simulator's default). */
export const tierLimits: Record<Tier, { perMinute: number; perDay: number }> = {
  trial: { perMinute: 60, perDay: 1_000 },
  starter: { perMinute: 300, perDay: 10_000 },
  professional: { perMinute: 1_000, perDay: 100_000 },
  enterprise: { perMinute: 10_000, perDay: 10_000_000 },
};

/** Ingest limits (our choice; the reference names none). */
export const ingestLimits = {
  /** Points per POST /telemetry/ingest request. */
  maxPoints: 10_000,
  /** Request body bytes after decompression. */
  maxBodyBytes: 2 * 1024 * 1024,
  /** How long the server remembers an Idempotency-Key. */
  idempotencyTtlSeconds: 24 * 3600,
} as const;

export const perPage = { default: 20, max: 100 } as const;

/** Rate-limit headers: the reference's per-minute trio plus our per-day trio (choice, documented). */
export const rateLimitHeaders = {
  limit: 'x-ratelimit-limit',
  remaining: 'x-ratelimit-remaining',
  reset: 'x-ratelimit-reset',
  dayLimit: 'x-ratelimit-limit-day',
  dayRemaining: 'x-ratelimit-remaining-day',
  dayReset: 'x-ratelimit-reset-day',
  retryAfter: 'retry-after',
} as const;

export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** Set on a response that replays the stored answer to an earlier request with the same key. */
export const IDEMPOTENT_REPLAY_HEADER = 'idempotent-replayed';

// ---- envelopes ----------------------------------------------------------------------------------

export const PageMeta = z.object({
  page: z.number().int().min(1),
  per_page: z.number().int().min(1),
  total: z.number().int().min(0),
});
export type PageMeta = z.infer<typeof PageMeta>;

/** Codes the simulator emits (upper case, as the reference's table). Clients also accept lower case. */
export const errorCodes = [
  'VALIDATION_ERROR',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'RESOURCE_NOT_FOUND',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'RATE_LIMITED',
  'INTERNAL_ERROR',
  'SERVICE_UNAVAILABLE',
] as const;
export type ApiErrorCode = (typeof errorCodes)[number];

/** `details` is an object in the reference and a list of field errors on another page: both accepted. */
export const FieldError = z.object({ field: z.string(), message: z.string() });
export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.union([z.record(z.string(), z.unknown()), z.array(FieldError)]).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

// ---- API key ------------------------------------------------------------------------------------

/** GET /auth/key: the key the request was made with (our addition, so "test key" can show tier and scopes). */
export const KeyInfo = z.object({
  id: z.string(),
  name: z.string(),
  tier: z.enum(tiers),
  scopes: z.array(z.enum(scopes)),
  limits: z.object({ per_minute: z.number().int(), per_day: z.number().int() }),
  expires_at: z.string().nullable(),
  last4: z.string(),
});
export type KeyInfo = z.infer<typeof KeyInfo>;

// ---- telemetry ----------------------------------------------------------------------------------

export const telemetryQualities = ['good', 'uncertain', 'bad'] as const;
export type TelemetryQuality = (typeof telemetryQualities)[number];

/** One point as ingested. `status_code` keeps the OPC UA status when known (our addition). */
export const TelemetryPoint = z.object({
  asset_id: z.string().min(1).max(128),
  tag_name: z.string().min(1).max(256),
  timestamp: z.string(),
  value: z.union([z.number(), z.string(), z.boolean(), z.null()]),
  quality: z.enum(telemetryQualities),
  status_code: z.number().int().min(0).optional(),
});
export type TelemetryPoint = z.infer<typeof TelemetryPoint>;

/** POST /telemetry/ingest (and its alias POST /telemetry): `{ "data": [points] }`. */
export const IngestRequest = z.object({ data: z.array(z.unknown()) });
export type IngestRequest = { data: TelemetryPoint[] };

export const PointRejection = z.object({ index: z.number().int().min(0), code: z.string(), message: z.string() });
export type PointRejection = z.infer<typeof PointRejection>;

export const IngestResult = z.object({
  accepted: z.number().int().min(0),
  rejected: z.array(PointRejection),
});
export type IngestResult = z.infer<typeof IngestResult>;

export const aggregations = ['avg', 'min', 'max', 'sum', 'count'] as const;
export type Aggregation = (typeof aggregations)[number];
export const intervals = ['1m', '5m', '1h', '1d'] as const;
export type Interval = (typeof intervals)[number];

export interface TelemetryQuery {
  asset_id?: string;
  data_source_id?: string;
  tag_name?: string;
  /** ISO 8601. */
  start?: string;
  end?: string;
  aggregation?: Aggregation;
  interval?: Interval;
  page?: number;
  per_page?: number;
}

export const TelemetryRow = z.object({
  timestamp: z.string(),
  asset_id: z.string(),
  tag_name: z.string(),
  value: z.union([z.number(), z.string(), z.boolean(), z.null()]),
  quality: z.enum(telemetryQualities),
});
export type TelemetryRow = z.infer<typeof TelemetryRow>;

// ---- devices ------------------------------------------------------------------------------------

export const deviceTypes = ['opcua', 'modbus', 'mqtt', 'other'] as const;
export const deviceStatuses = ['online', 'offline', 'unknown'] as const;

export const DeviceBody = z.object({
  name: z.string().min(1).max(200),
  type: z.enum(deviceTypes),
  description: z.string().max(2000).optional(),
  /** Free-form, e.g. endpoint, unit id, tag list. */
  metadata: z.record(z.string(), z.unknown()).optional(),
  /** The client's own id for this device (the desktop app's device id), for re-linking. */
  external_id: z.string().max(200).optional(),
});
export type DeviceBody = z.infer<typeof DeviceBody>;

export const Device = DeviceBody.extend({
  id: z.string(),
  status: z.enum(deviceStatuses),
  created_at: z.string(),
  updated_at: z.string(),
});
export type Device = z.infer<typeof Device>;

// ---- dashboards ---------------------------------------------------------------------------------

export const DashboardWidget = z.object({
  id: z.string().optional(),
  type: z.enum(['trend', 'gauge', 'value', 'table', 'alarm_list']),
  title: z.string(),
  series: z.array(z.object({ asset_id: z.string(), tag_name: z.string(), axis: z.string().optional() })),
  /** Relative range like "PT1H" (ISO 8601 duration) or absolute { start, end }. */
  range: z.union([z.string(), z.object({ start: z.string(), end: z.string() })]).optional(),
});
export const DashboardBody = z.object({
  name: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  widgets: z.array(DashboardWidget),
});
export type DashboardBody = z.infer<typeof DashboardBody>;
export const Dashboard = DashboardBody.extend({ id: z.string(), created_at: z.string(), updated_at: z.string() });
export type Dashboard = z.infer<typeof Dashboard>;

// ---- alerts -------------------------------------------------------------------------------------

export const AlertRule = AlertRuleBody.extend({ id: z.string(), created_at: z.string(), updated_at: z.string() });
export type AlertRule = z.infer<typeof AlertRule>;

export const alertEventStatuses = ['triggered', 'acknowledged', 'resolved'] as const;
export type AlertEventStatus = (typeof alertEventStatuses)[number];
export const AlertEvent = z.object({
  id: z.string(),
  rule_id: z.string(),
  rule_name: z.string(),
  severity: z.enum(severities),
  status: z.enum(alertEventStatuses),
  asset_id: z.string().nullable(),
  tag_name: z.string().nullable(),
  value: z.number().nullable(),
  message: z.string(),
  triggered_at: z.string(),
  acknowledged_at: z.string().nullable(),
  resolved_at: z.string().nullable(),
});
export type AlertEvent = z.infer<typeof AlertEvent>;

// ---- ML -----------------------------------------------------------------------------------------

export const MlModel = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(modelTypes),
  status: z.enum(['training', 'ready', 'failed']),
  asset_id: z.string().nullable(),
  tag_names: z.array(z.string()),
  metrics: z.record(z.string(), z.number()),
  created_at: z.string(),
});
export type MlModel = z.infer<typeof MlModel>;

export const TrainingBody = z.object({
  name: z.string().min(1).max(200),
  model_type: z.enum(modelTypes),
  asset_id: z.string(),
  tag_names: z.array(z.string()).min(1),
  start: z.string(),
  end: z.string(),
});
export type TrainingBody = z.infer<typeof TrainingBody>;

export const TrainingJob = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(['queued', 'running', 'completed', 'failed']),
  /** 0..1 */
  progress: z.number().min(0).max(1),
  model_id: z.string().nullable(),
  error: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type TrainingJob = z.infer<typeof TrainingJob>;

export const Prediction = z.object({
  timestamp: z.string(),
  model_id: z.string(),
  asset_id: z.string(),
  tag_name: z.string().nullable(),
  anomaly_score: z.number().min(0).max(1),
  predicted_value: z.number().nullable(),
  is_anomaly: z.boolean(),
});
export type Prediction = z.infer<typeof Prediction>;
