import { join } from 'node:path';
import { CollectorManager, type CollectorFactory } from '../collect/collector-manager.js';
import { createCollector } from '../collect/create-collector.js';
import { createTransport } from '../collect/modbus/create-transport.js';
import { ModbusRequestError } from '../collect/modbus/errors.js';
import { ModbusLines } from '../collect/modbus/line-registry.js';
import { ModbusService } from '../collect/modbus/modbus-service.js';
import { withoutRetry } from '../collect/retry-text.js';
import { DemoPlant } from '../collect/demo/demo-plant.js';
import type { Sample } from '../domain/sample/sample.js';
import { loadConfigFile, type ConfigFile } from './config/config-file.js';
import type { AppInfo } from '../domain/app/app-info.js';
import type { AppStatus } from '../domain/app/app-status.js';
import type { DeviceView } from '../domain/device/device-view.js';
import { createRouter, type Router } from '../contract/router.js';
import { EventHub } from './event-hub.js';
import { LiveStream } from '../live/live-stream.js';
import { liveFeed } from './live-feed.js';
import { createLogger, isAppLogger, levelFromEnv, logFileOf, type Logger } from '../log/logger.js';
import { errorForLog } from '../log/redactor.js';
import { DataDirLock } from '../store/data-dir-lock.js';
import type { StoredDevice } from '../store/devices-repo.js';
import { SampleWriter } from '../store/sample-writer.js';
import { lastWriteRoom } from '../history/last-write-room.js';
import { StoreGuard } from './store-guard.js';
import { DEFAULT_RESERVE_BYTES } from '../store/disk-reserve.js';
import { lossLine, samplesLostStatus, stopLossLine } from './sample-loss-report.js';
import { storeError as explainStoreError } from '../store/store-error.js';
import { Store } from '../store/store.js';
import { TagPurgeJob } from '../store/tag-purge-job.js';
import { createSecretStore } from '../secrets/create-secret-store.js';
import { registeringSecrets } from '../secrets/registering-store.js';
import type { SecretStore } from '../secrets/secret-store.js';
import {
  forgetDevicePassword,
  passwordSet,
  secretHandlers,
  type SecretHandlerDeps,
} from './handlers/secret-handlers.js';
import { demoPortWarning, portsOf, readDemoPorts, recordDemoPorts } from './demo-ports.js';
import { setUpDemoDevices, type DemoEndpoints, type DemoPlantPort, type DemoRunOptions } from './demo-setup.js';
import { actor } from './actor.js';
import { opcuaSecurityHandlers } from './handlers/opcua-security-handlers.js';
import { opcuaBrowseHandlers } from './handlers/opcua-browse-handlers.js';
import { AppError, errorMessage } from '../domain/errors/app-error.js';
import { readUiSettings, writeUiSettings } from './ui-settings.js';
import { applyConfigFile, readLastApplied } from './apply-config.js';
import { RateMeter } from '../domain/rate-meter.js';
import { storeTagNodes } from './tag-node-updates.js';
import { syncHandlers } from './handlers/sync-handlers.js';
import { alarmHandlers } from './handlers/alarm-handlers.js';
import { serverAlarmHandlers } from './handlers/server-alarm-handlers.js';
import { historyHandlers } from './handlers/history-handlers.js';
import { trendCloudHandlers, viewsAccess } from './handlers/trend-cloud-handlers.js';
import { logHandlers, storedLogLevel } from './handlers/log-handlers.js';
import { AlarmService } from '../alerts/alarm-service.js';
import { countAlarms, countedServer, countedTwinEdge } from '../alerts/alarm-counts.js';
import { ServerAlarmService } from '../alerts/server-alarm-service.js';
import { AlarmEngine } from '../alerts/engine/alarm-engine.js';
import { installDemoRules } from '../alerts/demo-rules.js';
import { fromCloudRule } from '../sync/cloud-rules.js';
import { SyncService, type SyncServiceOptions } from '../sync/sync-service.js';
import { RollupService } from '../history/rollups.js';
import { HistoryService } from '../history/history-query.js';
import { RetentionService } from '../history/retention.js';
import { TwinEdgeHistory } from '../history/twinedge-history.js';
import { ServerHistorySource } from '../history/server-source.js';
import { backfillKey, backfillPersistence } from './backfill-settings.js';

