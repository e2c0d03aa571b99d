// Opening the data store at start (the data-dir lock, then the SQLite file), kept out of the composition root.
import { join } from 'node:path';
import type { Logger } from '../log/logger.js';
import { DataDirLock } from '../store/data-dir-lock.js';
import { DEFAULT_RESERVE_BYTES } from '../store/disk-reserve.js';
import { Store } from '../store/store.js';
import { errorMessage } from '../domain/errors/app-error.js';
import type { AppOptions } from './app-options.js';

export interface OpenedStore {
  storePath: string;
  /** Held while the store is open; null when either could not be had. */
  lock: DataDirLock | null;
  store: Store | null;
  /** Why the store is not open (logged already); null when it is. */
  error: string | null;
}

/** Locks the data dir and opens the store; a failure is logged and returned, never thrown. */
export const openStore = (
  options: Pick<AppOptions, 'dataDir' | 'nativeBinding' | 'storeReserveBytes'>,
  log: Logger,
): OpenedStore => {
  const storePath = join(options.dataDir, 'twinedge.sqlite');
  let lock: DataDirLock | null = null;
  try {
    lock = DataDirLock.acquire(options.dataDir, options.nativeBinding);
    const store = Store.open(storePath, {
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
      reserveBytes: options.storeReserveBytes ?? DEFAULT_RESERVE_BYTES,
    });
    return { storePath, lock, store, error: null };
  } catch (err) {
    // No crash loop: the app runs, says what is wrong, and leaves the file as it found it.
    const error = errorMessage(err);
    log.error(error);
    lock?.release();
    return { storePath, lock: null, store: null, error };
  }
};
