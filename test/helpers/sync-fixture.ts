import { join } from 'node:path';
import type { Sample } from '../../main/domain/sample/sample.js';
import { ModbusDeviceInput } from '../../main/domain/device/device-schema.js';
import type { SyncStatus } from '../../main/domain/sync/sync-status.js';
import { createLogger } from '../../main/log/logger.js';
import { EnvSecretStore, secretEnvName } from '../../main/secrets/env-store.js';
import type { StoredDevice } from '../../main/store/devices-repo.js';
import { Store } from '../../main/store/store.js';
import { scopes, type Tier } from '../../main/domain/cloud/account.js';
import type { Clock } from '../../main/sync/clock.js';
import { API_KEY_SECRET, SyncService, type SyncServiceOptions } from '../../main/sync/sync-service.js';
import { startCloudSim, type CloudSim, type Dialect, type Exchange } from '../sim/cloud/index.js';
import type { Faults } from '../sim/cloud/faults.js';
import { tempDir } from './temp-dir.js';
import { waitFor } from './wait.js';

export const TEST_KEY = 'te_test_5b1c0f3e9a7d4c21b8e6f0a2d9c4e7b1';

export interface SyncRig {
  sim: CloudSim;
  store: Store;
  sync: SyncService;
  device: StoredDevice;
  dir: string;
  statuses: SyncStatus[];
  /** The app's log file (every line the sync service wrote). */
  logFile: string;
  /** Waits until the device uploads to a TwinEdge asset (registered, or linked by hand in strict-scopes). */
  ready(timeoutMs?: number): Promise<void>;
  /** Stores samples the way the app's writer does (queued for upload when sync is on). */
  write(batch: Sample[]): void;
  /** Stops the sync service and closes the store (the simulator keeps running). */
  closeApp(): Promise<void>;
  /** A new store + sync service on the same data dir, as after a restart. */
  reopen(overrides?: Partial<SyncServiceOptions>): Promise<void>;
  drained(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface RigOptions {
  tier?: Tier;
  clock?: Clock;
  faults?: Partial<Faults>;
  seed?: number;
  tags?: number;
  key?: string;
  sync?: Partial<SyncServiceOptions>;
  /** Runs against the simulator before the app's sync starts (e.g. to create a conflicting device). */
  beforeSync?: (sim: CloudSim) => Promise<void>;
  /** The simulator's reading of the vendor reference (default 'ours'). */
  dialect?: Dialect;
  /**
   * In a dialect whose key may not register devices (strict-scopes), link the device by hand to a TwinEdge
   * device created for it, as the engineer would (default true).
   */
  linkByHand?: boolean;
  onExchange?: (ex: Exchange) => void;
  /** The base URL the app is given instead of the simulator's (e.g. a proxy in front of it). */
  via?: (sim: CloudSim) => Promise<string>;
  /** Where the app finds the base URL: a start option (default, as --config does) or its stored setting, as the UI sets it. */
  baseUrlIn?: 'option' | 'settings';
}

/** Device states in which its samples upload. */
const uploading = new Set(['synced', 'linked']);

/** A real SQLite store with one device, a SyncService and the local TwinEdge API over real HTTP. */
export const startSyncRig = async (o: RigOptions = {}): Promise<SyncRig> => {
  const sim = await startCloudSim({
    keys: [{ key: TEST_KEY, tier: o.tier ?? 'enterprise', scopes: [...scopes], name: 'test key' }],
    ...(o.clock ? { clock: o.clock } : {}),
    ...(o.faults ? { faults: o.faults } : {}),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    ...(o.dialect ? { dialect: o.dialect } : {}),
    ...(o.onExchange ? { onExchange: o.onExchange } : {}),
  });
  await o.beforeSync?.(sim);
  const baseUrl = o.via ? await o.via(sim) : sim.url;
  const tmp = tempDir('twinedge-sync-');
  const path = join(tmp.path, 'store.sqlite');
  const statuses: SyncStatus[] = [];
  const secrets = new EnvSecretStore({ [secretEnvName(API_KEY_SECRET)]: o.key ?? TEST_KEY });
  const logFile = join(tmp.path, 'logs', 'twinedge.log');
  const log = createLogger({ file: logFile, console: false });
  let store = Store.open(path);
  const device = store.devices.save(
    ModbusDeviceInput.parse({
      name: 'Boiler PLC',
      protocol: 'modbus',
      settings: { host: '10.0.0.5' },
      tags: Array.from({ length: o.tags ?? 10 }, (_, i) => ({
        name: `TT${100 + i}`,
        unit: '°C',
        area: 'holding',
        address: i * 2,
        dataType: 'float32',
      })),
    }),
  );
  if (o.baseUrlIn === 'settings') store.settings.set('sync.baseUrl', baseUrl);
  // The key may write telemetry only: the engineer linked the device to one made in TwinEdge for it (the link
  // flow itself is tested in sync-dialects.test.ts and the e2e suite).
  if (o.dialect === 'strict-scopes' && o.linkByHand !== false) linkInStore(store, sim);
  const make = (overrides: Partial<SyncServiceOptions> = {}): SyncService =>
    new SyncService({
      store,
      secrets,
      log,
      onStatus: (s) => statuses.push(s),
      ...(o.baseUrlIn === 'settings' ? {} : { baseUrl }),
      refreshMs: 3_600_000,
      uploader: { maxPoints: 2000, liveIntervalMs: 100, backoff: { baseMs: 20, capMs: 300 } },
      ...(o.clock ? { clock: o.clock } : {}),
      ...o.sync,
      ...overrides,
    });
  let sync = make();
  sync.devicesChanged();
  await sync.start();
  const linkState = (): string | undefined => sync.status().devices.find((d) => d.deviceId === device.id)?.state;
  const rig: SyncRig = {
    sim,
    get store() {
      return store;
    },
    get sync() {
      return sync;
    },
    device,
    dir: tmp.path,
    statuses,
    logFile,
    ready: (timeoutMs = 10_000) =>
      waitFor(() => uploading.has(linkState() ?? ''), timeoutMs, 'the device to upload to a TwinEdge asset'),
    write: (batch) => store.writeSamples(batch, sync.queuePolicy()),
    closeApp: async () => {
      await sync.stop();
      store.close();
    },
    reopen: async (overrides) => {
      store = Store.open(path);
      sync = make(overrides);
      sync.devicesChanged();
      await sync.start();
    },
    drained: (timeoutMs = 60_000) =>
      waitFor(
        () => store.outbox.current.samples === 0 && store.sync.inflight() === null,
        timeoutMs,
        'the upload backlog to drain',
      ),
    close: async () => {
      await sync.stop().catch(() => undefined);
      try {
        store.close();
      } catch {
        // already closed by closeApp
      }
      await sim.close();
      tmp.remove();
    },
  };
  return rig;
};

/** `n` samples cycling over the device's tags, one per tag per `stepMs`, from `t0`. */
export const samplesOf = (device: StoredDevice, t0: number, n: number, stepMs = 1000): Sample[] => {
  const tags = device.tags;
  return Array.from({ length: n }, (_, i) => ({
    tagId: tags[i % tags.length]?.id ?? 0,
    ts: t0 + Math.floor(i / tags.length) * stepMs,
    value: Math.round(Math.sin(i / 50) * 1000) / 10,
    quality: 0,
  }));
};

/** "tag@iso" keys of what the local store holds for the device, to compare with what TwinEdge stored. */
export const localKeys = (store: Store, device: StoredDevice): string[] => {
  const out: string[] = [];
  for (const tag of device.tags) {
    const h = store.samples.history(tag.id, 0, Number.MAX_SAFE_INTEGER, 100_000_000);
    for (const ts of h.ts) out.push(`${tag.name}@${new Date(ts).toISOString()}`);
  }
  return out.sort();
};

/**
 * Every sample the store holds and every point TwinEdge holds, as "deviceId/tag@iso" keys: TwinEdge's points are
 * mapped back to local devices through the device links, so the two lists compare directly.
 */
export const storedAndCloudKeys = (store: Store, sim: CloudSim): { local: string[]; remote: string[] } => {
  const assets = new Map(store.sync.links().map((l) => [l.cloudId, l.deviceId]));
  return {
    local: store.devices.list().flatMap((d) => localKeys(store, d).map((key) => `${d.id}/${key}`)),
    remote: sim.points().map((p) => `${assets.get(p.asset_id) ?? '?'}/${p.tag_name}@${p.timestamp}`),
  };
};

/**
 * Links every local device without a hand link to a TwinEdge device made for it, written into the store as
 * `SyncService.linkDevice` writes it: for readings whose key may not register devices (strict-scopes).
 */
export const linkInStore = (store: Store, sim: CloudSim): void => {
  const linked = new Set(
    store.sync
      .links()
      .filter((l) => l.state === 'linked')
      .map((l) => l.deviceId),
  );
  for (const d of store.devices.list()) {
    if (linked.has(d.id)) continue;
    const asset = sim.createDevice({ name: `${d.config.name} (TwinEdge)`, type: d.config.protocol });
    store.sync.saveLink({
      deviceId: d.id,
      cloudId: asset.id,
      state: 'linked',
      message: 'Linked by the test, as an engineer would.',
      syncedHash: null,
      cloudUpdatedAt: null,
      conflictId: null,
      syncedAt: null,
    });
  }
};
