import { randomUUID } from 'node:crypto';
import { backoffMs } from '../domain/backoff.js';
import type { CloudTagMap } from './cloud-rules.js';
import type { BufferFullPolicy, SyncState, SyncStatus } from '../domain/sync/sync-status.js';
import type { CloudAlerts, CloudDeviceChoices, CloudList } from '../domain/cloud/cloud-list.js';
import type { KeyTestResult } from '../domain/sync/key-test.js';
import type { PointRejectionView } from '../domain/sync/point-rejection.js';
import type { Logger } from '../log/logger.js';
import { secretRedactor } from '../log/redactor.js';
import { RateMeter } from '../domain/rate-meter.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { QueuePolicy, Store } from '../store/store.js';
import type {
  KeyInfoAnswer,
  AlertEventAnswer as AlertEvent,
  AlertRuleAnswer as AlertRule,
  DashboardAnswer as Dashboard,
  MlModelAnswer as MlModel,
  PredictionAnswer as Prediction,
  TrainingJobAnswer as TrainingJob,
} from './api/answers.js';
import type { AlertRuleBody } from '../domain/cloud/alert-rule-body.js';
import type { DashboardBody, TrainingBody } from './api/model.js';
import { RequestBudget } from './budget.js';
import type { TwinEdgeCloudApi } from './client/client-api.js';
import { TwinEdgeApiError, errorText, httpStatus } from './client/api-error.js';
import type { MisreadInfo } from './client/request.js';
import { TwinEdgeClient, type IngestPath } from './client/twinedge-client.js';
import { baseUrlProblem, hostOf } from '../domain/sync/base-url.js';
import { systemClock, type Clock } from './clock.js';
import { CloudCache, listEvery } from './cloud-cache.js';
import { DeviceSync } from './device-sync.js';
import { TagDirectory, linkedAsset } from './directory.js';
import type { TagTarget } from './points.js';
import { BufferPolicy } from './buffer-policy.js';
import { SyncSettingsStore, settingKeys, type SyncSettings } from './sync-settings.js';
import { Uploader, type UploaderEvent, type UploaderState } from './uploader.js';

/** Where the API key lives in the secret store. */
export const API_KEY_SECRET = 'twinedge/api-key';
export { DEFAULT_BASE_URL, type SyncSettings } from './sync-settings.js';

export interface SyncServiceOptions {
  store: Store;
  secrets: SecretStore;
  log: Logger;
  onStatus(status: SyncStatus): void;
  clock?: Clock;
  /** Overrides the stored base URL (tests, --config). */
  baseUrl?: string;
  /** Replaces the HTTP client (never needed with the local API; kept for the Electron-less shell tests). */
  clientFactory?: (o: { baseUrl: string; apiKey: () => Promise<string | null>; uploads: boolean }) => TwinEdgeCloudApi;
  uploader?: { maxPoints?: number; liveIntervalMs?: number; backoff?: { baseMs: number; capMs: number } };
  /** TwinEdge's alert rules were fetched (the alarm engine evaluates those it can map to local tags with `tags`). */
  onCloudRules?: (rules: AlertRule[], tags: CloudTagMap) => void;
  /** TwinEdge's alert events were fetched, or the key changed (openAlertEvents may answer differently). */
  onCloudAlerts?: () => void;
  /** How often device links and the cloud lists are refreshed when online (default: from the budget). */
  refreshMs?: number;
}

/**
 * TwinEdge cloud sync: the API key (keychain only, never leaves this object except on the wire), the
 * store-and-forward uploader, device registration, and the cached cloud lists. Everything works with the
 * cloud absent; state and backlog are reported so the engineer can tell how long the buffer will last.
 */
export class SyncService {
  private readonly clock: Clock;
  private readonly budget: RequestBudget;
  private readonly directory: TagDirectory;
  private readonly uploader: Uploader;
  private readonly devices: DeviceSync;
  private readonly cache: CloudCache;
  private readonly buffer: BufferPolicy;
  private readonly uploadMeter = new RateMeter(60_000);
  private key: string | null = null;
  private keyError: string | null = null;
  private uploadClient: TwinEdgeCloudApi | null = null;
  private callClient: TwinEdgeCloudApi | null = null;
  private lastError: { at: number; message: string } | null = null;
  private lastUploadAt: number | null = null;
  private uploaderDetail: string | null = null;
  private tier: SyncStatus['budget']['tier'] = null;
  private refreshTimer: NodeJS.Timeout | null = null;
  private statusTimer: NodeJS.Timeout | null = null;
  private deviceSyncRunning: Promise<void> | null = null;
  private deviceSyncAgain = false;
  /** Consecutive failed registration passes (network), for the retry backoff and the offline state. */
  private deviceSyncFailures = 0;
  /** Consecutive failed registration passes of any kind, for the retry backoff. */
  private deviceSyncAttempts = 0;
  /** The last answer from TwinEdge to any call was 401/403: the key is refused, whoever asked. */
  private keyRefused: string | null = null;
  private deviceSyncRetry: AbortController | null = null;
  private rates = { ingest: 0, upload: 0 };
  /**
   * The last device registration pass got an answer that was not a success (5xx, 429, an unreadable answer): why,
   * for the "TwinEdge answered, but ..." state. Cleared by a pass that completes.
   */
  private deviceSyncProblem: string | null = null;
  /** GET /auth/key answered 404: this service does not tell a key's tier and limits (asked again for a new client). */
  private keyInfoUnsupported = false;
  /** Misread answers and ingest answer shapes already logged (WARN once per distinct one). */
  private readonly warnedOnce = new Set<string>();
  /** What `emit` last reported, to log each change of state once. */
  private loggedState: { state: SyncState; detail: string } | null = null;
  /** TwinEdge answered a request of the current clients (any status). */
  private answered = false;
  private stopped = false;
  private readonly installId: string;
  private readonly settings: SyncSettingsStore;

