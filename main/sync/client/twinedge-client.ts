import { z } from 'zod';
import {
  AlertEventAnswer,
  AlertRuleAnswer,
  DashboardAnswer,
  DeviceAnswer,
  KeyInfoAnswer,
  MlModelAnswer,
  PredictionAnswer,
  TelemetryRowAnswer,
  TrainingJobAnswer,
} from '../api/answers.js';
import type {
  AlertEventStatus,
  DashboardBody,
  DeviceBody,
  TelemetryPoint,
  TelemetryQuery,
  TrainingBody,
} from '../api/model.js';
import type { AlertRuleBody } from '../../domain/cloud/alert-rule-body.js';
import type { Severity } from '../../domain/cloud/alert-rule-body.js';
import { readIngestAnswer, type IngestOutcome } from '../api/ingest-answer.js';
import { tolerantList, type TolerantList } from '../api/tolerant.js';
import { systemClock, type Clock } from '../clock.js';
import { isTwinEdgeApiError } from './api-error.js';
import type {
  CallOptions,
  CreateOptions,
  EncodedBatch,
  IngestOptions,
  Page,
  PageQuery,
  RateLimitState,
  TwinEdgeCloudApi,
} from './client-api.js';
import { listAll, pages, type PagesOptions } from './pages.js';
import {
  GZIP_THRESHOLD_BYTES,
  Transport,
  type ApiKeySource,
  type MisreadInfo,
  type QueryValue,
  type RequestInfo,
  type RequestSpec,
  type TransportStats,
} from './request.js';
import { defaultBackoff, type BackoffOptions, type HttpMethod } from './retry.js';

export interface TwinEdgeClientOptions {
  /** For example http://127.0.0.1:8480/v1 (a trailing slash is tolerated). */
  baseUrl: string;
  /**
   * The key, or a function returning it per call, so the app can read it from the keychain each time
   * and never hold it anywhere else. Null or empty: the call fails with code NO_API_KEY.
   */
  apiKey: ApiKeySource;
  clock?: Clock;
  /**
   * What times attempts out, when it should differ from `clock`: a time-compressed uploader still waits
   * real seconds for a real network.
   */
  timeoutClock?: Clock;
  /** Per attempt, in clock ms (default 30 s). */
  timeoutMs?: number;
  /** Retries after the first attempt (default 3; 0 = none). */
  maxRetries?: number;
  backoff?: Partial<BackoffOptions>;
  /** Request bodies larger than this are gzip-compressed (default 1 KiB). */
  gzipThresholdBytes?: number;
  userAgent?: string;
  /** Longest server-advised wait slept through inside one call (default 60 s); longer fails at once. */
  maxRetryAfterMs?: number;
  /** Jitter source for backoff (default Math.random). */
  random?: () => number;
  onRateLimit?: (state: RateLimitState) => void;
  onRequest?: (info: RequestInfo) => void;
  onMisread?: (info: MisreadInfo) => void;
  /** The ingest route found to work earlier (remembered across restarts by the caller). */
  ingestPath?: IngestPath;
  /** The ingest route changed (the server answered 404/405 on the other one). */
  onIngestPath?: (path: IngestPath) => void;
}

export type IngestPath = '/telemetry/ingest' | '/telemetry';

const INGEST_PATH: IngestPath = '/telemetry/ingest';
/** The other documented name of the ingest endpoint (NOTES.md: both exist in the vendor's pages). */
const INGEST_ALIAS_PATH: IngestPath = '/telemetry';

/** "No such route" (404) or "not this method here" (405): ingest addresses no resource that could be missing. */
const routeMissing = (e: unknown): boolean =>
  isTwinEdgeApiError(e) && e.kind === 'http' && (e.status === 404 || e.status === 405);

const seg = (id: string): string => encodeURIComponent(id);

/** The TwinEdge REST API as typed methods; usable on its own, like a vendor SDK. */
export class TwinEdgeClient implements TwinEdgeCloudApi {
  private readonly t: Transport;
  /** The route that worked last; the other one is tried once when this one answers 404/405. */
  private ingestPath: IngestPath;
  private readonly onIngestPath: ((path: IngestPath) => void) | undefined;

