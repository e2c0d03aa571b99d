// Cloud sync's facade: composes key, clients, uploader, registration, refresh and status behind one service.
import { randomUUID } from 'node:crypto';
import type { CloudTagMap } from './cloud-rules.js';
import type { SyncStatus } from '../domain/sync/sync-status.js';
import type { CloudAlerts, CloudDeviceChoices, CloudList } from '../domain/cloud/cloud-list.js';
import type { KeyTestResult } from '../domain/sync/key-test.js';
import type { PointRejectionView } from '../domain/sync/point-rejection.js';
import type { Logger } from '../log/logger.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { QueuePolicy, Store } from '../store/store.js';
import type {
  AlertEventAnswer as AlertEvent,
  AlertRuleAnswer as AlertRule,
  DashboardAnswer as Dashboard,
  MlModelAnswer as MlModel,
  PredictionAnswer as Prediction,
  TrainingJobAnswer as TrainingJob,
} from './api/answers.js';
import type { AlertRuleBody } from '../domain/cloud/alert-rule-body.js';
import type { DashboardBody } from './api/model.js';
import { RequestBudget } from './budget.js';
import type { TwinEdgeCloudApi } from './client/client-api.js';
import { errorText, httpStatus } from './client/api-error.js';
import { systemClock, type Clock } from './clock.js';
import { AssetCalls, type TrainInput } from './asset-calls.js';
import { CloudCache } from './cloud-cache.js';
import { CloudClients, type ClientFactory } from './cloud-clients.js';
import { DeviceSync } from './device-sync.js';
import { CloudLists } from './cloud-lists.js';
import { TagDirectory } from './directory.js';
import { KeyLifecycle } from './key-lifecycle.js';
import { TwinEdgeNotConfigured } from './not-configured.js';
import type { TagTarget } from './points.js';
import { BufferPolicy } from './buffer-policy.js';
import { RefreshCadence } from './refresh-cadence.js';
import { RegistrationSchedule } from './registration-schedule.js';
import { StatusReport } from './status-report.js';
import { SyncHealth } from './sync-health.js';
import { SyncSettingsStore, settingKeys, type SyncSettings } from './sync-settings.js';
import { Uploader, type UploaderEvent } from './uploader.js';

