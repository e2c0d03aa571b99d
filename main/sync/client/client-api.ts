import type { IngestOutcome } from '../api/ingest-answer.js';
import type { AlertEventStatus } from '../api/model.js';
import type { Severity } from '../../domain/cloud/alert-rule-body.js';
import type {
  AlertEventAnswer as AlertEvent,
  AlertRuleAnswer as AlertRule,
  DashboardAnswer as Dashboard,
  DeviceAnswer as Device,
  KeyInfoAnswer as KeyInfo,
  MlModelAnswer as MlModel,
  PredictionAnswer as Prediction,
  TelemetryRowAnswer as TelemetryRow,
  TrainingJobAnswer as TrainingJob,
} from '../api/answers.js';
import type { AlertRuleBody } from '../../domain/cloud/alert-rule-body.js';
import type {
  DashboardBody,
  DeviceBody,
  PageMeta,
  TelemetryPoint,
  TelemetryQuery,
  TrainingBody,
} from '../api/model.js';
import type { Tier } from '../../domain/cloud/account.js';
import type { EncodedBody } from './request.js';

/** What the last response said about the key's request budget (null where the server did not say). */
export interface RateLimitState {
  /** Per-minute window (reference headers). */
  limit: number | null;
  remaining: number | null;
  /** Epoch ms when the per-minute window resets. */
  resetAt: number | null;
  /** Per-day window (our documented extra headers). */
  dayLimit: number | null;
  dayRemaining: number | null;
  dayResetAt: number | null;
  /** Epoch ms of the response these figures came from. */
  observedAt: number;
}

export interface Page<T> {
  items: T[];
  meta: PageMeta;
}

export interface PageQuery {
  page?: number;
  per_page?: number;
}

/**
 * Why a call failed, by kind, so callers branch on `kind` and never on message text.
 * - http: the server answered with an error envelope (code normalised to upper case).
 * - network: no answer (refused, reset, DNS, TLS).
 * - timeout: no complete answer in time.
 * - invalid_response: the server answered something that is not the documented shape.
 * - aborted: the caller cancelled.
 */
export type ApiErrorKind = 'http' | 'network' | 'timeout' | 'invalid_response' | 'aborted';

export interface IngestOptions {
  /** Same key, same batch: the server applies it once. Required for uploads that may be retried. */
  idempotencyKey: string;
  signal?: AbortSignal;
}

/** A batch already encoded as `{"data": points}` (the batch stored in flight): sent as is, `count` points. */
export interface EncodedBatch {
  body: EncodedBody;
  count: number;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface CreateOptions extends CallOptions {
  /** Same key, same body: a server that honours it creates once however often the request is repeated. */
  idempotencyKey?: string;
}

/** The TwinEdge API, one method per endpoint of the OpenAPI document. */
export interface TwinEdgeCloudApi {
  readonly rateLimit: RateLimitState | null;
  /** The ingest route in use (the documented one, or the other documented name after a 404/405). */
  readonly ingestRoute: string;
  keyInfo(o?: CallOptions): Promise<KeyInfo>;

  /** Points to send, or a batch already encoded. */
  ingest(batch: readonly TelemetryPoint[] | EncodedBatch, o: IngestOptions): Promise<IngestOutcome>;
  queryTelemetry(q: TelemetryQuery, o?: CallOptions): Promise<Page<TelemetryRow>>;
  latestTelemetry(q: { asset_id?: string; tag_name?: string }, o?: CallOptions): Promise<TelemetryRow[]>;

  listDevices(q?: PageQuery, o?: CallOptions): Promise<Page<Device>>;
  createDevice(body: DeviceBody, o?: CreateOptions): Promise<Device>;
  getDevice(id: string, o?: CallOptions): Promise<Device>;
  updateDevice(id: string, body: DeviceBody, o?: CallOptions): Promise<Device>;
  deleteDevice(id: string, o?: CallOptions): Promise<void>;

  listDashboards(q?: PageQuery, o?: CallOptions): Promise<Page<Dashboard>>;
  createDashboard(body: DashboardBody, o?: CallOptions): Promise<Dashboard>;
  getDashboard(id: string, o?: CallOptions): Promise<Dashboard>;
  updateDashboard(id: string, body: DashboardBody, o?: CallOptions): Promise<Dashboard>;

  listAlertRules(q?: PageQuery, o?: CallOptions): Promise<Page<AlertRule>>;
  createAlertRule(body: AlertRuleBody, o?: CallOptions): Promise<AlertRule>;
  listAlertEvents(
    q?: PageQuery & { status?: AlertEventStatus; severity?: Severity; since?: string },
    o?: CallOptions,
  ): Promise<Page<AlertEvent>>;

  listModels(q?: PageQuery, o?: CallOptions): Promise<Page<MlModel>>;
  startTraining(body: TrainingBody, o?: CallOptions): Promise<TrainingJob>;
  getTrainingJob(id: string, o?: CallOptions): Promise<TrainingJob>;
  predictions(
    q: PageQuery & { asset_id: string; model_id?: string; start?: string; end?: string },
    o?: CallOptions,
  ): Promise<Page<Prediction>>;
}

export type { Tier };
