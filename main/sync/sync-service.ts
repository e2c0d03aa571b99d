import { randomUUID } from 'node:crypto';
import type { CloudTagMap } from '../alerts/cloud-rules.js';
import type { Sample } from '../collect/types.js';
import type {
  BufferFullPolicy,
  CloudAlerts,
  CloudList,
  KeyTestResult,
  PointRejectionView,
  SyncState,
  SyncStatus,
} from '../contract/sync-contract.js';
import type { Logger } from '../log/logger.js';
import { secretRedactor } from '../log/redactor.js';
import { RateMeter } from '../app/status-meter.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { OutboxRepo } from '../store/outbox-repo.js';
import type { QueuePolicy, Store } from '../store/store.js';
import type {
  AlertRule,
  AlertRuleBody,
  Dashboard,
  DashboardBody,
  MlModel,
  Prediction,
  TrainingBody,
  TrainingJob,
} from './api/model.js';
import { RequestBudget } from './budget.js';
import type { TwinEdgeCloudApi } from './client/client-api.js';
import { TwinEdgeApiError, errorText } from './client/api-error.js';
import { TwinEdgeClient } from './client/twinedge-client.js';
import { systemClock, type Clock } from './clock.js';
import { CloudCache, listEvery } from './cloud-cache.js';
import { DeviceSync } from './device-sync.js';
import { TagDirectory, linkedAsset } from './directory.js';
import type { TagTarget } from './points.js';
import { Uploader, type UploaderEvent, type UploaderState } from './uploader.js';

/** Where the API key lives in the secret store. */
export const API_KEY_SECRET = 'twinedge/api-key';
export const DEFAULT_BASE_URL = 'https://api.twinedgeai.com/v1';
const DEFAULT_CAP_BYTES = 1024 * 1024 * 1024;

const keys = {
  baseUrl: 'sync.baseUrl',
  capBytes: 'sync.capBytes',
  policy: 'sync.policy',
  paused: 'sync.paused',
  dropped: 'sync.droppedSamples',
  uploaded: 'sync.uploadedTotal',
  rejected: 'sync.rejectedTotal',
  installId: 'sync.installId',
} as const;