  constructor(private readonly o: SyncServiceOptions) {
    this.clock = o.clock ?? systemClock;
    this.settings = new SyncSettingsStore(o.store.settings, o.baseUrl);
    this.buffer = new BufferPolicy({ store: o.store, settings: this.settings, clock: this.clock, log: o.log });
    this.budget = new RequestBudget(this.clock);
    this.directory = new TagDirectory(o.store);
    this.cache = new CloudCache(o.store.settings, this.clock);
    const id = o.store.settings.get(settingKeys.installId);
    this.installId = typeof id === 'string' ? id : randomUUID();
    if (typeof id !== 'string') o.store.settings.set(settingKeys.installId, this.installId);
    this.devices = new DeviceSync({
      store: o.store,
      clock: this.clock,
      installId: this.installId,
      onChange: () => {
        this.directory.refresh();
        this.uploader.poke();
      },
    });
    this.uploader = new Uploader({
      store: o.store,
      client: () => this.uploadClient,
      budget: this.budget,
      directory: this.directory,
      clock: this.clock,
      ...o.uploader,
      onEvent: (e) => this.onUploader(e),
    });
    this.uploader.setPaused(this.paused);
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  async start(): Promise<void> {
    try {
      this.key = await this.o.secrets.get(API_KEY_SECRET);
      secretRedactor.register(this.key);
      this.keyError = null;
      // A key stored before keys were bound to a host is bound to the host it has been used with.
      const host = hostOf(this.baseUrl);
      if (this.key && host && typeof this.o.store.settings.get(settingKeys.keyHost) !== 'string')
        this.o.store.settings.set(settingKeys.keyHost, host);
    } catch (err) {
      this.key = null;
      this.keyError = `The TwinEdge API key could not be read from ${this.o.secrets.description}: ${errorText(err)}`;
      this.o.log.warn(this.keyError);
    }
    this.makeClients();
    this.uploader.start();
    this.syncDevicesSoon();
    this.scheduleRefresh(0);
    this.statusTimer = setInterval(() => this.emit(), 1000);
    this.statusTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.deviceSyncRetry?.abort();
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    if (this.statusTimer) clearInterval(this.statusTimer);
    await this.uploader.stop();
    await this.deviceSyncRunning?.catch(() => undefined);
  }

  /** How the sample writer queues new samples for upload: null while sync is off (nothing buffered). */
  queuePolicy(): QueuePolicy | null {
    if (!this.key) return null;
    return (inserted, outbox) => this.buffer.enqueue(inserted, outbox);
  }

  /** Devices or tags changed: names, links and registration follow. */
  devicesChanged(): void {
    this.directory.refresh();
    this.deviceSyncAgain = true;
    this.syncDevicesSoon();
  }

  /** A device was deleted locally: its queued samples go with it (its stored samples already have). */
  deviceDeleted(deviceId: number): void {
    const inflight = this.o.store.sync.inflight();
    this.o.store.outbox.deleteDevice(deviceId, new Set(inflight?.seqs ?? []));
    this.devicesChanged();
  }

  // ---- calls ------------------------------------------------------------------------------------

  status(): SyncStatus {
    const { store } = this.o;
    const totals = store.outbox.current;
    const capBytes = this.capBytes;
    const perSample = totals.samples > 0 ? totals.bytes / totals.samples : 60;
    const left = Math.max(0, capBytes - totals.bytes);
    // Read once per status (every second): both the state and its summary depend on it.
    const problem = this.problem();
    const state = this.state(problem);
    const rl = this.budget.lastState;
    const links = store.sync.links();
    const byId = new Map(links.map((l) => [l.deviceId, l]));
    return {
      state,
      summary: this.summary(state, problem),
      baseUrl: this.baseUrl,
      key: {
        set: this.key !== null,
        last4: this.key ? this.key.slice(-4) : null,
        storedIn: this.o.secrets.description,
        host: this.key ? this.keyHost : null,
      },
      paused: this.paused,
      backlog: {
        samples: totals.samples,
        oldestTs: totals.samples > 0 ? store.outbox.oldestTs() : null,
        bytes: totals.bytes,
        capBytes,
        policy: this.policy,
        droppedSamples: this.counter(settingKeys.dropped),
        hoursOfOutageLeft: this.rates.ingest > 0 ? left / perSample / this.rates.ingest / 3600 : null,
      },
      budget: {
        tier: this.tier,
        perMinute:
          rl && rl.limit !== null && rl.remaining !== null && rl.resetAt !== null
            ? { limit: rl.limit, remaining: rl.remaining, resetAt: rl.resetAt }
            : null,
        perDay:
          rl && rl.dayLimit !== null && rl.dayRemaining !== null && rl.dayResetAt !== null
            ? { limit: rl.dayLimit, remaining: rl.dayRemaining, resetAt: rl.dayResetAt }
            : null,
      },
      uploadRate: Math.round(this.rates.upload * 10) / 10,
      ingestRate: Math.round(this.rates.ingest * 10) / 10,
      uploadedTotal: this.counter(settingKeys.uploaded),
      lastUploadAt: this.lastUploadAt,
      lastError: this.lastError,
      rejectedTotal: this.counter(settingKeys.rejected),
      // From the directory, not the store: a status goes out every second, and devices can hold 100,000 tags.
      devices: this.directory.devices().map((d) => {
        const l = byId.get(d.id);
        return {
          deviceId: d.id,
          name: d.name,
          cloudId: l?.cloudId ?? null,
          state: l?.state === 'unlinked' || l?.state === 'deleting' ? 'unlinked' : (l?.state ?? 'pending'),
          message: l?.message ?? null,
          syncedAt: l?.syncedAt ?? null,
        };
      }),
    };
  }

  configure(input: SyncSettings): SyncStatus {
    this.storeSettings(input);
    return this.settingsStored(input);
  }

  /**
   * Writes settings to the store and nothing else, so a caller can do it inside its own transaction (a config
   * file); once that has committed, `settingsStored` with the same input acts on them. Split so that clients
   * and uploader never run on settings that may still roll back.
   */
  storeSettings(input: SyncSettings): void {
    this.settings.write(input);
  }

  /** Brings clients and uploader in line with settings `storeSettings` wrote (and that are committed). */
  settingsStored(input: SyncSettings): SyncStatus {
    const { paused, ...settings } = input;
    if (settings.baseUrl !== undefined) {
      this.makeClients();
      this.uploader.keyChanged();
      this.scheduleRefresh(0);
    }
    const changed = Object.entries(settings).filter(([, v]) => v !== undefined);
    if (changed.length > 0) this.o.log.info(`Cloud sync settings changed (${changed.map(([k]) => k).join(', ')}).`);
    if (paused !== undefined) {
      this.uploader.setPaused(paused);
      if (!paused) {
        // Registration waits while paused too; devices added meanwhile are registered now.
        this.deviceSyncAgain = true;
        this.syncDevicesSoon();
      }
      this.o.log.info(paused ? 'Cloud uploads paused (samples are still buffered).' : 'Cloud uploads resumed.');
    }
    return this.emit();
  }

  async setKey(key: string): Promise<SyncStatus> {
    // Registered before anything can fail with it: from now on the key cannot reach a log line.
    secretRedactor.register(key);
    const host = hostOf(this.baseUrl);
    const problem = baseUrlProblem(this.baseUrl);
    if (problem || !host)
      throw new TwinEdgeNotConfigured(`The TwinEdge address ${this.baseUrl} cannot be used: ${problem ?? 'not a URL'}`);
    await this.o.secrets.set(API_KEY_SECRET, key);
    this.o.store.settings.set(settingKeys.keyHost, host);
    this.key = key;
    this.keyError = null;
    this.keyRefused = null;
    this.lastError = null;
    this.makeClients();
    this.uploader.keyChanged();
    this.devices.retryWaiting();
    this.deviceSyncAgain = true;
    this.syncDevicesSoon();
    this.o.log.info(`TwinEdge API key stored in ${this.o.secrets.description}, for ${host} only.`);
    this.scheduleRefresh(0);
    return this.emit();
  }

  async removeKey(): Promise<SyncStatus> {
    await this.o.secrets.delete(API_KEY_SECRET);
    this.o.store.settings.delete(settingKeys.keyHost);
    this.key = null;
    this.tier = null;
    this.makeClients();
    this.uploader.keyChanged();
    this.o.log.info('TwinEdge API key removed; cloud sync is off (samples already buffered are kept).');
    this.o.onCloudAlerts?.();
    return this.emit();
  }

  async testKey(): Promise<KeyTestResult> {
    const client = this.callClient;
    if (!client) return { ok: false, info: null, message: this.blockReason() ?? this.keyError ?? 'No API key is set.' };
    try {
      const k = await client.keyInfo();
      this.useKeyInfo(k);
      this.emit();
      const tier = k.tier === 'unknown' ? null : k.tier;
      const perMinute = k.limits.per_minute;
      const perDay = k.limits.per_day;
      const limits = perMinute !== null && perDay !== null ? `, ${perMinute} requests/min, ${perDay} requests/day` : '';
      return {
        ok: true,
        info:
          tier && perMinute !== null && perDay !== null
            ? { name: k.name, tier, scopes: k.scopes, perMinute, perDay }
            : null,
        message: `Key accepted: ${tier ? `${tier} tier` : 'tier not reported'}${limits}.`,
      };
    } catch (err) {
      if (httpStatus(err) !== 404) {
        return { ok: false, info: null, message: errorText(err) };
      }
      this.keyInfoUnsupported = true;
    }
    // The service does not describe keys (GET /auth/key is our addition): one cheap call says whether it takes it.
    const unknownLimits =
      'it does not report the key’s tier or limits, so uploads are paced for the smallest (Trial) until its rate-limit headers say more';
    try {
      await client.listDevices({ page: 1, per_page: 1 });
      return { ok: true, info: null, message: `Key accepted by TwinEdge; ${unknownLimits}.` };
    } catch (err) {
      if (httpStatus(err) === 403)
        return {
          ok: true,
          info: null,
          message: `Key accepted by TwinEdge, with limited scopes (it may not read devices: 403 to GET /devices); ${unknownLimits}.`,
        };
      return { ok: false, info: null, message: errorText(err) };
    }
  }

  setPaused(paused: boolean): SyncStatus {
    return this.configure({ paused });
  }

  rejections(limit: number): PointRejectionView[] {
    return this.o.store.sync.rejections(limit);
  }

  async resolveDevice(deviceId: number, action: 'overwrite' | 'link' | 'unlink'): Promise<SyncStatus> {
    if (action === 'unlink') {
      await this.devices.resolve(this.requireClient(), deviceId, action);
      const inflight = this.o.store.sync.inflight();
      this.o.store.outbox.deleteDevice(deviceId, new Set(inflight?.seqs ?? []));
    } else await this.devices.resolve(this.requireClient(), deviceId, action);
    this.directory.refresh();
    this.uploader.poke();
    return this.emit();
  }

  /** TwinEdge's devices, to pick one for a link by hand; the error says why there is no list (then type the id). */
  async cloudDevices(): Promise<CloudDeviceChoices> {
    const client = this.requireClient();
    try {
      return { items: await this.devices.choices(client), error: null };
    } catch (err) {
      const refused = httpStatus(err) === 403;
      return {
        items: [],
        error: refused
          ? 'This API key may not list TwinEdge devices (403 to GET /devices): type the asset id of the TwinEdge device instead.'
          : `TwinEdge's device list is not available: ${errorText(err)}. Type the asset id of the TwinEdge device instead.`,
      };
    }
  }

  /** Links a local device to an existing TwinEdge device by hand; its buffered samples then upload there. */
  async linkDevice(deviceId: number, cloudId: string): Promise<SyncStatus> {
    if (!this.o.store.devices.get(deviceId)) throw new TwinEdgeNotConfigured(`There is no local device ${deviceId}.`);
    await this.devices.linkByHand(this.requireClient(), deviceId, cloudId.trim());
    this.o.log.info(
      `Cloud sync: "${this.directory.deviceName(deviceId)}" linked by hand to TwinEdge asset ${cloudId.trim()}.`,
    );
    this.directory.refresh();
    this.uploader.poke();
    return this.emit();
  }

  async alerts(refresh: boolean): Promise<CloudAlerts> {
    if (refresh && this.callClient) await this.refreshAlerts(this.callClient);
    const rules = this.cache.get('alertRules');
    const events = this.cache.get('alertEvents');
    return {
      rules: rules.items,
      events: events.items,
      fetchedAt: rules.fetchedAt,
      error: rules.error ?? events.error ?? (this.callClient ? null : 'Not connected to TwinEdge (no API key).'),
    };
  }

  /** TwinEdge's alert events as last fetched, while a key is set (none without one, as the Active list shows). */
  openAlertEvents(): AlertEvent[] {
    return this.key === null ? [] : this.cache.get('alertEvents').items;
  }

  async createAlertRule(body: AlertRuleBody): Promise<AlertRule> {
    const rule = await this.requireClient().createAlertRule(body);
    this.cache.add('alertRules', rule);
    this.o.log.info(`Alert rule "${rule.name}" created in TwinEdge (${rule.id}).`);
    return rule;
  }

  async dashboards(refresh: boolean): Promise<CloudList<Dashboard>> {
    if (refresh && this.callClient) await this.cache.refresh('dashboards', this.callClient);
    return this.withNoKey(this.cache.get('dashboards'));
  }

  async models(refresh: boolean): Promise<CloudList<MlModel>> {
    if (refresh && this.callClient) await this.cache.refresh('models', this.callClient);
    return this.withNoKey(this.cache.get('models'));
  }

  async predictions(deviceId: number, hours: number): Promise<Prediction[]> {
    const assetId = this.assetOf(deviceId);
    const end = this.clock.now();
    const client = this.requireClient();
    return listEvery((q) =>
      client.predictions({
        ...q,
        asset_id: assetId,
        start: new Date(end - hours * 3_600_000).toISOString(),
        end: new Date(end).toISOString(),
      }),
    );
  }

  async train(input: {
    deviceId: number;
    name: string;
    modelType: TrainingBody['model_type'];
    tagNames: string[];
    hours: number;
  }): Promise<TrainingJob> {
    const end = this.clock.now();
    const job = await this.requireClient().startTraining({
      name: input.name,
      model_type: input.modelType,
      asset_id: this.assetOf(input.deviceId),
      tag_names: input.tagNames,
      start: new Date(end - input.hours * 3_600_000).toISOString(),
      end: new Date(end).toISOString(),
    });
    this.o.log.info(`Training job "${job.name}" started in TwinEdge (${job.id}).`);
    return job;
  }

  trainingJob(id: string): Promise<TrainingJob> {
    return this.requireClient().getTrainingJob(id);
  }

  /** Which TwinEdge asset and tag name a local tag uploads as; null while its device is not linked. */
  cloudTarget(tagId: number): TagTarget | null {
    return this.directory.target(tagId);
  }

  /** The local tag that uploads as this TwinEdge asset and tag name, if any (through a linked device only). */
  localTag(assetId: string, tagName: string): number | null {
    return this.directory.local(assetId, tagName);
  }

  /** Both directions, as alarm rules map them: the same link rule as uploads, cloud history and dashboards. */
  tagMap(): CloudTagMap {
    return {
      toCloud: (tagId) => this.cloudTarget(tagId),
      toLocal: (assetId, tagName) => (assetId === undefined ? null : this.localTag(assetId, tagName)),
    };
  }

  /** The TwinEdge client for on-demand calls (history, dashboards); throws TwinEdgeNotConfigured without a key. */
  cloud(): TwinEdgeCloudApi {
    return this.requireClient();
  }

  /** Creates or updates a dashboard (recreated when it was deleted in TwinEdge) and keeps the cached list current. */
  async saveDashboard(body: DashboardBody, id: string | null): Promise<Dashboard> {
    const client = this.requireClient();
    let saved: Dashboard | null = null;
    if (id) {
      try {
        saved = await client.updateDashboard(id, body);
      } catch (err) {
        if (!(err instanceof TwinEdgeApiError && err.status === 404)) throw err;
      }
    }
    saved ??= await client.createDashboard(body);
    this.cache.put('dashboards', saved);
    this.o.log.info(`Dashboard "${saved.name}" saved in TwinEdge (${saved.id}).`);
    return saved;
  }

  /** 429 responses the uploader received (by design: none). */
  get uploaderRateLimited(): number {
    return this.uploader.rateLimitedResponses;
  }

  // ---- internals --------------------------------------------------------------------------------

  private get baseUrl(): string {
    return this.settings.baseUrl;
  }

  private get keyHost(): string | null {
    return this.settings.keyHost;
  }

  /** Why the key may not be sent to the configured address (not https, or another host than it was entered for). */
  private blockReason(): string | null {
    if (!this.key) return null;
    const problem = baseUrlProblem(this.baseUrl);
    if (problem) return `Cloud sync is off: the TwinEdge address ${this.baseUrl} cannot be used (${problem}).`;
    const host = hostOf(this.baseUrl);
    const bound = this.keyHost;
    if (bound && host !== bound)
      return `Cloud sync is off: the API key was entered for ${bound}, and TwinEdge is now set to ${host ?? this.baseUrl}. Enter the key again for ${host ?? 'the new address'} (Cloud sync view); it is never sent to another host.`;
    return null;
  }

  private get capBytes(): number {
    return this.settings.capBytes;
  }

  private get policy(): BufferFullPolicy {
    return this.settings.policy;
  }

  private get paused(): boolean {
    return this.settings.paused;
  }

  private counter(key: string): number {
    return this.settings.counter(key);
  }

  private bump(key: string, n: number): void {
    this.settings.bump(key, n);
  }

  private makeClients(): void {
    this.keyInfoUnsupported = false;
    this.answered = false;
    this.tier = null;
    const block = this.blockReason();
    if (!this.key || block) {
      if (block) this.o.log.warn(block);
      this.uploadClient = null;
      this.callClient = null;
      return;
    }
    const apiKey = (): Promise<string | null> => Promise.resolve(this.key);
    const baseUrl = this.baseUrl;
    const host = hostOf(baseUrl) ?? baseUrl;
    const remembered = this.o.store.settings.get(settingKeys.ingestPath) as
      { host?: unknown; path?: unknown } | undefined;
    const ingestPath: IngestPath | undefined =
      remembered?.host === host && (remembered.path === '/telemetry' || remembered.path === '/telemetry/ingest')
        ? remembered.path
        : undefined;
    const make = (uploads: boolean): TwinEdgeCloudApi =>
      this.o.clientFactory?.({ baseUrl, apiKey, uploads }) ??
      new TwinEdgeClient({
        baseUrl,
        apiKey,
        clock: this.clock,
        timeoutClock: systemClock,
        // The uploader retries by itself, with its batch kept on disk; other calls get a few quick retries.
        maxRetries: uploads ? 0 : 2,
        ...(ingestPath ? { ingestPath } : {}),
        onIngestPath: (path) => {
          this.o.store.settings.set(settingKeys.ingestPath, { host, path });
          this.o.log.warn(
            `TwinEdge at ${host} has no ingest route ${path === '/telemetry' ? '/telemetry/ingest' : '/telemetry'}: telemetry goes to POST ${path} from now on.`,
          );
        },
        onMisread: (info) => this.misread(info),
        onRateLimit: (state) => this.budget.observe(state),
        onRequest: ({ status, method, path }) => {
          if (status !== null) this.answered = true;
          if (status === 401) {
            // Logged once per refusal (not per retry): the key itself never is, the redactor sees to that.
            if (!this.keyRefused) this.o.log.warn(`TwinEdge refused the API key: ${status} to ${method} ${path}.`);
            this.keyRefused = `TwinEdge answered ${status} to ${method} ${path}`;
          } else if (status === 403) {
            // A key with fewer scopes is refused one thing, not everything: said once per route, sync goes on.
            this.warnOnce(
              `403 ${method} /${path.split('/')[1] ?? ''}`,
              `The API key may not ${method === 'GET' ? 'read' : 'change'} ${path} in TwinEdge (403 to ${method} ${path}): what needs it is skipped; the rest of cloud sync goes on.`,
            );
          } else if (status !== null && status < 400) this.keyRefused = null;
        },
      });
    this.uploadClient = make(true);
    this.callClient = make(false);
  }

  private requireClient(): TwinEdgeCloudApi {
    if (!this.callClient)
      throw new TwinEdgeNotConfigured(
        this.blockReason() ?? this.keyError ?? 'No TwinEdge API key is set (Cloud sync view).',
      );
    return this.callClient;
  }

  /** The device's TwinEdge asset by the same rule as its tags (predictions and training follow uploads). */
  private assetOf(deviceId: number): string {
    const link = this.o.store.sync.link(deviceId);
    const asset = link ? linkedAsset(link) : null;
    if (asset) return asset;
    throw new TwinEdgeNotConfigured(
      link?.state === 'unlinked'
        ? 'Syncing of this device to TwinEdge is switched off (see Cloud sync → Devices in TwinEdge).'
        : link?.state === 'deleting'
          ? 'This device is being removed from TwinEdge.'
          : 'This device is not registered in TwinEdge yet (see Cloud sync → Devices in TwinEdge).',
    );
  }

  private withNoKey<T>(c: CloudList<T>): CloudList<T> {
    return this.callClient || c.error ? c : { ...c, error: 'Not connected to TwinEdge (no API key).' };
  }

  private onUploader(e: UploaderEvent): void {
    switch (e.kind) {
      case 'uploaded':
        this.answered = true;
        this.lastUploadAt = e.at;
        this.lastError = null;
        this.uploadMeter.add(e.accepted);
        this.bump(settingKeys.uploaded, e.accepted);
        this.bump(settingKeys.rejected, e.rejected);
        if (e.rejected > 0)
          this.o.log.warn(`TwinEdge rejected ${e.rejected} of ${e.points} points (see Cloud sync → Rejected points).`);
        break;
      case 'error':
        if (e.answered) this.answered = true;
        if (this.lastError?.message !== e.message) this.o.log.warn(`Cloud upload: ${e.message}`);
        this.lastError = { at: e.at, message: e.message };
        break;
      case 'not-understood':
        this.warnOnce(
          `ingest ${e.shape}`,
          `TwinEdge answered POST ${e.route} with success in a shape this version does not read (${e.shape}); its batches (this one: ${e.points} points) count as delivered, and per-point rejections, if any, are not known.`,
        );
        break;
      case 'refused':
        this.o.log.warn(
          `TwinEdge refused a batch of ${e.points} points ${e.tries} time(s): ${e.message}. Its points are listed in Cloud sync → Rejected points; uploading goes on with the next batch.`,
        );
        break;
      case 'state':
        this.uploaderDetail = e.detail;
        if (e.state === 'idle' || e.state === 'uploading') this.syncDevicesSoon();
        this.emit();
        break;
      case 'discarded':
        this.o.log.info(`${e.samples} buffered samples were not uploaded: ${e.reason}.`);
        break;
    }
  }

  private state(problem: string | null): SyncState {
    if (!this.key || this.blockReason()) return 'off';
    if (this.paused) return 'paused';
    const u: UploaderState = this.uploader.state;
    if (u === 'unauthorized' || this.keyRefused) return 'unauthorized';
    // "Cannot reach" only when no answer came: every failure counted here had none.
    if (u === 'offline' || this.deviceSyncFailures > 0) return 'offline';
    if (problem) return 'problem';
    if (u === 'throttled') return 'throttled';
    // "Online" only once TwinEdge has answered something: before that nothing is known.
    return this.answered ? 'online' : 'connecting';
  }

  /** What TwinEdge answered that keeps data from flowing, as "route status: what" text; null when nothing. */
  private problem(): string | null {
    if (this.uploader.state === 'problem') return this.uploaderDetail ?? this.lastError?.message ?? 'uploads fail';
    const links = this.o.store.sync.links();
    const waiting = links.filter((l) => l.state === 'needs_link');
    if (waiting.length > 0) {
      const names = waiting.map((l) => `"${this.directory.deviceName(l.deviceId)}"`).join(', ');
      return `${waiting.length === 1 ? 'the device' : 'the devices'} ${names} cannot be registered and ${waiting.length === 1 ? 'waits' : 'wait'} to be linked to a TwinEdge device by hand (Cloud sync → Devices in TwinEdge). ${waiting[0]?.message ?? ''}`.trim();
    }
    // A device whose registration was refused has no TwinEdge asset yet: its samples wait, and that is said.
    const refused = links.find((l) => l.state === 'error' && linkedAsset(l) === null);
    if (refused)
      return `the device "${this.directory.deviceName(refused.deviceId)}" could not be registered, so its samples wait: ${refused.message ?? 'no reason given'}`;
    return this.deviceSyncProblem;
  }

  private summary(state: SyncState, problem: string | null): string {
    const backlog = this.o.store.outbox.current.samples;
    const buffered = `${backlog.toLocaleString('en-US')} samples buffered`;
    switch (state) {
      case 'off':
        return this.blockReason() ?? this.keyError ?? 'Cloud sync is off: no TwinEdge API key is set.';
      case 'paused':
        return `Uploads paused; ${buffered}.`;
      case 'unauthorized':
        return `TwinEdge refused the API key; ${buffered}. ${this.lastError?.message ?? ''}`.trim();
      case 'offline':
        return `Cannot reach TwinEdge; ${buffered} and retried automatically. ${this.lastError?.message ?? ''}`.trim();
      case 'problem':
        return `TwinEdge answered, but ${(problem ?? 'not with a delivery').replace(/\.+$/, '')}; ${buffered}.`;
      case 'throttled':
        return `Waiting for the request budget; ${buffered}. ${this.uploaderDetail ?? ''}`.trim();
      case 'connecting':
        return `Connecting to TwinEdge at ${hostOf(this.baseUrl) ?? this.baseUrl}; ${buffered}.`;
      case 'online':
        return backlog > 0 ? `Uploading; ${buffered}.` : 'Up to date with TwinEdge.';
    }
  }

  private emit(): SyncStatus {
    const now = this.clock.now();
    this.rates = { ingest: this.buffer.ingestMeter.rate(now), upload: this.uploadMeter.rate(now) };
    const s = this.status();
    this.logState(s);
    this.o.onStatus(s);
    return s;
  }

  /** Every change of sync state, once, with its reason (WARN when data does not flow). */
  private logState(s: SyncStatus): void {
    const detail =
      s.state === 'online' || s.state === 'paused'
        ? ''
        : s.summary.replace(/\d[\d,]* samples buffered/, 'samples buffered');
    const before = this.loggedState;
    if (before && before.state === s.state && before.detail === detail) return;
    this.loggedState = { state: s.state, detail };
    if (!before && s.state === 'off' && !this.key) return;
    const line = `Cloud sync: ${before ? `${before.state} → ` : ''}${s.state}. ${s.summary}`;
    if (s.state === 'offline' || s.state === 'problem' || s.state === 'unauthorized') this.o.log.warn(line);
    else this.o.log.info(line);
  }

  /** A successful answer with parts we could not read: said once per route and problem, as a WARN. */
  private misread(info: MisreadInfo): void {
    this.warnOnce(
      `${info.method} ${info.path} ${info.what.replace(/\[\d+\]/g, '[]')}`,
      `TwinEdge answered ${info.method} ${info.path} with ${info.status}, but this version could not read all of it (${info.what}); the rest was used.`,
    );
  }

  private warnOnce(key: string, line: string): void {
    if (this.warnedOnce.has(key)) return;
    this.warnedOnce.add(key);
    this.o.log.warn(line);
  }

  private syncDevicesSoon(): void {
    const client = this.callClient;
    if (!client || this.paused || this.stopped) return;
    if (this.deviceSyncRunning) {
      this.deviceSyncAgain = true;
      return;
    }
    const links = this.o.store.sync.links();
    const pending = this.o.store.devices.list().some((d) => {
      const l = links.find((x) => x.deviceId === d.id);
      return !l || l.state === 'pending' || l.state === 'error';
    });
    if (!pending && !this.deviceSyncAgain && links.every((l) => this.o.store.devices.get(l.deviceId))) return;
    this.deviceSyncAgain = false;
    this.deviceSyncRetry?.abort();
    this.deviceSyncRetry = null;
    this.deviceSyncRunning = this.devices
      .syncAll(client)
      .then(() => {
        this.answered = true;
        this.deviceSyncFailures = 0;
        this.deviceSyncAttempts = 0;
        this.deviceSyncProblem = null;
      })
      .catch((err: unknown) => {
        const answered = err instanceof TwinEdgeApiError && err.status !== null;
        // Only a failure without an answer means "offline"; an answer that is not a success is a problem.
        if (answered) {
          this.answered = true;
          this.deviceSyncFailures = 0;
          this.deviceSyncProblem = `device registration failed: ${err.method ?? ''} ${err.path ?? ''} answered ${err.status}: ${errorText(err)}`;
        } else {
          this.deviceSyncFailures += 1;
          this.deviceSyncProblem = null;
        }
        this.deviceSyncAttempts += 1;
        this.lastError = { at: this.clock.now(), message: `Device registration: ${errorText(err)}` };
        this.retryDeviceSync();
      })
      .finally(() => {
        this.deviceSyncRunning = null;
        this.directory.refresh();
        this.uploader.poke();
        if (this.deviceSyncAgain) this.syncDevicesSoon();
        this.emit();
      });
  }

  /** Registration failed (TwinEdge unreachable): samples of unregistered devices wait, so try again soon. */
  private retryDeviceSync(): void {
    const shape = { baseMs: 1000, capMs: 60_000, maxExponent: 6, jitterFloor: 0.5, jitterSpread: 0.5 };
    const wait = backoffMs(this.deviceSyncAttempts - 1, shape);
    const controller = new AbortController();
    this.deviceSyncRetry = controller;
    this.clock.sleep(wait, controller.signal).then(
      () => {
        this.deviceSyncAgain = true;
        this.syncDevicesSoon();
      },
      () => undefined,
    );
  }

  /** Tier and limits from GET /auth/key, where the service reported them. */
  private useKeyInfo(k: KeyInfoAnswer): void {
    this.tier = k.tier === 'unknown' ? null : k.tier;
    const { per_minute: perMinute, per_day: perDay } = k.limits;
    if (perMinute !== null && perDay !== null && perMinute > 0 && perDay > 0)
      this.budget.setLimits({ perMinute, perDay });
  }

  private async refreshAlerts(client: TwinEdgeCloudApi): Promise<void> {
    const rules = await this.cache.refresh('alertRules', client);
    // A key refused for the rules is refused for the events too.
    if (!this.keyRefused) {
      await this.cache.refresh('alertEvents', client);
      this.o.onCloudAlerts?.();
    }
    if (rules.error === null) this.o.onCloudRules?.(rules.items, this.tagMap());
  }

  /** Key info, device registration and the cloud lists, at a pace the request budget's reserve allows. */
  private scheduleRefresh(delayMs: number): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refresh(), delayMs);
    this.refreshTimer.unref();
  }

  private async refresh(): Promise<void> {
    const client = this.callClient;
    if (client && !this.paused && this.budget.reserveAvailable()) {
      this.deviceSyncAgain = true;
      this.syncDevicesSoon();
      // Each list on its own: one the service does not offer or the key may not read leaves the others.
      if (!this.tier && !this.keyInfoUnsupported) {
        try {
          this.useKeyInfo(await client.keyInfo());
        } catch (err) {
          const status = httpStatus(err);
          if (status === 404 || status === 403) {
            // GET /auth/key is our addition: a service without it simply does not tell.
            this.keyInfoUnsupported = true;
            this.o.log.info(
              `TwinEdge at ${hostOf(this.baseUrl) ?? this.baseUrl} does not report the key's tier and limits (${status} to GET /auth/key): uploads are paced for the smallest tier (Trial) until its rate-limit headers say more.`,
            );
          } else this.lastError = { at: this.clock.now(), message: errorText(err) };
        }
      }
      try {
        // A refused key (401) is refused everywhere: asking for more lists would only repeat the answer.
        if (!this.keyRefused) await this.refreshAlerts(client);
        if (!this.keyRefused) await this.cache.refresh('dashboards', client);
        if (!this.keyRefused) await this.cache.refresh('models', client);
      } catch (err) {
        this.lastError = { at: this.clock.now(), message: errorText(err) };
      }
    }
    // About 8 requests per refresh; spend at most a third of the day's 10 % reserve on them.
    const perDay = this.budget.current.perDay;
    const interval = this.o.refreshMs ?? Math.max(5 * 60_000, (86_400_000 * 8) / Math.max(1, (perDay * 0.1) / 3));
    if (!this.stopped) this.scheduleRefresh(interval);
  }
}

/** A cloud call was made with no key set or before the device is registered. */
export class TwinEdgeNotConfigured extends Error {
  override readonly name = 'TwinEdgeNotConfigured';
}
