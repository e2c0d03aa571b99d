import type { AlertEvent, AlertRule, Dashboard, Device, MlModel } from '../../../main/sync/api/model.js';
import type { Clock } from '../../../main/sync/clock.js';
import { DocStore, type Db } from './db.js';
import type { DialectRules } from './dialect.js';
import { IdempotencyStore } from './idempotency.js';
import { IdSource } from './ids.js';
import { KeyStore } from './keys.js';
import { TelemetryStore } from './telemetry-store.js';

/** A training job as stored; its status and progress are derived from clock time when read. */
export interface StoredJob {
  id: string;
  name: string;
  model_type: MlModel['type'];
  asset_id: string;
  tag_names: string[];
  created_ms: number;
  model_id: string | null;
}

export interface Counters {
  requests: number;
  byStatus: Record<number, number>;
  rateLimited: number;
  injected429: number;
  injected5xx: number;
  dropped: number;
  ingestRequests: number;
  replayed: number;
  /** Successful POST /devices creations (replays and CloudSim.createDevice excluded). */
  devicesCreated: number;
}

/** Everything the handlers share. */
export interface SimState {
  clock: Clock;
  dialect: DialectRules;
  ids: IdSource;
  keys: KeyStore;
  telemetry: TelemetryStore;
  idempotency: IdempotencyStore;
  devices: DocStore<Device>;
  dashboards: DocStore<Dashboard>;
  alertRules: DocStore<AlertRule>;
  alertEvents: DocStore<AlertEvent>;
  models: DocStore<MlModel>;
  jobs: DocStore<StoredJob>;
  counters: Counters;
}

export const createState = (db: Db, clock: Clock, dialect: DialectRules): SimState => ({
  clock,
  dialect,
  ids: new IdSource(db, dialect.numericIds),
  keys: new KeyStore(db),
  telemetry: new TelemetryStore(db),
  idempotency: new IdempotencyStore(db),
  devices: new DocStore(db, 'device'),
  dashboards: new DocStore(db, 'dashboard'),
  alertRules: new DocStore(db, 'alert_rule'),
  alertEvents: new DocStore(db, 'alert_event'),
  models: new DocStore(db, 'ml_model'),
  jobs: new DocStore(db, 'training_job'),
  counters: {
    requests: 0,
    byStatus: {},
    rateLimited: 0,
    injected429: 0,
    injected5xx: 0,
    dropped: 0,
    ingestRequests: 0,
    replayed: 0,
    devicesCreated: 0,
  },
});

export const iso = (ms: number): string => new Date(ms).toISOString();