export { API_KEY_SECRET } from './key-lifecycle.js';
export { TwinEdgeNotConfigured } from './not-configured.js';
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
  clientFactory?: ClientFactory;
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
  private readonly health: SyncHealth;
  private readonly keys: KeyLifecycle;
  private readonly clients: CloudClients;
  private readonly registration: RegistrationSchedule;
  private readonly cadence: RefreshCadence;
  private readonly report: StatusReport;
  private readonly lists: CloudLists;
  private readonly assets: AssetCalls;
  private statusTimer: NodeJS.Timeout | null = null;
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
    const { store, secrets, log } = o;
    const { clock, budget, settings } = this;
    this.health = new SyncHealth(log);
    const health = this.health;
    this.keys = new KeyLifecycle({ store, secrets, settings, budget, health, clock, log });
    const keys = this.keys;
    this.clients = new CloudClients({
      store,
      settings,
      keys,
      budget,
      health,
      clock,
      log,
      clientFactory: o.clientFactory,
    });
    this.registration = new RegistrationSchedule({
      store,
      devices: this.devices,
      clock,
      health,
      client: () => this.clients.call,
      paused: () => this.paused,
      linksChanged: () => {
        this.directory.refresh();
        this.uploader.poke();
      },
      emit: () => this.emit(),
    });
    const registration = this.registration;
    this.cadence = new RefreshCadence({
      budget,
      cache: this.cache,
      keys,
      health,
      registration,
      settings,
      clock,
      client: () => this.clients.call,
      tagMap: () => this.tagMap(),
      refreshMs: o.refreshMs,
      onCloudRules: o.onCloudRules,
      onCloudAlerts: o.onCloudAlerts,
    });
    this.report = new StatusReport({
      store,
      secrets,
      settings,
      budget,
      directory: this.directory,
      uploader: () => this.uploader,
      keys,
      health,
      registration,
      ingestMeter: this.buffer.ingestMeter,
      clock,
      log,
      onStatus: (s) => o.onStatus(s),
    });
    this.lists = new CloudLists({ cache: this.cache, clients: this.clients, keys, cadence: this.cadence, log });
    this.assets = new AssetCalls({ store, clients: this.clients, clock, log });
    this.uploader = new Uploader({
      store: o.store,
      client: () => this.clients.upload,
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
    await this.keys.load();
    this.clients.make();
    this.uploader.start();
    this.registration.soon();
    this.cadence.schedule(0);
    this.statusTimer = setInterval(() => this.emit(), 1000);
    this.statusTimer.unref();
  }

  async stop(): Promise<void> {
    this.registration.halt();
    this.cadence.stop();
    if (this.statusTimer) clearInterval(this.statusTimer);
    await this.uploader.stop();
    await this.registration.settled();
  }

  /** How the sample writer queues new samples for upload: null while sync is off (nothing buffered). */
  queuePolicy(): QueuePolicy | null {
    if (!this.keys.key) return null;
    return (inserted, outbox) => this.buffer.enqueue(inserted, outbox);
  }

  /** Devices or tags changed: names, links and registration follow. */
  devicesChanged(): void {
    this.directory.refresh();
    this.registration.markDue();
    this.registration.soon();
  }

  /** A device was deleted locally: its queued samples go with it (its stored samples already have). */
  deviceDeleted(deviceId: number): void {
    const inflight = this.o.store.sync.inflight();
    this.o.store.outbox.deleteDevice(deviceId, new Set(inflight?.seqs ?? []));
    this.devicesChanged();
  }

  // ---- calls ------------------------------------------------------------------------------------

  status(): SyncStatus {
    return this.report.status();
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
      this.clients.make();
      this.uploader.keyChanged();
      this.cadence.schedule(0);
    }
    const changed = Object.entries(settings).filter(([, v]) => v !== undefined);
    if (changed.length > 0) this.o.log.info(`Cloud sync settings changed (${changed.map(([k]) => k).join(', ')}).`);
    if (paused !== undefined) {
      this.uploader.setPaused(paused);
      if (!paused) {
        // Registration waits while paused too; devices added meanwhile are registered now.
        this.registration.markDue();
        this.registration.soon();
      }
      this.o.log.info(paused ? 'Cloud uploads paused (samples are still buffered).' : 'Cloud uploads resumed.');
    }
    return this.emit();
  }

  async setKey(key: string): Promise<SyncStatus> {
    const host = await this.keys.set(key);
    this.clients.make();
    this.uploader.keyChanged();
    this.devices.retryWaiting();
    this.registration.markDue();
    this.registration.soon();
    this.o.log.info(`TwinEdge API key stored in ${this.o.secrets.description}, for ${host} only.`);
    this.cadence.schedule(0);
    return this.emit();
  }

  async removeKey(): Promise<SyncStatus> {
    await this.keys.remove();
    this.clients.make();
    this.uploader.keyChanged();
    this.o.log.info('TwinEdge API key removed; cloud sync is off (samples already buffered are kept).');
    this.o.onCloudAlerts?.();
    return this.emit();
  }

  testKey(): Promise<KeyTestResult> {
    return this.keys.test(this.clients.call, () => this.emit());
  }

  setPaused(paused: boolean): SyncStatus {
    return this.configure({ paused });
  }

  rejections(limit: number): PointRejectionView[] {
    return this.o.store.sync.rejections(limit);
  }

  async resolveDevice(deviceId: number, action: 'overwrite' | 'link' | 'unlink'): Promise<SyncStatus> {
    if (action === 'unlink') {
      await this.devices.resolve(this.clients.require(), deviceId, action);
      const inflight = this.o.store.sync.inflight();
      this.o.store.outbox.deleteDevice(deviceId, new Set(inflight?.seqs ?? []));
    } else await this.devices.resolve(this.clients.require(), deviceId, action);
    this.directory.refresh();
    this.uploader.poke();
    return this.emit();
  }

  /** TwinEdge's devices, to pick one for a link by hand; the error says why there is no list (then type the id). */
  async cloudDevices(): Promise<CloudDeviceChoices> {
    const client = this.clients.require();
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
    await this.devices.linkByHand(this.clients.require(), deviceId, cloudId.trim());
    this.o.log.info(
      `Cloud sync: "${this.directory.deviceName(deviceId)}" linked by hand to TwinEdge asset ${cloudId.trim()}.`,
    );
    this.directory.refresh();
    this.uploader.poke();
    return this.emit();
  }

  alerts(refresh: boolean): Promise<CloudAlerts> {
    return this.lists.alerts(refresh);
  }

  /** TwinEdge's alert events as last fetched, while a key is set (none without one, as the Active list shows). */
  openAlertEvents(): AlertEvent[] {
    return this.lists.openAlertEvents();
  }

  createAlertRule(body: AlertRuleBody): Promise<AlertRule> {
    return this.lists.createAlertRule(body);
  }

  dashboards(refresh: boolean): Promise<CloudList<Dashboard>> {
    return this.lists.dashboards(refresh);
  }

  models(refresh: boolean): Promise<CloudList<MlModel>> {
    return this.lists.models(refresh);
  }

  predictions(deviceId: number, hours: number): Promise<Prediction[]> {
    return this.assets.predictions(deviceId, hours);
  }

  train(input: TrainInput): Promise<TrainingJob> {
    return this.assets.train(input);
  }

  trainingJob(id: string): Promise<TrainingJob> {
    return this.assets.trainingJob(id);
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
    return this.clients.require();
  }

  /** Creates or updates a dashboard (recreated when it was deleted in TwinEdge) and keeps the cached list current. */
  saveDashboard(body: DashboardBody, id: string | null): Promise<Dashboard> {
    return this.lists.saveDashboard(body, id);
  }

  /** 429 responses the uploader received (by design: none). */
  get uploaderRateLimited(): number {
    return this.uploader.rateLimitedResponses;
  }

  // ---- internals --------------------------------------------------------------------------------

  private get paused(): boolean {
    return this.settings.paused;
  }

  private emit(): SyncStatus {
    return this.report.emit();
  }

  /** What the uploader reports becomes status facts, counters and log lines. */
  private onUploader(e: UploaderEvent): void {
    const { health } = this;
    switch (e.kind) {
      case 'uploaded':
        health.answered = true;
        health.lastUploadAt = e.at;
        health.lastError = null;
        this.report.uploadMeter.add(e.accepted);
        this.settings.bump(settingKeys.uploaded, e.accepted);
        this.settings.bump(settingKeys.rejected, e.rejected);
        if (e.rejected > 0)
          this.o.log.warn(`TwinEdge rejected ${e.rejected} of ${e.points} points (see Cloud sync → Rejected points).`);
        break;
      case 'error':
        if (e.answered) health.answered = true;
        if (health.lastError?.message !== e.message) this.o.log.warn(`Cloud upload: ${e.message}`);
        health.lastError = { at: e.at, message: e.message };
        break;
      case 'not-understood':
        health.warnOnce(
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
        health.uploaderDetail = e.detail;
        if (e.state === 'idle' || e.state === 'uploading') this.registration.soon();
        this.emit();
        break;
      case 'discarded':
        this.o.log.info(`${e.samples} buffered samples were not uploaded: ${e.reason}.`);
        break;
    }
  }
}
