import type { AddressInfo } from 'node:net';
import { DeviceBody, type AlertEvent, type Device } from '../../../main/sync/api/model.js';
import { type Scope, type Tier } from '../../../main/domain/cloud/account.js';
import { systemClock, type Clock } from '../../../main/sync/clock.js';
import { addAlertEvent } from './alerts.js';
import { openSimDb } from './db.js';
import { createDialect, dialects, isDialect, type Dialect } from './dialect.js';
import { insertDevice } from './devices.js';
import type { Exchange } from './exchange.js';
import { FaultInjector, FaultsPatch, type Faults } from './faults.js';
import { RateLimiter } from './rate-limiter.js';
import { seedDemoData } from './seed.js';
import { createSimServer } from './server.js';
import { createState, type Counters } from './state.js';
import type { PointFilter, StoredPoint } from './telemetry-store.js';

export type { Dialect, Exchange, Faults, PointFilter, StoredPoint };
export { dialects };
export { anomalyScore, ANOMALY_THRESHOLD, TRAINING_TOTAL_MS } from './ml.js';
export { DEMO_ASSET } from './seed.js';

export interface CloudSimOptions {
  port?: number;
  host?: string;
  clock?: Clock;
  /** better-sqlite3 file; the default ':memory:' forgets everything on close. */
  dbPath?: string;
  keys?: { key: string; tier: Tier; scopes: Scope[]; name?: string }[];
  faults?: Partial<Faults>;
  /** Seed of the fault PRNG (same seed, same fault pattern). */
  seed?: number;
  onExchange?: (ex: Exchange) => void;
  /** Demo alert rules, events, a dashboard and a ready anomaly model. */
  seedData?: boolean;
  /** Which reading of the vendor reference to answer in (test/sim/cloud/dialect.ts); default 'ours'. */
  dialect?: Dialect;
}

export interface CloudSimStats extends Counters {
  pointsStored: number;
  duplicatePoints: number;
}

export interface CloudSim {
  /** Base URL including /v1. */
  url: string;
  port: number;
  dialect: Dialect;
  /** The generated admin key when no keys were given, else the first given key. */
  defaultKey: string;
  close(): Promise<void>;
  addKey(tier: Tier, scopes: Scope[], name?: string): string;
  setFaults(patch: Partial<Faults>): Faults;
  stats(): CloudSimStats;
  points(filter?: PointFilter): StoredPoint[];
  /** Devices as stored (ours' shape, ids as strings), whatever the dialect shows on the wire. */
  devices(): Device[];
  /**
   * Inserts a device directly, past routes, scopes and budget: for tests that need a TwinEdge device to link to
   * when the key cannot create one (strict-scopes). Not counted in stats().devicesCreated.
   */
  createDevice(body: DeviceBody): Device;
  addAlertEvent(event: Partial<AlertEvent> & Pick<AlertEvent, 'rule_id' | 'rule_name' | 'severity'>): AlertEvent;
}

/** Starts the local TwinEdge API on a loopback port. */
export const startCloudSim = async (options: CloudSimOptions = {}): Promise<CloudSim> => {
  const clock = options.clock ?? systemClock;
  const db = openSimDb(options.dbPath ?? ':memory:');
  const dialect = options.dialect ?? 'ours';
  // Guards callers that pass a string through (the CLI, a JS test): an unknown name must not mean "ours".
  if (!isDialect(dialect))
    throw new Error(`unknown dialect '${String(dialect)}', expected one of ${dialects.join(', ')}`);
  const state = createState(db, clock, createDialect(dialect));
  const given = options.keys ?? [];
  const defaultKey =
    given.length > 0
      ? given.map((k) => state.keys.add(k.tier, k.scopes, k.name, k.key))[0]!
      : state.keys.add('enterprise', ['admin'], 'simulator admin');
  if (options.seedData) seedDemoData(state);
  const limiter = new RateLimiter(clock);
  const faults = new FaultInjector(options.faults, options.seed ?? 1);

  const stats = (): CloudSimStats => ({
    ...state.counters,
    byStatus: { ...state.counters.byStatus },
    pointsStored: state.telemetry.count(),
    duplicatePoints: state.telemetry.duplicates(),
  });

  const server = createSimServer({
    state,
    limiter,
    faults,
    ...(options.onExchange ? { onExchange: options.onExchange } : {}),
    control: (method, path, body) => {
      if (method === 'GET' && path === '/__sim/stats') return { status: 200, body: stats() };
      if (method === 'GET' && path === '/__sim/faults') return { status: 200, body: faults.current };
      if (method === 'POST' && path === '/__sim/devices') {
        // The CLI's way to a device a telemetry-only key can link to (strict-scopes), as createDevice for tests.
        const device = DeviceBody.safeParse(body);
        if (!device.success)
          return { status: 400, body: { error: { code: 'VALIDATION_ERROR', message: device.error.message } } };
        return { status: 201, body: { data: insertDevice(state, device.data, clock.now()) } };
      }
      if (method === 'POST' && path === '/__sim/faults') {
        const patch = FaultsPatch.safeParse(body);
        if (!patch.success)
          return { status: 400, body: { error: { code: 'VALIDATION_ERROR', message: patch.error.message } } };
        return { status: 200, body: faults.set(patch.data) };
      }
      return undefined;
    },
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://${host}:${port}/v1`,
    port,
    dialect,
    defaultKey,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      db.close();
    },
    addKey: (tier, scopes, name) => state.keys.add(tier, scopes, name),
    setFaults: (patch) => faults.set(patch),
    stats,
    points: (filter) => state.telemetry.points(filter),
    devices: () => state.devices.all(),
    createDevice: (body) => insertDevice(state, body, clock.now()),
    addAlertEvent: (event) => addAlertEvent(state, event),
  };
};