/** Sync settings as the UI and the config file change them (each one optional: absent means unchanged). */
export interface SyncSettings {
  baseUrl?: string | undefined;
  capMiB?: number | undefined;
  policy?: BufferFullPolicy | undefined;
  paused?: boolean | undefined;
}

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
  private readonly ingestMeter = new RateMeter(60_000);
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
  /** The last answer from TwinEdge to any call was 401/403: the key is refused, whoever asked. */
  private keyRefused: string | null = null;
  private deviceSyncRetry: AbortController | null = null;
  private rates = { ingest: 0, upload: 0 };
  private stopped = false;
  private readonly installId: string;

  constructor(private readonly o: SyncServiceOptions) {
    this.clock = o.clock ?? systemClock;
    this.budget = new RequestBudget(this.clock);
    this.directory = new TagDirectory(o.store);
    this.cache = new CloudCache(o.store.settings, this.clock);
    const id = o.store.settings.get(keys.installId);
    this.installId = typeof id === 'string' ? id : randomUUID();
    if (typeof id !== 'string') o.store.settings.set(keys.installId, this.installId);
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
    return (inserted, outbox) => this.enqueue(inserted, outbox);
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
    const state = this.state();
    const rl = this.budget.lastState;
    const links = store.sync.links();
    const byId = new Map(links.map((l) => [l.deviceId, l]));
    return {
      state,
      summary: this.summary(state),
      baseUrl: this.baseUrl,
      key: {
        set: this.key !== null,
        last4: this.key ? this.key.slice(-4) : null,
        storedIn: this.o.secrets.description,
      },
      paused: this.paused,
      backlog: {
        samples: totals.samples,
        oldestTs: totals.samples > 0 ? store.outbox.oldestTs() : null,
        bytes: totals.bytes,
        capBytes,
        policy: this.policy,
        droppedSamples: this.counter(keys.dropped),
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
      uploadedTotal: this.counter(keys.uploaded),
      lastUploadAt: this.lastUploadAt,
      lastError: this.lastError,
      rejectedTotal: this.counter(keys.rejected),
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
    const s = this.o.store.settings;
    if (input.baseUrl !== undefined) s.set(keys.baseUrl, input.baseUrl.replace(/\/+$/, ''));
    if (input.capMiB !== undefined) s.set(keys.capBytes, input.capMiB * 1024 * 1024);
    if (input.policy !== undefined) s.set(keys.policy, input.policy);
    if (input.paused !== undefined) s.set(keys.paused, input.paused);
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
    await this.o.secrets.set(API_KEY_SECRET, key);
    this.key = key;
    this.keyError = null;
    this.keyRefused = null;
    this.lastError = null;
    this.makeClients();
    this.uploader.keyChanged();
    this.o.log.info(`TwinEdge API key stored in ${this.o.secrets.description}.`);
    this.scheduleRefresh(0);
    return this.emit();
  }

  async removeKey(): Promise<SyncStatus> {
    await this.o.secrets.delete(API_KEY_SECRET);
    this.key = null;
    this.tier = null;
    this.makeClients();
    this.uploader.keyChanged();
    this.o.log.info('TwinEdge API key removed; cloud sync is off (samples already buffered are kept).');
    return this.emit();
  }

  async testKey(): Promise<KeyTestResult> {
    const client = this.callClient;
    if (!client) return { ok: false, info: null, message: this.keyError ?? 'No API key is set.' };
    try {
      const k = await client.keyInfo();
      this.tier = k.tier;
      this.budget.setLimits({ perMinute: k.limits.per_minute, perDay: k.limits.per_day });
      this.emit();
      return {
        ok: true,
        info: {
          name: k.name,
          tier: k.tier,
          scopes: k.scopes,
          perMinute: k.limits.per_minute,
          perDay: k.limits.per_day,
        },
        message: `Key accepted: ${k.tier} tier, ${k.limits.per_minute} requests/min, ${k.limits.per_day} requests/day.`,
      };
    } catch (err) {
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
    const stored = this.o.store.settings.get(keys.baseUrl);
    return this.o.baseUrl ?? (typeof stored === 'string' ? stored : DEFAULT_BASE_URL);
  }

  private get capBytes(): number {
    const v = this.o.store.settings.get(keys.capBytes);
    return typeof v === 'number' && v > 0 ? v : DEFAULT_CAP_BYTES;
  }

  private get policy(): BufferFullPolicy {
    const v = this.o.store.settings.get(keys.policy);
    return v === 'drop-newest' ? 'drop-newest' : 'drop-oldest';
  }

  private get paused(): boolean {
    return this.o.store.settings.get(keys.paused) === true;
  }

  private counter(key: string): number {
    const v = this.o.store.settings.get(key);
    return typeof v === 'number' ? v : 0;
  }

  private bump(key: string, n: number): void {
    if (n > 0) this.o.store.settings.set(key, this.counter(key) + n);
  }

  private makeClients(): void {
    if (!this.key) {
      this.uploadClient = null;
      this.callClient = null;
      return;
    }
    const apiKey = (): Promise<string | null> => Promise.resolve(this.key);
    const make = (uploads: boolean): TwinEdgeCloudApi =>
      this.o.clientFactory?.({ baseUrl: this.baseUrl, apiKey, uploads }) ??
      new TwinEdgeClient({
        baseUrl: this.baseUrl,
        apiKey,
        clock: this.clock,
        timeoutClock: systemClock,
        // The uploader retries by itself, with its batch kept on disk; other calls get a few quick retries.
        maxRetries: uploads ? 0 : 2,
        onRateLimit: (state) => this.budget.observe(state),
        onRequest: ({ status, method, path }) => {
          if (status === 401 || status === 403) {
            // Logged once per refusal (not per retry): the key itself never is, the redactor sees to that.
            if (!this.keyRefused) this.o.log.warn(`TwinEdge refused the API key: ${status} to ${method} ${path}.`);
            this.keyRefused = `TwinEdge answered ${status} to ${method} ${path}`;
          } else if (status !== null && status < 400) this.keyRefused = null;
        },
      });
    this.uploadClient = make(true);
    this.callClient = make(false);
  }

  private requireClient(): TwinEdgeCloudApi {
    if (!this.callClient)
      throw new TwinEdgeNotConfigured(this.keyError ?? 'No TwinEdge API key is set (Settings → Cloud sync).');
    return this.callClient;
  }

  /** The device's TwinEdge asset by the same rule as its tags (predictions and training follow uploads). */
  private assetOf(deviceId: number): string {
    const link = this.o.store.sync.link(deviceId);
    const asset = link ? linkedAsset(link) : null;
    if (asset) return asset;
    throw new TwinEdgeNotConfigured(
      link?.state === 'unlinked'
        ? 'Syncing of this device to TwinEdge is switched off (see Settings → Cloud sync → Devices).'
        : link?.state === 'deleting'
          ? 'This device is being removed from TwinEdge.'
          : 'This device is not registered in TwinEdge yet (see Settings → Cloud sync → Devices).',
    );
  }

  private withNoKey<T>(c: CloudList<T>): CloudList<T> {
    return this.callClient || c.error ? c : { ...c, error: 'Not connected to TwinEdge (no API key).' };
  }

  /** Inside the storing transaction: queue what was stored, within the disk cap and its policy. */
  private enqueue(inserted: readonly Sample[], outbox: OutboxRepo): void {
    const cap = this.capBytes;
    const estimate = inserted.length * 40;
    if (outbox.current.bytes + estimate > cap) {
      if (this.policy === 'drop-newest') {
        this.dropped(inserted.length);
        return;
      }
      const protect = new Set(this.o.store.sync.inflight()?.seqs ?? []);
      let dropped = 0;
      while (outbox.current.bytes + estimate > cap) {
        const n = outbox.dropOldest(outbox.current.bytes + estimate - cap, protect);
        if (n === 0) break;
        dropped += n;
      }
      this.dropped(dropped);
    }
    const queued = outbox.enqueue(inserted, this.unlinkedDevices());
    this.ingestMeter.add(queued);
  }

  private unlinkedDevices(): Set<number> {
    const out = new Set<number>();
    for (const l of this.o.store.sync.links()) if (l.state === 'unlinked') out.add(l.deviceId);
    return out;
  }

  private droppedWarned = 0;
  private dropped(n: number): void {
    if (n <= 0) return;
    this.bump(keys.dropped, n);
    const now = this.clock.now();
    if (now - this.droppedWarned > 60_000) {
      this.droppedWarned = now;
      this.o.log.warn(
        `Cloud upload buffer is full (${Math.round(this.capBytes / 1048576)} MiB): ${this.policy === 'drop-oldest' ? 'the oldest buffered samples are dropped' : 'new samples are not buffered'} (policy ${this.policy}). Local history is not affected.`,
      );
    }
  }

  private onUploader(e: UploaderEvent): void {
    switch (e.kind) {
      case 'uploaded':
        this.lastUploadAt = e.at;
        this.lastError = null;
        this.uploadMeter.add(e.accepted);
        this.bump(keys.uploaded, e.accepted);
        this.bump(keys.rejected, e.rejected);
        if (e.rejected > 0)
          this.o.log.warn(
            `TwinEdge rejected ${e.rejected} of ${e.points} points (see Settings → Cloud sync → Rejected points).`,
          );
        break;
      case 'error':
        if (this.lastError?.message !== e.message) this.o.log.warn(`Cloud upload: ${e.message}`);
        this.lastError = { at: e.at, message: e.message };
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

  private state(): SyncState {
    if (!this.key) return 'off';
    if (this.paused) return 'paused';
    const u: UploaderState = this.uploader.state;
    if (u === 'unauthorized' || this.keyRefused) return 'unauthorized';
    if (u === 'offline' || this.deviceSyncFailures > 0) return 'offline';
    if (u === 'throttled') return 'throttled';
    return 'online';
  }

  private summary(state: SyncState): string {
    const backlog = this.o.store.outbox.current.samples;
    const buffered = `${backlog.toLocaleString('en-US')} samples buffered`;
    switch (state) {
      case 'off':
        return this.keyError ?? 'Cloud sync is off: no TwinEdge API key is set.';
      case 'paused':
        return `Uploads paused; ${buffered}.`;
      case 'unauthorized':
        return `TwinEdge refused the API key; ${buffered}. ${this.lastError?.message ?? ''}`.trim();
      case 'offline':
        return `Cannot reach TwinEdge; ${buffered} and retried automatically. ${this.lastError?.message ?? ''}`.trim();
      case 'throttled':
        return `Waiting for the request budget; ${buffered}. ${this.uploaderDetail ?? ''}`.trim();
      case 'online':
        return backlog > 0 ? `Uploading; ${buffered}.` : 'Up to date with TwinEdge.';
    }
  }

  private emit(): SyncStatus {
    const now = this.clock.now();
    this.rates = { ingest: this.ingestMeter.rate(now), upload: this.uploadMeter.rate(now) };
    const s = this.status();
    this.o.onStatus(s);
    return s;
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
        this.deviceSyncFailures = 0;
      })
      .catch((err: unknown) => {
        this.deviceSyncFailures += 1;
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
    const wait = Math.min(60_000, 1000 * 2 ** Math.min(this.deviceSyncFailures - 1, 6)) * (0.5 + Math.random() / 2);
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

  private async refreshAlerts(client: TwinEdgeCloudApi): Promise<void> {
    const rules = await this.cache.refresh('alertRules', client);
    await this.cache.refresh('alertEvents', client);
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
      try {
        if (!this.tier) {
          const k = await client.keyInfo();
          this.tier = k.tier;
          this.budget.setLimits({ perMinute: k.limits.per_minute, perDay: k.limits.per_day });
        }
        await this.refreshAlerts(client);
        await this.cache.refresh('dashboards', client);
        await this.cache.refresh('models', client);
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