export interface AppOptions {
  dataDir: string;
  shell: AppInfo['shell'];
  version: string;
  /**
   * Headless config file (devices, tags, alarm rules, sync settings), applied at every start. A file that
   * cannot be read or is invalid changes nothing: the app starts with the last good settings (what the store
   * holds) and reports the problem in the log and in status.configError.
   */
  configFile?: string;
  /**
   * Overrides the stored demo-plant setting, its speed and ports (tests, benchmarks). The preferred ports count on a
   * first start only: later the ports kept in the store are tried first.
   */
  demo?: DemoRunOptions & { enabled?: boolean };
  /** better-sqlite3 binding built for the running runtime (Electron). */
  nativeBinding?: string;
  logger?: Logger;
  statusIntervalMs?: number;
  /** Replaceable parts, for tests. */
  collectorFactory?: CollectorFactory;
  demoPlantFactory?: () => DemoPlantPort;
  /** Where secrets live (default: the OS keychain, or environment variables with TWINEDGE_SECRETS_FROM_ENV=1). */
  secretStore?: SecretStore;
  /** Cloud sync tuning (tests, benchmarks): base URL, clock, batch sizes, refresh pace. */
  sync?: Partial<Pick<SyncServiceOptions, 'baseUrl' | 'clock' | 'uploader' | 'refreshMs'>>;
  /**
   * Called after each batch of samples is committed to the store, with that batch (tests: a crash test's
   * child reports what it committed, so the parent can check that nothing committed is lost).
   */
  onSamplesStored?: (batch: readonly Sample[]) => void;
  /** How long stop() waits for each collector to close its connection (default 10 s). */
  collectorStopMs?: number;
  /** Samples held in memory while the store cannot be written (default 500,000); the oldest are lost beyond. */
  sampleBufferLimit?: number;
  /** Room kept beside the store for the last write at stop on a full disk (default 16 MiB; 0: none). */
  storeReserveBytes?: number;
  /** When the background integrity_check starts after start (default 10 s). */
  storeCheckDelayMs?: number;
  /** Where the count of samples lost at stop is written besides the log (default: stderr). */
  stderr?: (line: string) => void;
}

