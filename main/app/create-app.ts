import { join } from 'node:path';
import { CollectorManager, type CollectorFactory } from '../collect/collector-manager.js';
import { createCollector } from '../collect/create-collector.js';
import { createTransport } from '../collect/modbus/create-transport.js';
import { ModbusLines } from '../collect/modbus/line-registry.js';
import { ModbusService } from '../collect/modbus/modbus-service.js';
import { DemoPlant } from '../collect/demo/demo-plant.js';
import type { Sample } from '../domain/sample/sample.js';
import { loadConfigFile, type ConfigFile } from './config/config-file.js';
import type { AppInfo } from '../domain/app/app-info.js';
import type { AppStatus } from '../domain/app/app-status.js';
import { createRouter } from '../contract/router.js';
import { EventHub } from './event-hub.js';
import { LiveStream } from '../live/live-stream.js';
import { liveFeed } from './live-feed.js';
import { createLogger, isAppLogger, levelFromEnv, logFileOf } from '../log/logger.js';
import { errorForLog } from '../log/redactor.js';
import { DataDirLock } from '../store/data-dir-lock.js';
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
import { forgetDevicePassword, secretHandlers, type SecretHandlerDeps } from './handlers/secret-handlers.js';
import { DemoLifecycle } from './demo-lifecycle.js';
import { AppStatusReporter } from './app-status.js';
import { deviceStateLog } from './device-state-log.js';
import { actor } from './actor.js';
import { opcuaSecurityHandlers } from './handlers/opcua-security-handlers.js';
import { opcuaBrowseHandlers } from './handlers/opcua-browse-handlers.js';
import { AppError, errorMessage } from '../domain/errors/app-error.js';
import { applyConfigFile, readLastApplied } from './apply-config.js';
import { RateMeter } from '../domain/rate-meter.js';
import { storeTagNodes } from './tag-node-updates.js';
import { syncHandlers } from './handlers/sync-handlers.js';
import { alarmHandlers } from './handlers/alarm-handlers.js';
import { serverAlarmHandlers } from './handlers/server-alarm-handlers.js';
import { historyHandlers } from './handlers/history-handlers.js';
import { trendCloudHandlers, viewsAccess } from './handlers/trend-cloud-handlers.js';
import { logHandlers, storedLogLevel } from './handlers/log-handlers.js';
import { deviceHandlers } from './handlers/device-handlers.js';
import { samplesHandlers } from './handlers/samples-handlers.js';
import { modbusHandlers } from './handlers/modbus-handlers.js';
import { settingsHandlers } from './handlers/settings-handlers.js';
import { AlarmService } from '../alerts/alarm-service.js';
import { countAlarms, countedServer, countedTwinEdge } from '../alerts/alarm-counts.js';
import { ServerAlarmService } from '../alerts/server-alarm-service.js';
import { AlarmEngine } from '../alerts/engine/alarm-engine.js';
import { fromCloudRule } from '../sync/cloud-rules.js';
import { SyncService } from '../sync/sync-service.js';
import { RollupService } from '../history/rollups.js';
import { HistoryService } from '../history/history-query.js';
import { RetentionService } from '../history/retention.js';
import { TwinEdgeHistory } from '../history/twinedge-history.js';
import { ServerHistorySource } from '../history/server-source.js';
import { backfillPersistence } from './backfill-settings.js';
import type { App, AppOptions } from './app-options.js';

export type { App, AppOptions } from './app-options.js';

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
  // Services that need the store are null without one; their calls then say why.
  const required = <T>(service: T | null): T => {
    if (!service) throw new AppError('store_unavailable', storeError ?? 'The data store is not open.');
    return service;
  };
  const requireStore = (): Store => required(store);
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
  const flush = (): void => void writer.flush();

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
          flush,
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
  const requireSync = (): SyncService => required(sync);
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

  // ---- status (see app-status.ts); device state changes go to the log ----
  const logDeviceStates = deviceStateLog({ log, name: (id) => store?.devices.get(id)?.config.name });
  const appStatus = new AppStatusReporter({
    events,
    devices: () => collectors.states(),
    rate: () => meter.rate(),
    storeBytes: () => store?.sizeBytes() ?? 0,
    openError: storeError,
    damage: () => guard.error,
    writeError: () => writeError,
    samplesLost: () => samplesLostStatus(writer),
    configError: () => configError,
    onDevices: (devices) => {
      logDeviceStates(devices);
      alarms?.onDeviceStates(devices);
    },
  });
  const status = (): AppStatus => appStatus.current();
  function emitStatus(): void {
    appStatus.changed();
  }

  // ---- demo plant (see demo-lifecycle.ts) ----
  const demo = new DemoLifecycle({
    plant: (options.demoPlantFactory ?? (() => new DemoPlant()))(),
    dataDir: options.dataDir,
    options: options.demo,
    configFile: () => configFile,
    store,
    alarms,
    log,
    observe: (err, doing) => guard.observe(err, doing),
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
  if (demo.wanted()) await demo.start();
  for (const device of store?.devices.list() ?? []) await collectors.apply(device);
  sync?.devicesChanged();

  const secretDeps: SecretHandlerDeps = {
    secrets,
    requireStore,
    log,
    applyDevice: (d) => collectors.apply(d),
    devicesChanged,
  };

  appStatus.start(options.statusIntervalMs ?? 1000);
  statusReady = true;
  guard.startBackground(options.storeCheckDelayMs ?? 10_000);
  const info = (): AppInfo => ({
    name: 'TwinEdge Desktop',
    version: options.version,
    shell: options.shell,
    dataDir: options.dataDir,
    storePath,
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    demo: demo.info(),
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
      ...deviceHandlers({
        requireStore,
        store: () => store,
        secrets,
        collectors,
        flush,
        forgetPassword: (id) => forgetDevicePassword(secretDeps, id),
        sync,
        log,
        demoEndpoints: () => demo.endpoints,
        devicesChanged,
        statusChanged: () => emitStatus(),
      }),
      ...samplesHandlers({ requireStore, flush }),
      ...modbusHandlers({ requireStore, modbus, log, actor: () => actor(options.shell) }),
      ...secretHandlers(secretDeps),
      ...syncHandlers(requireSync),
      ...alarmHandlers({ alarms: () => required(alarms), sync: requireSync, actor: actor(options.shell) }),
      ...serverAlarmHandlers({
        serverAlarms: () => required(serverAlarms),
        store: requireStore,
        actor: actor(options.shell),
        timeZone: () => info().timeZone,
      }),
      ...historyHandlers({
        requireStore,
        history: () => required(history),
        rollups: () => required(rollups),
        retention: () => required(retention),
        flush,
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
      ...settingsHandlers({
        store: () => store,
        requireStore,
        demo,
        demoFixed: options.demo?.enabled !== undefined,
        applyDevice: (d) => collectors.apply(d),
        devicesChanged,
        events,
      }),
    },
    (name, err, ref) => log.error(`Call ${name} failed (reference ${ref}): ${errorForLog(err)}`),
    (name, err) => guard.explain(name, err),
  );

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      appStatus.stop();
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
      await demo.stop();
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
