// The config file at start: read, applied all or not at all, and the problem said with the settings in force.
import { loadConfigFile } from './config/config-file.js';
import type { LoadedConfigFile } from '../domain/config/config-file-schema.js';
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/store.js';
import type { AlarmService } from '../alerts/alarm-service.js';
import type { SyncService } from '../sync/sync-service.js';
import { errorMessage } from '../domain/errors/app-error.js';
import { applyConfigFile, readLastApplied } from './apply-config.js';

export interface ConfigApplyDeps {
  store: Store | null;
  alarms: AlarmService | null;
  sync: SyncService | null;
  log: Logger;
  /** Lets store damage met while applying stop writing (StoreGuard.observe). */
  observe: (err: unknown, doing: string) => void;
}

/**
 * A bad config file is applied not at all (never half): the app runs on the last good settings and says so.
 * Read at construction (before the store opens), applied once the services exist.
 */
export class ConfigFileStep {
  private file: LoadedConfigFile | undefined;
  private problem: string | null = null;

  constructor(private readonly path: string | undefined) {
    if (!path) return;
    try {
      this.file = loadConfigFile(path);
    } catch (err) {
      this.problem = errorMessage(err);
    }
  }

  /** The file applied at this start; undefined without one, or once it failed to apply. */
  get config(): LoadedConfigFile | undefined {
    return this.file;
  }

  /** Why the file was not applied (status.configError); null when it was or there is none. */
  get error(): string | null {
    return this.problem;
  }

  apply(d: ConfigApplyDeps): void {
    const { store, log } = d;
    if (store && this.file && this.path) {
      try {
        applyConfigFile({ file: this.path, config: this.file, store, alarms: d.alarms, sync: d.sync, log });
      } catch (err) {
        d.observe(err, 'applying the config file');
        this.problem = errorMessage(err);
        this.file = undefined;
      }
    }
    if (this.problem) {
      const last = readLastApplied(store);
      this.problem +=
        last !== null
          ? `\nTwinEdge runs with the last good settings (from ${last.file}, applied ${new Date(last.at).toISOString()}).`
          : '\nTwinEdge runs with the settings it already had (no config file was applied before).';
      log.error(this.problem);
    }
  }
}