  constructor(o: TwinEdgeClientOptions) {
    this.ingestPath = o.ingestPath ?? INGEST_PATH;
    this.onIngestPath = o.onIngestPath;
    this.t = new Transport({
      baseUrl: o.baseUrl,
      apiKey: o.apiKey,
      clock: o.clock ?? systemClock,
      ...(o.timeoutClock ? { timeoutClock: o.timeoutClock } : {}),
      timeoutMs: o.timeoutMs ?? 30_000,
      maxRetries: Math.max(0, o.maxRetries ?? 3),
      backoff: { ...defaultBackoff, ...o.backoff },
      gzipThresholdBytes: o.gzipThresholdBytes ?? GZIP_THRESHOLD_BYTES,
      userAgent: o.userAgent ?? 'TwinEdgeDesktop',
      maxRetryAfterMs: o.maxRetryAfterMs ?? 60_000,
      random: o.random ?? Math.random,
      ...(o.onRateLimit ? { onRateLimit: o.onRateLimit } : {}),
      ...(o.onRequest ? { onRequest: o.onRequest } : {}),
      ...(o.onMisread ? { onMisread: o.onMisread } : {}),
    });
  }

  /** The ingest route in use. */
  get ingestRoute(): IngestPath {
    return this.ingestPath;
  }

  /** What the last response said about the key's request budget; null before any answer. */
  get rateLimit(): RateLimitState | null {
    return this.t.rateLimit;
  }

  /** Counters since construction (a live object: read it, do not write it). */
  get stats(): Readonly<TransportStats> {
    return this.t.stats;
  }

  /** host[:port] of the base URL, for messages. */
  get host(): string {
    return this.t.host;
  }

  // ---- key ------------------------------------------------------------------------------------

  async keyInfo(o?: CallOptions): Promise<KeyInfoAnswer> {
    return this.one('GET', '/auth/key', KeyInfoAnswer, o);
  }

  // ---- telemetry ------------------------------------------------------------------------------

  async ingest(batch: readonly TelemetryPoint[] | EncodedBatch, o: IngestOptions): Promise<IngestOutcome> {
    const encoded = 'body' in batch ? batch : null;
    const body = encoded ? encoded.body : { data: batch };
    const count = encoded ? encoded.count : (batch as readonly TelemetryPoint[]).length;
    const send = async (path: IngestPath): Promise<IngestOutcome> => {
      const res = await this.t.request({
        method: 'POST',
        path,
        body,
        idempotencyKey: o.idempotencyKey,
        schema: z.unknown(),
        envelope: false,
        ...(o.signal ? { signal: o.signal } : {}),
      });
      return readIngestAnswer(res.data, count);
    };
    try {
      return await send(this.ingestPath);
    } catch (e) {
      if (!routeMissing(e)) throw e;
    }
    // The docs name both routes: try the other once, and keep the one that works.
    const other = this.ingestPath === INGEST_PATH ? INGEST_ALIAS_PATH : INGEST_PATH;
    const outcome = await send(other);
    this.ingestPath = other;
    this.onIngestPath?.(other);
    return outcome;
  }

  async queryTelemetry(q: TelemetryQuery, o?: CallOptions): Promise<Page<TelemetryRowAnswer>> {
    return this.page('/telemetry', TelemetryRowAnswer, { ...q }, o);
  }

  async latestTelemetry(q: { asset_id?: string; tag_name?: string }, o?: CallOptions): Promise<TelemetryRowAnswer[]> {
    return this.one('GET', '/telemetry/latest', z.array(TelemetryRowAnswer), o, { query: { ...q } });
  }

  // ---- devices --------------------------------------------------------------------------------

  async listDevices(q: PageQuery = {}, o?: CallOptions): Promise<Page<DeviceAnswer>> {
    return this.page('/devices', DeviceAnswer, { ...q }, o);
  }

  async createDevice(body: DeviceBody, o?: CreateOptions): Promise<DeviceAnswer> {
    // Repeated inside the call only when certainly not applied: a service that ignores Idempotency-Key would make
    // a second device. The caller (DeviceSync) looks the device up before it creates again.
    return this.one('POST', '/devices', DeviceAnswer, o, {
      body,
      retry: 'unapplied',
      ...(o?.idempotencyKey !== undefined ? { idempotencyKey: o.idempotencyKey } : {}),
    });
  }

  async getDevice(id: string, o?: CallOptions): Promise<DeviceAnswer> {
    return this.one('GET', `/devices/${seg(id)}`, DeviceAnswer, o);
  }

  async updateDevice(id: string, body: DeviceBody, o?: CallOptions): Promise<DeviceAnswer> {
    return this.one('PUT', `/devices/${seg(id)}`, DeviceAnswer, o, { body });
  }

  async deleteDevice(id: string, o?: CallOptions): Promise<void> {
    // 200 with an envelope and 204 without a body are both "deleted".
    await this.one('DELETE', `/devices/${seg(id)}`, z.unknown(), o, { allowEmpty: true });
  }

  // ---- dashboards -----------------------------------------------------------------------------