export interface App {
  readonly router: Router;
  readonly events: EventHub;
  readonly store: Store | null;
  /** Null when the store could not be opened (nothing to forward from). */
  readonly sync: SyncService | null;
  /** Null when the store could not be opened (rules and alarm state live there). */
  readonly alarms: AlarmService | null;
  /** The OPC UA servers' own alarms and events; null without a store. */
  readonly serverAlarms: ServerAlarmService | null;
  info(): AppInfo;
  status(): AppStatus;
  /** Stops collectors, flushes pending samples, closes the store. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * The composition root: every core service is created and wired here, and nowhere else. Plain Node;
 * the Electron and browser-mode shells only carry the router's calls and the hub's events.
 */
export const createApp = async (options: AppOptions): Promise<App> => {
  const log = options.logger ?? createLogger({ file: logFileOf(options.dataDir), console: true });
  const appLogger = isAppLogger(log) ? log : null;
  log.info(`TwinEdge Desktop ${options.version} starting (${options.shell} mode), data dir ${options.dataDir}.`);
  // A bad config file is applied not at all (never half): the app runs on the last good settings and says so.
  let configError: string | null = null;
  let configFile: ConfigFile | undefined;
  if (options.configFile) {
    try {
      configFile = loadConfigFile(options.configFile);
    } catch (err) {
      configError = errorMessage(err);
    }
  }

  const storePath = join(options.dataDir, 'twinedge.sqlite');
  const events = new EventHub();
  const live = new LiveStream(events);
  const meter = new RateMeter();
  let storeError: string | null = null;
  let writeError: string | null = null;

  let lock: DataDirLock | null = null;
  let store: Store | null = null;
  try {
    lock = DataDirLock.acquire(options.dataDir, options.nativeBinding);
    store = Store.open(storePath, {
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
      reserveBytes: options.storeReserveBytes ?? DEFAULT_RESERVE_BYTES,
    });
  } catch (err) {
    // No crash loop: the app runs, says what is wrong, and leaves the file as it found it.
    storeError = errorMessage(err);
    log.error(storeError);
    lock?.release();
    lock = null;
  }
  // ---- store damage: any SQLITE_CORRUPT seen below, or a failed integrity_check, stops writing ----
  let statusReady = false;
  const guard = new StoreGuard({
    store,
    path: storePath,
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
    log,
    changed: () => {
      if (statusReady) emitStatus();
    },
  });
  // The level: TWINEDGE_LOG_LEVEL, else the one chosen in Settings → Logs, else the logger's own.
  const startLevel = levelFromEnv() ?? storedLogLevel(store);
  if (appLogger && startLevel && startLevel !== appLogger.level()) appLogger.setLevel(startLevel);

  const sampleBufferLimit = options.sampleBufferLimit ?? 500_000;
  const writer = new SampleWriter({
    write: (batch) => {
      try {
        store?.writeSamples(batch, sync?.queuePolicy() ?? null);
      } catch (err) {
        guard.observe(err, 'storing samples');
        // In plain words, naming the file: "... cannot grow: the disk is full while storing samples."
        throw explainStoreError(storePath, err, 'storing samples');
      }
    },
    onLoss: (kind, loss, total) => {
      const line = lossLine(kind, loss, total, sampleBufferLimit);
      if (kind === 'started') log.error(line);
      else log.warn(line);
      if (statusReady) emitStatus();
    },
    maxPending: sampleBufferLimit,
    onWritten: (batch) => {
      options.onSamplesStored?.(batch);
      meter.add(batch.length);
    },
    onError: (message) => {
      writeError = message;
      if (message) log.error(message);
      else log.info('Samples are being recorded again.');
      emitStatus();
    },
  });

  // Live values and alarms from collected samples, stored or not (see live-feed.ts).
  const feed = liveFeed({ live, alarms: () => alarms, log });
  const onSamples = (batch: Sample[]): void => {
    if (store) writer.add(batch);
    else meter.add(batch.length);
    feed(batch);
  };

  // Minute and hour rollups catch up every few seconds (and before every history query).
  const rollups = store
    ? new RollupService({
        rollups: store.rollups,
        onError: (err) => {
          if (!guard.observe(err, 'rolling up samples')) log.error(`Rollups: ${errorMessage(err)}`);
        },
      })
    : null;
  rollups?.start();
  // Old data go in small background steps (every minute and right after a settings change).
  const retention =
    store && rollups
      ? new RetentionService({
          store,
          rollups,
          onError: (message, err) => {
            if (!guard.observe(err, 'deleting old data (retention)')) log.error(message);
          },
        })
      : null;
  retention?.start();
  // Deleted devices' and tags' data go in bounded background steps, started by every delete; a purge cut short
  // last time (crash, stop) resumes now.
  const purge = store
    ? new TagPurgeJob({
        purge: store.tagPurge,
        onError: (err) => log.error(`Removing the data of deleted tags: ${errorMessage(err)}`),
        onDone: (r) =>
          log.info(
            r.complete
              ? `Stored data of deleted tags removed (${r.rows} rows in ${r.steps} steps).`
              : `Stored data of deleted tags: ${r.rows} rows removed; the rest is removed at the next start.`,
          ),
      })
    : null;
  void purge?.kick();

  // Every secret read or set from here on is registered with the log redactor first.
  const secrets = registeringSecrets(options.secretStore ?? createSecretStore(log));
  const alarms = store
    ? new AlarmService({
        store,
        log,
        engine: (o) => new AlarmEngine(o),
        onChanged: (e) => events.emit('alarms.changed', e),
        // Called from the service's timers and calls, after sync and serverAlarms below exist.
        counts: (local) =>
          countAlarms({
            local,
            twinedge: countedTwinEdge(sync?.openAlertEvents() ?? []),
            server: serverAlarms?.list().alarms.map(countedServer) ?? [],
          }),
      })
    : null;
  alarms?.start();
  const serverAlarms = store
    ? new ServerAlarmService({
        store,
        log,
        onChanged: (e) => {
          events.emit('serverAlarms.changed', e);
          alarms?.otherAlarmsChanged();
        },
      })
    : null;
  const requireServerAlarms = (): ServerAlarmService => {
    if (!serverAlarms) throw new AppError('store_unavailable', storeError ?? 'The data store is not open.');
    return serverAlarms;
  };
  const sync = store
    ? new SyncService({
        store,
        secrets,
        log,
        onStatus: (s) => events.emit('sync.changed', s),
        onCloudAlerts: () => alarms?.otherAlarmsChanged(),
        onCloudRules: (rules, tags) => {
          alarms?.replaceCloudRules(
            rules.flatMap((r) => {
              const config = fromCloudRule(r, tags);
              return config ? [{ cloudId: r.id, config }] : [];
            }),
          );
        },
        ...options.sync,
      })
    : null;
  // The key is read before any collector starts, so every sample stored from now on is queued for upload.
  await sync?.start();
  const history =
    store && rollups
      ? new HistoryService({
          store,
          rollups,
          flush: () => void writer.flush(),
          server: new ServerHistorySource({
            reader: (tagId) => {
              const device = store.devices.list().find((d) => d.tags.some((t) => t.id === tagId));
              return device ? { device: device.config.name, history: collectors.serverHistory(device.id) } : null;
            },
          }),
          ...(sync
            ? {
                cloud: new TwinEdgeHistory({
                  target: (tagId) => sync.cloudTarget(tagId),
                  client: () => sync.cloud(),
                  now: () => Date.now(),
                }),
              }
            : {}),
        })
      : null;
  const requireAlarms = (): AlarmService => {
    if (!alarms) throw new AppError('store_unavailable', storeError ?? 'The data store is not open.');
    return alarms;
  };
  const required = <T>(service: T | null): T => {
    if (!service) throw new AppError('store_unavailable', storeError ?? 'The data store is not open.');
    return service;
  };
  const requireSync = (): SyncService => {
    if (!sync) throw new AppError('store_unavailable', storeError ?? 'The data store is not open.');
    return sync;
  };
  const modbusLines = new ModbusLines(createTransport);
  const modbus = new ModbusService(modbusLines);
  const factory: CollectorFactory =
    options.collectorFactory ??
    ((device, ev) =>
      createCollector(device, ev, {
        pkiDir: join(options.dataDir, 'pki'),
        modbusLines,
        secrets,
        ...(serverAlarms ? { serverEvents: serverAlarms } : {}),
        ...(store ? { backfill: backfillPersistence(store.settings, device.id) } : {}),
      }));
  const collectors = new CollectorManager(
    factory,
    onSamples,
    () => emitStatus(),
    // Renumbered OPC UA tags: stored like an edit, without restarting the collector that found them.
    (deviceId, updates) => storeTagNodes({ store, log, changed: () => devicesChanged() }, deviceId, updates),
  );

  // ---- status ----
  let lastStatus: AppStatus = {
    devices: [],
    samplesPerSecond: 0,
    storeBytes: 0,
    storeError,
    samplesLost: null,
    configError,
    at: Date.now(),
  };
  const status = (): AppStatus => lastStatus;
  const computeStatus = (): AppStatus => ({
    devices: collectors.states(),
    samplesPerSecond: Math.round(meter.rate() * 10) / 10,
    storeBytes: store?.sizeBytes() ?? 0,
    storeError: storeError ?? guard.error ?? writeError,
    samplesLost: samplesLostStatus(writer),
    configError,
    at: Date.now(),
  });
  // Each device's state changes go to the log (connection errors with their reason), once per change.
  const loggedStates = new Map<number, string>();
  const logDeviceStates = (states: AppStatus['devices']): void => {
    for (const s of states) {
      // The same problem retried is one line, not one per attempt: the countdown is left out of the comparison.
      const key = `${s.state}|${withoutRetry(s.message ?? '')}`;
      const seen = loggedStates.get(s.deviceId);
      if (seen === key) continue;
      loggedStates.set(s.deviceId, key);
      if (seen === undefined && s.state === 'connecting' && !s.message) continue;
      let name = `device ${s.deviceId}`;
      try {
        name = `"${store?.devices.get(s.deviceId)?.config.name ?? name}"`;
      } catch {
        // The name is a nicety; the state is what the line is for.
      }
      const text = `Device ${name}: ${s.state}${s.message ? ` — ${s.message}` : ''}.`;
      if (s.state === 'error' || s.state === 'degraded') log.warn(text);
      else log.info(text);
    }
  };
  function emitStatus(): void {
    lastStatus = {
      ...lastStatus,
      devices: collectors.states(),
      storeError: storeError ?? guard.error ?? writeError,
      samplesLost: samplesLostStatus(writer),
      configError,
      at: Date.now(),
    };
    logDeviceStates(lastStatus.devices);
    alarms?.onDeviceStates(lastStatus.devices);
    events.emit('status.changed', lastStatus);
  }

  const requireStore = (): Store => {
    if (!store) throw new AppError('store_unavailable', storeError ?? 'The data store is not open.');
    return store;
  };

  // ---- demo plant ----
  const demo = (options.demoPlantFactory ?? (() => new DemoPlant()))();
  let demoEndpoints: DemoEndpoints | null = null;
  /** Why the demo plant did not start (shown in Devices and Trends); null once it runs or is switched off. */
  let demoError: string | null = null;
  /** Said while the demo plant runs on other ports than last time (those were taken). */
  let demoNotice: string | null = null;
  const demoWanted = (): boolean => options.demo?.enabled ?? configFile?.demoPlant ?? readUiSettings(store).demoPlant;
  const demoFailed = (err: unknown, what: string): void => {
    guard.observe(err, 'setting up the demo plant');
    demoError = `The demo plant ${what}: ${errorMessage(err)}`;
    log.error(demoError);
    demoEndpoints = null;
    demoNotice = null;
  };
  const startDemo = async (): Promise<void> => {
    const { enabled: _enabled, ...demoOptions } = options.demo ?? {};
    const last = readDemoPorts(store);
    let endpoints: DemoEndpoints;
    try {
      endpoints = await demo.start({
        dir: join(options.dataDir, 'demo'),
        ...demoOptions,
        // The ports of last time first, so a device pointed at the demo plant finds it again after a restart.
        ...(last ? { opcuaPreferredPort: last.opcua, modbusPreferredPort: last.modbus } : {}),
      });
    } catch (err) {
      demoFailed(err, 'could not start');
      return;
    }
    try {
      if (store) {
        demoNotice = recordDemoPorts(store, portsOf(endpoints));
        if (demoNotice) log.warn(demoNotice);
        setUpDemoDevices(store, demo, endpoints);
        if (alarms) installDemoRules(store, alarms);
      }
    } catch (err) {
      // Not left running half set up: its servers would answer devices that are not pointed at them.
      await demo.stop().catch((e: unknown) => log.warn(`Demo plant stop: ${errorMessage(e)}`));
      demoFailed(err, 'started, but its devices could not be set up');
      return;
    }
    demoEndpoints = endpoints;
    demoError = null;
    log.info(
      `Demo plant running: OPC UA ${endpoints.opcuaEndpoint}, Modbus TCP ${endpoints.modbusHost}:${endpoints.modbusPort}`,
    );
  };

  // ---- devices ----
  const view = (d: StoredDevice): DeviceView => ({
    id: d.id,
    config: d.config,
    tags: d.tags,
    state: collectors.state(d.id) ?? {
      deviceId: d.id,
      state: 'connecting',
      message: null,
      since: Date.now(),
      samples: 0,
      requestsPerCycle: null,
    },
    passwordSet: passwordSet(store, secrets, d.id),
    demoPortWarning: demoPortWarning(store, d.config, demoEndpoints),
  });
  const devicesChanged = (): void => {
    sync?.devicesChanged();
    alarms?.devicesChanged();
    events.emit('devices.changed', { at: Date.now() });
  };

  if (store && configFile && options.configFile) {
    try {
      applyConfigFile({ file: options.configFile, config: configFile, store, alarms, sync, log });
    } catch (err) {
      guard.observe(err, 'applying the config file');
      configError = errorMessage(err);
      configFile = undefined;
    }
  }
  if (configError) {
    const last = readLastApplied(store);
    configError +=
      last !== null
        ? `\nTwinEdge runs with the last good settings (from ${last.file}, applied ${new Date(last.at).toISOString()}).`
        : '\nTwinEdge runs with the settings it already had (no config file was applied before).';
    log.error(configError);
  }
  if (demoWanted()) await startDemo();
  for (const device of store?.devices.list() ?? []) await collectors.apply(device);
  sync?.devicesChanged();

  const secretDeps: SecretHandlerDeps = {
    secrets,
    requireStore,
    log,
    applyDevice: (d) => collectors.apply(d),
    devicesChanged,
  };

  const statusTimer = setInterval(() => {
    lastStatus = computeStatus();
    events.emit('status.changed', lastStatus);
  }, options.statusIntervalMs ?? 1000);
  statusTimer.unref();
  lastStatus = computeStatus();
  statusReady = true;
  guard.startBackground(options.storeCheckDelayMs ?? 10_000);
  const info = (): AppInfo => ({
    name: 'TwinEdge Desktop',
    version: options.version,
    shell: options.shell,
    dataDir: options.dataDir,
    storePath,
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    demo: {
      enabled: demoWanted(),
      running: demoEndpoints !== null,
      opcuaEndpoint: demoEndpoints?.opcuaEndpoint ?? null,
      modbusEndpoint: demoEndpoints ? `${demoEndpoints.modbusHost}:${demoEndpoints.modbusPort}` : null,
      error: demoWanted() && demoEndpoints === null ? demoError : null,
      notice: demoEndpoints === null ? null : demoNotice,
    },
  });

  const opcuaBrowse = opcuaBrowseHandlers({
    pkiDir: join(options.dataDir, 'pki'),
    secrets,
    store: requireStore,
    shell: options.shell,
    log,
    events,
  });
  const router = createRouter(
    {
      ...opcuaSecurityHandlers({ pkiDir: join(options.dataDir, 'pki'), events, log }),
      ...opcuaBrowse.handlers,
      'app.info': () => info(),
      'status.get': () => status(),
      'devices.list': () => requireStore().devices.list().map(view),
      'devices.save': async (input) => {
        const saved = requireStore().devices.save(input);
        await collectors.apply(saved);
        log.info(`Device "${saved.config.name}" saved (${saved.tags.length} tags).`);
        devicesChanged();
        return view(saved);
      },
      'devices.delete': async ({ id }) => {
        const s = requireStore();
        const device = s.devices.get(id);
        if (!device) throw new AppError('not_found', `Device ${id} does not exist (deleted meanwhile?).`);
        await forgetDevicePassword(secretDeps, id);
        await collectors.remove(id);
        writer.flush();
        s.devices.delete(id);
        // Its outages still to backfill go with it (a new device may get the same id).
        s.settings.delete(backfillKey(id));
        sync?.deviceDeleted(id);
        log.info(`Device "${device.config.name}" deleted; its stored samples are being removed in the background.`);
        devicesChanged();
        emitStatus();
        return { deleted: true as const };
      },
      'tags.list': () =>
        requireStore()
          .devices.list()
          .flatMap((d) => d.tags),
      'samples.latest': ({ tagIds }) => requireStore().samples.latest(tagIds),
      'samples.history': ({ tagIds, from, to, maxPoints }) => {
        const s = requireStore();
        writer.flush(); // so the newest samples are in the answer
        return tagIds.map((id) => s.samples.history(id, from, to, maxPoints));
      },
      'devices.diagnostics': ({ id }) => {
        if (!requireStore().devices.get(id)) throw new AppError('not_found', `Device ${id} does not exist.`);
        return (
          collectors.diagnostics(id) ?? {
            deviceId: id,
            pollGroups: [],
            consecutiveFailures: 0,
            degraded: false,
            splitBlocks: 0,
            tagProblems: [],
            subscription: null,
          }
        );
      },
      'modbus.testRead': async ({ settings, tag }) => {
        try {
          return await modbus.testRead(settings, tag);
        } catch (err) {
          if (err instanceof AppError) throw err;
          // No connection (refused, unreachable): the device's problem, said once; a test read is not retried.
          const message = withoutRetry(errorMessage(err));
          throw new AppError('device_error', message.charAt(0).toUpperCase() + message.slice(1));
        }
      },
      'modbus.write': async ({ deviceId, tagId, value }) => {
        const s = requireStore();
        const device = s.devices.get(deviceId);
        if (!device) throw new AppError('not_found', `Device ${deviceId} does not exist.`);
        if (device.config.protocol !== 'modbus') {
          throw new AppError('invalid_input', `"${device.config.name}" is not a Modbus device.`);
        }
        const info = device.tags.find((t) => t.id === tagId);
        const tag = info && device.config.tags.find((t) => t.name === info.name);
        if (!info || !tag) throw new AppError('not_found', `Tag ${tagId} is not on "${device.config.name}".`);
        const started = Date.now();
        const entry = {
          ts: started,
          actor: actor(options.shell),
          action: 'write' as const,
          deviceId,
          deviceName: device.config.name,
          target: `${tag.name} (${info.address})`,
          value: `${String(value)}${tag.unit ? ` ${tag.unit}` : ''}`,
        };
        try {
          const { request } = await modbus.write(device.config.settings, tag, value);
          const auditId = s.audit.add({ ...entry, outcome: 'ok', message: request });
          log.info(`Write by ${entry.actor}: ${entry.target} = ${entry.value} on "${entry.deviceName}" (${request}).`);
          return { request, durationMs: Date.now() - started, auditId };
        } catch (err) {
          const message = errorMessage(err);
          s.audit.add({ ...entry, outcome: 'failed', message });
          log.warn(
            `Write by ${entry.actor} failed: ${entry.target} = ${entry.value} on "${entry.deviceName}": ${message}`,
          );
          throw err instanceof ModbusRequestError
            ? new AppError('invalid_input', message)
            : new AppError('device_error', `The write was not confirmed: ${message}`);
        }
      },
      'audit.list': ({ limit, deviceId }) => requireStore().audit.list(limit, deviceId),
      ...secretHandlers(secretDeps),
      ...syncHandlers(requireSync),
      ...alarmHandlers({ alarms: requireAlarms, sync: requireSync, actor: actor(options.shell) }),
      ...serverAlarmHandlers({
        serverAlarms: requireServerAlarms,
        store: requireStore,
        actor: actor(options.shell),
        timeZone: () => info().timeZone,
      }),
      ...historyHandlers({
        requireStore,
        history: () => required(history),
        rollups: () => required(rollups),
        retention: () => required(retention),
        flush: () => void writer.flush(),
        timeZone: () => info().timeZone,
      }),
      ...trendCloudHandlers({
        sync: requireSync,
        tags: () =>
          new Map(
            requireStore()
              .devices.list()
              .flatMap((dev) => dev.tags.map((t) => [t.id, { ...t, deviceName: dev.config.name }] as const)),
          ),
        views: () => viewsAccess(requireStore().views),
      }),
      ...logHandlers({ logger: appLogger, log, store: () => store }),
      'storeCheck.get': () => guard.status(),
      'storeCheck.run': () => guard.run(),
      'settings.get': () => readUiSettings(store),
      'settings.update': async (patch) => {
        const s = requireStore();
        const before = readUiSettings(s);
        writeUiSettings(s, patch);
        if (
          patch.demoPlant !== undefined &&
          patch.demoPlant !== before.demoPlant &&
          options.demo?.enabled === undefined
        ) {
          if (patch.demoPlant) await startDemo();
          else {
            await demo.stop();
            demoEndpoints = null;
            demoError = null;
            demoNotice = null;
          }
          for (const device of s.devices.list()) await collectors.apply(device);
          devicesChanged();
        }
        const after = readUiSettings(s);
        events.emit('settings.changed', after);
        return after;
      },
    },
    (name, err, ref) => log.error(`Call ${name} failed (reference ${ref}): ${errorForLog(err)}`),
    (name, err) => guard.explain(name, err),
  );

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      clearInterval(statusTimer);
      // Commit what is queued before anything slow: an OS shutdown may not wait for the network steps.
      writer.flush();
      const stopMs = options.collectorStopMs ?? 10_000;
      const late = await collectors.stopAll(stopMs);
      if (late.length > 0) {
        const names = late.map((id) => `"${store?.devices.get(id)?.config.name ?? `device ${id}`}"`).join(', ');
        log.warn(
          `Stopping: ${names} did not close within ${stopMs / 1000} s; the connection is abandoned. ` +
            'Samples received until now are stored.',
        );
      }
      await opcuaBrowse.close();
      await modbusLines.closeAll();
      guard.stop();
      // Retention first: the last write may delete old rows itself and must not meet a run between its steps.
      rollups?.stop();
      await purge?.stop();
      await retention?.stop();
      const closed = writer.close(store && !store.isDamaged ? lastWriteRoom(store, (m) => log.warn(m)) : undefined);
      if (closed.lost > 0 || closed.keptAtClose > 0) {
        const line = stopLossLine(closed, guard.error ?? writeError);
        if (closed.lost > 0) {
          log.error(line);
          try {
            (options.stderr ?? ((l: string) => process.stderr.write(`${l}\n`)))(line);
          } catch {
            // stderr gone: the log has it.
          }
        } else log.info(line);
      }
      await sync?.stop();
      alarms?.stop();
      serverAlarms?.stop();
      live.close();
      await demo.stop().catch((err: unknown) => log.warn(`Demo plant stop: ${errorMessage(err)}`));
      try {
        store?.close();
      } catch (err) {
        log.error(`Closing the store: ${errorMessage(err)}`);
      }
      lock?.release();
      log.info('Stopped.');
      appLogger?.flush();
    })());

  return {
    router,
    events,
    get store() {
      return store;
    },
    sync,
    alarms,
    serverAlarms,
    info,
    status,
    stop,
  };
};
