// What createApp takes (options, test seams) and what it gives the shells; create-app.ts re-exports both.
import type { CollectorFactory } from '../collect/collector-manager.js';
import type { Sample } from '../domain/sample/sample.js';
import type { AppInfo } from '../domain/app/app-info.js';
import type { AppStatus } from '../domain/app/app-status.js';
import type { Router } from '../contract/router.js';
import type { EventHub } from './event-hub.js';
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/store.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { AlarmService } from '../alerts/alarm-service.js';
import type { ServerAlarmService } from '../alerts/server-alarm-service.js';
import type { SyncService, SyncServiceOptions } from '../sync/sync-service.js';
import type { DemoPlantPort, DemoRunOptions } from './demo-setup.js';

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
