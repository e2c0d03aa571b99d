import type { AddressInfo } from 'node:net';
import type { AlertEvent, Device, Scope, Tier } from '../../../main/sync/api/model.js';
import { systemClock, type Clock } from '../../../main/sync/clock.js';
import { addAlertEvent } from './alerts.js';
import { openSimDb } from './db.js';
import type { Exchange } from './exchange.js';
import { FaultInjector, FaultsPatch, type Faults } from './faults.js';
import { RateLimiter } from './rate-limiter.js';
import { seedDemoData } from './seed.js';
import { createSimServer } from './server.js';
import { createState, type Counters } from './state.js';
import type { PointFilter, StoredPoint } from './telemetry-store.js';

export type { Exchange, Faults, PointFilter, StoredPoint };
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
}

export interface CloudSimStats extends Counters {
  pointsStored: number;
  duplicatePoints: number;
}

export interface CloudSim {
  /** Base URL including /v1. */
  url: string;
  port: number;
  /** The generated admin key when no keys were given, else the first given key. */
  defaultKey: string;
  close(): Promise<void>;
  addKey(tier: Tier, scopes: Scope[], name?: string): string;
  setFaults(patch: Partial<Faults>): Faults;
  stats(): CloudSimStats;
  points(filter?: PointFilter): StoredPoint[];
  devices(): Device[];
  addAlertEvent(event: Partial<AlertEvent> & Pick<AlertEvent, 'rule_id' | 'rule_name' | 'severity'>): AlertEvent;
}

/** Starts the local TwinEdge API on a loopback port. */
export const startCloudSim = async (options: CloudSimOptions = {}): Promise<CloudSim> => {
  const clock = options.clock ?? systemClock;
  const db = openSimDb(options.dbPath ?? ':memory:');
  const state = createState(db, clock);
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
    addAlertEvent: (event) => addAlertEvent(state, event),
  };
};