  async listDashboards(q: PageQuery = {}, o?: CallOptions): Promise<Page<DashboardAnswer>> {
    return this.page('/dashboards', DashboardAnswer, { ...q }, o);
  }

  async createDashboard(body: DashboardBody, o?: CallOptions): Promise<DashboardAnswer> {
    return this.one('POST', '/dashboards', DashboardAnswer, o, { body });
  }

  async getDashboard(id: string, o?: CallOptions): Promise<DashboardAnswer> {
    return this.one('GET', `/dashboards/${seg(id)}`, DashboardAnswer, o);
  }

  async updateDashboard(id: string, body: DashboardBody, o?: CallOptions): Promise<DashboardAnswer> {
    return this.one('PUT', `/dashboards/${seg(id)}`, DashboardAnswer, o, { body });
  }

  // ---- alerts ---------------------------------------------------------------------------------

  async listAlertRules(q: PageQuery = {}, o?: CallOptions): Promise<Page<AlertRuleAnswer>> {
    return this.page('/alerts', AlertRuleAnswer, { ...q }, o);
  }

  async createAlertRule(body: AlertRuleBody, o?: CallOptions): Promise<AlertRuleAnswer> {
    return this.one('POST', '/alerts', AlertRuleAnswer, o, { body });
  }

  async listAlertEvents(
    q: PageQuery & { status?: AlertEventStatus; severity?: Severity; since?: string } = {},
    o?: CallOptions,
  ): Promise<Page<AlertEventAnswer>> {
    return this.page('/alerts/events', AlertEventAnswer, { ...q }, o);
  }

  // ---- ML -------------------------------------------------------------------------------------

  async listModels(q: PageQuery = {}, o?: CallOptions): Promise<Page<MlModelAnswer>> {
    return this.page('/ml/models', MlModelAnswer, { ...q }, o);
  }

  async startTraining(body: TrainingBody, o?: CallOptions): Promise<TrainingJobAnswer> {
    return this.one('POST', '/ml/training', TrainingJobAnswer, o, { body });
  }

  async getTrainingJob(id: string, o?: CallOptions): Promise<TrainingJobAnswer> {
    return this.one('GET', `/ml/training/${seg(id)}`, TrainingJobAnswer, o);
  }

  async predictions(
    q: PageQuery & { asset_id: string; model_id?: string; start?: string; end?: string },
    o?: CallOptions,
  ): Promise<Page<PredictionAnswer>> {
    return this.page('/ml/predictions', PredictionAnswer, { ...q }, o);
  }

  // ---- pagination -----------------------------------------------------------------------------

  /** Every page of a list: `client.pages((page) => client.listDevices({ page, per_page: 100 }))`. */
  pages<T>(fetchPage: (page: number) => Promise<Page<T>>, o?: PagesOptions): AsyncGenerator<Page<T>, void, undefined> {
    return pages(fetchPage, o);
  }

  /** All items of a list: `await client.listAll((page) => client.listDevices({ page, per_page: 100 }))`. */
  listAll<T>(fetchPage: (page: number) => Promise<Page<T>>, o?: PagesOptions): Promise<T[]> {
    return listAll(fetchPage, o);
  }

  // ---- plumbing -------------------------------------------------------------------------------

  private async one<T>(
    method: HttpMethod,
    path: string,
    schema: z.ZodType<T>,
    o: CallOptions | undefined,
    extra: Partial<Pick<RequestSpec<T>, 'body' | 'query' | 'allowEmpty' | 'idempotencyKey' | 'retry'>> = {},
  ): Promise<T> {
    const res = await this.t.request({ method, path, schema, ...extra, ...(o?.signal ? { signal: o.signal } : {}) });
    return res.data;
  }

  private async page<T>(
    path: string,
    item: z.ZodType<T>,
    query: Record<string, QueryValue>,
    o: CallOptions | undefined,
  ): Promise<Page<T>> {
    const res = await this.t.request<TolerantList<T>>({
      method: 'GET',
      path,
      query,
      schema: tolerantList(item),
      skipped: (l) =>
        l.skipped > 0
          ? `${l.skipped} of ${l.skipped + l.items.length} items skipped (first: data${l.firstProblem})`
          : null,
      paged: true,
      ...(o?.signal ? { signal: o.signal } : {}),
    });
    const items = res.data.items;
    const asked = typeof query.page === 'number' ? query.page : 1;
    // Without usable meta the answer is read as the last page (the transport has reported the misread).
    const perPage = Math.max(1, items.length + res.data.skipped);
    return { items, meta: res.meta ?? { page: asked, per_page: perPage, total: (asked - 1) * perPage + items.length } };
  }
}
