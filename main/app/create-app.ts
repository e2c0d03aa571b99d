import { join } from 'node:path';
import { CollectorManager, type CollectorFactory } from '../collect/collector-manager.js';
import { createCollector } from '../collect/create-collector.js';
import { createTransport } from '../collect/modbus/create-transport.js';
import { ModbusLines } from '../collect/modbus/line-registry.js';
import { ModbusService } from '../collect/modbus/modbus-service.js';
import { DemoPlant } from '../collect/demo/demo-plant.js';
import type { Sample } from '../domain/sample/sample.js';
import type { AppInfo } from '../domain/app/app-info.js';
import type { AppStatus } from '../domain/app/app-status.js';
import { createRouter } from '../contract/router.js';
import { EventHub } from './event-hub.js';
import { LiveStream } from '../live/live-stream.js';
import { liveFeed } from './live-feed.js';
import { createLogger, isAppLogger, levelFromEnv, logFileOf } from '../log/logger.js';
import { errorForLog } from '../log/redactor.js';
import { StoreGuard } from './store-guard.js';
import { samplesLostStatus } from './sample-loss-report.js';
import { closeSampleWriter, createSampleWriter } from './sample-recording.js';
import { storageFilters } from './storage-filters.js';
import { openStore } from './store-open.js';
import { startStoreBackground } from './store-background.js';
import { ConfigFileStep } from './config-step.js';
import { createHistory } from './history-sources.js';
import type { Store } from '../store/store.js';
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
  // Read before the store opens; applied below, once the services exist (see config-step.ts).
  const configStep = new ConfigFileStep(options.configFile);
  const events = new EventHub();
  const live = new LiveStream(events);
  const meter = new RateMeter();
  let writeError: string | null = null;
  const { storePath, lock, store, error: storeError } = openStore(options, log);
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

  const writer = createSampleWriter({
    store,
    storePath,
    guard,
    log,
    meter,
    bufferLimit: options.sampleBufferLimit ?? 500_000,
    queuePolicy: () => sync?.queuePolicy() ?? null,
    onStored: options.onSamplesStored,
    setWriteError: (message) => {
      writeError = message;
    },
    writeErrorChanged: () => emitStatus(),
    lossChanged: () => {
      if (statusReady) emitStatus();
    },
  });
  const flush = (): void => void writer.flush();
  // Only what the devices' storage policies keep is stored (see storage-filters.ts); live and alarms see all.
  const storage = storageFilters(
    (held) => writer.add(held),
    (line) => log.warn(line),
  );

  // Live values and alarms from collected samples, stored or not (see live-feed.ts).
  const feed = liveFeed({ live, alarms: () => alarms, log });
  const onSamples = (batch: Sample[]): void => {
    if (store) writer.add(storage.filter(batch));
    else meter.add(batch.length);
    feed(batch);
  };

  // Rollups, retention and the purge of deleted tags' data run in the background (see store-background.ts).
  const background = startStoreBackground(store, guard, log);
  const { rollups, retention } = background;

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
  const history = createHistory({
    store,
    rollups,
    sync,
    flush,
    serverHistory: (deviceId) => collectors.serverHistory(deviceId),
  });
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
    storage.lifecycle,
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
    configError: () => configStep.error,
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
    configFile: () => configStep.config,
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

  configStep.apply({ store, alarms, sync, log, observe: (err, doing) => guard.observe(err, doing) });
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
      // Held points of collectors that did not stop in time (those that did were flushed as they stopped).
      writer.add(storage.flush());
      await opcuaBrowse.close();
      await modbusLines.closeAll();
      guard.stop();
      await background.stop();
      closeSampleWriter(writer, { store, log, why: guard.error ?? writeError, stderr: options.stderr });
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
