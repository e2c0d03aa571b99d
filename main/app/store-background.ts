// The store's background jobs (rollups, retention, the purge of deleted tags' data, the compactor sealing older raw
// samples into blocks): started and stopped together.
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/store.js';
import { TagPurgeJob } from '../store/tag-purge-job.js';
import { Compactor } from '../store/raw/compactor.js';
import { RollupService } from '../history/rollups.js';
import { RetentionService } from '../history/retention.js';
import { errorMessage } from '../domain/errors/app-error.js';
import type { StoreGuard } from './store-guard.js';

export interface StoreBackground {
  rollups: RollupService | null;
  retention: RetentionService | null;
  purge: TagPurgeJob | null;
  compactor: Compactor | null;
  /** Stops all four, in the order the last write needs. */
  stop(): Promise<void>;
}

/** Creates and starts the background jobs; all are null without a store. */
export const startStoreBackground = (store: Store | null, guard: StoreGuard, log: Logger): StoreBackground => {
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
  // Raw rows older than an hour are sealed into compact blocks in bounded steps; a store written before blocks
  // existed is converted by the same job (logged once at its start and end).
  const compactor = store
    ? new Compactor({
        store,
        onError: (err) => {
          if (!guard.observe(err, 'compacting raw samples')) log.error(`Compacting raw samples: ${errorMessage(err)}`);
        },
        onConversion: (kind, r) =>
          log.info(
            kind === 'started'
              ? 'Converting stored raw samples to compact blocks in the background (the store stays usable).'
              : `Stored raw samples converted to compact blocks (${r.rows} samples in ${r.steps} steps, ${Math.round(r.durationMs / 1000)} s).`,
          ),
      })
    : null;
  compactor?.start();
  return {
    rollups,
    retention,
    purge,
    compactor,
    stop: async () => {
      await compactor?.stop();
      // Retention first: the last write may delete old rows itself and must not meet a run between its steps.
      rollups?.stop();
      await purge?.stop();
      await retention?.stop();
    },
  };
};
