import { z } from 'zod';
import {
  AlertEvent,
  AlertRule,
  Dashboard,
  Device,
  IngestResult,
  KeyInfo,
  MlModel,
  Prediction,
  TelemetryRow,
  TrainingJob,
} from '../api/model.js';
import type {
  AlertRuleBody,
  DashboardBody,
  DeviceBody,
  TelemetryPoint,
  TelemetryQuery,
  TrainingBody,
} from '../api/model.js';
import { systemClock, type Clock } from '../clock.js';
import { isTwinEdgeApiError } from './api-error.js';
import type { CallOptions, IngestOptions, Page, PageQuery, RateLimitState, TwinEdgeCloudApi } from './client-api.js';
import { listAll, pages, type PagesOptions } from './pages.js';
import {
  GZIP_THRESHOLD_BYTES,
  Transport,
  type ApiKeySource,
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
}

const INGEST_PATH = '/telemetry/ingest';
/** The other documented name of the ingest endpoint (NOTES.md: both exist in the vendor's pages). */
const INGEST_ALIAS_PATH = '/telemetry';

const seg = (id: string): string => encodeURIComponent(id);

/** The TwinEdge REST API as typed methods; usable on its own, like a vendor SDK. */
export class TwinEdgeClient implements TwinEdgeCloudApi {
  private readonly t: Transport;
  /** Set once the server answered 404 for /telemetry/ingest: it only knows the alias. */
  private ingestPath = INGEST_PATH;

  constructor(o: TwinEdgeClientOptions) {
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
    });
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

  async keyInfo(o?: CallOptions): Promise<KeyInfo> {
    return this.one('GET', '/auth/key', KeyInfo, o);
  }

  // ---- telemetry ------------------------------------------------------------------------------

  async ingest(points: readonly TelemetryPoint[], o: IngestOptions): Promise<IngestResult> {
    const spec = (path: string): RequestSpec<IngestResult> => ({
      method: 'POST',
      path,
      body: o.body ?? { data: points },
      idempotencyKey: o.idempotencyKey,
      schema: IngestResult,
      ...(o.signal ? { signal: o.signal } : {}),
    });
    if (this.ingestPath === INGEST_PATH) {
      try {
        return (await this.t.request(spec(INGEST_PATH))).data;
      } catch (e) {
        // Only a 404 means "no such route": ingest addresses no resource that could be missing.
        if (!(isTwinEdgeApiError(e) && e.kind === 'http' && e.status === 404)) throw e;
        this.ingestPath = INGEST_ALIAS_PATH;
      }
    }
    return (await this.t.request(spec(this.ingestPath))).data;
  }

  async queryTelemetry(q: TelemetryQuery, o?: CallOptions): Promise<Page<TelemetryRow>> {
    return this.page('/telemetry', TelemetryRow, { ...q }, o);
  }

  async latestTelemetry(q: { asset_id?: string; tag_name?: string }, o?: CallOptions): Promise<TelemetryRow[]> {
    return this.one('GET', '/telemetry/latest', z.array(TelemetryRow), o, { query: { ...q } });
  }

  // ---- devices --------------------------------------------------------------------------------

  async listDevices(q: PageQuery = {}, o?: CallOptions): Promise<Page<Device>> {
    return this.page('/devices', Device, { ...q }, o);
  }

  async createDevice(body: DeviceBody, o?: CallOptions): Promise<Device> {
    return this.one('POST', '/devices', Device, o, { body });
  }

  async getDevice(id: string, o?: CallOptions): Promise<Device> {
    return this.one('GET', `/devices/${seg(id)}`, Device, o);
  }

  async updateDevice(id: string, body: DeviceBody, o?: CallOptions): Promise<Device> {
    return this.one('PUT', `/devices/${seg(id)}`, Device, o, { body });
  }

  async deleteDevice(id: string, o?: CallOptions): Promise<void> {
    // 200 with an envelope and 204 without a body are both "deleted".
    await this.one('DELETE', `/devices/${seg(id)}`, z.unknown(), o, { allowEmpty: true });
  }

  // ---- dashboards -----------------------------------------------------------------------------

  async listDashboards(q: PageQuery = {}, o?: CallOptions): Promise<Page<Dashboard>> {
    return this.page('/dashboards', Dashboard, { ...q }, o);
  }

  async createDashboard(body: DashboardBody, o?: CallOptions): Promise<Dashboard> {
    return this.one('POST', '/dashboards', Dashboard, o, { body });
  }

  async getDashboard(id: string, o?: CallOptions): Promise<Dashboard> {
    return this.one('GET', `/dashboards/${seg(id)}`, Dashboard, o);
  }

  async updateDashboard(id: string, body: DashboardBody, o?: CallOptions): Promise<Dashboard> {
    return this.one('PUT', `/dashboards/${seg(id)}`, Dashboard, o, { body });
  }

  // ---- alerts ---------------------------------------------------------------------------------

  async listAlertRules(q: PageQuery = {}, o?: CallOptions): Promise<Page<AlertRule>> {
    return this.page('/alerts', AlertRule, { ...q }, o);
  }

  async createAlertRule(body: AlertRuleBody, o?: CallOptions): Promise<AlertRule> {
    return this.one('POST', '/alerts', AlertRule, o, { body });
  }

  async listAlertEvents(
    q: PageQuery & { status?: AlertEvent['status']; severity?: AlertEvent['severity']; since?: string } = {},
    o?: CallOptions,
  ): Promise<Page<AlertEvent>> {
    return this.page('/alerts/events', AlertEvent, { ...q }, o);
  }

  // ---- ML -------------------------------------------------------------------------------------

  async listModels(q: PageQuery = {}, o?: CallOptions): Promise<Page<MlModel>> {
    return this.page('/ml/models', MlModel, { ...q }, o);
  }

  async startTraining(body: TrainingBody, o?: CallOptions): Promise<TrainingJob> {
    return this.one('POST', '/ml/training', TrainingJob, o, { body });
  }

  async getTrainingJob(id: string, o?: CallOptions): Promise<TrainingJob> {
    return this.one('GET', `/ml/training/${seg(id)}`, TrainingJob, o);
  }

  async predictions(
    q: PageQuery & { asset_id: string; model_id?: string; start?: string; end?: string },
    o?: CallOptions,
  ): Promise<Page<Prediction>> {
    return this.page('/ml/predictions', Prediction, { ...q }, o);
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
    extra: Partial<Pick<RequestSpec<T>, 'body' | 'query' | 'allowEmpty'>> = {},
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
    const res = await this.t.request({
      method: 'GET',
      path,
      query,
      schema: z.array(item),
      paged: true,
      ...(o?.signal ? { signal: o.signal } : {}),
    });
    // `paged` makes the transport reject an answer without valid meta, so meta is set here.
    return { items: res.data, meta: res.meta ?? { page: 1, per_page: res.data.length || 1, total: res.data.length } };
  }
}
