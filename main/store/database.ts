import Database from 'better-sqlite3';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrations } from './migrations.js';
import type { StoreCheck } from '../domain/store-check.js';
import { quickCheck } from './integrity-check.js';
import { storeError, storeFault } from './store-error.js';

export type Db = Database.Database;

export interface OpenOptions {
  /** Path to a better-sqlite3 native binding built for the running runtime (Electron's ABI). */
  nativeBinding?: string;
}

/**
 * Opens (creating if needed) the SQLite file, sets the pragmas the app relies on and applies
 * pending migrations. Throws AppError('store_unavailable') with a readable message.
 */
export const openDatabase = (path: string, options: OpenOptions = {}): { db: Db; check: StoreCheck | null } => {
  let db: Db | undefined;
  try {
    mkdirSync(dirname(path), { recursive: true });
    let check = existsSync(path) ? checkBeforeOpening(path, options) : null;
    db = new Database(path, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
    db.pragma('busy_timeout = 5000');
    // Not checkable read-only (a write-ahead log left by a crash needs recovery): checked here, before any write.
    if (check === 'not-checked') check = ensureUndamaged(quickCheck(db, statSync(path).size));
    // WAL: readers (history queries) never block the writer (collectors).
    db.pragma('journal_mode = WAL');
    // NORMAL is durable across application crashes in WAL mode; only an OS crash may lose the last commits.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    return { db, check };
  } catch (err) {
    db?.close();
    throw storeError(path, err, 'opening it');
  }
};

/** SQLite's own code for "the database disk image is malformed", for a damage quick_check found. */
class DamagedFile extends Error {
  readonly code = 'SQLITE_CORRUPT';
}

/**
 * quick_check on a read-only connection before the file is opened for writing: a damaged file is then refused
 * untouched (no journal mode change, no migration, no checkpoint at close).
 */
const checkBeforeOpening = (path: string, options: OpenOptions): StoreCheck | 'not-checked' => {
  let ro: Db | undefined;
  let check: StoreCheck;
  try {
    ro = new Database(path, {
      readonly: true,
      fileMustExist: true,
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
    });
    ro.pragma('busy_timeout = 5000');
    check = quickCheck(ro, statSync(path).size);
  } catch (err) {
    // Damage is the answer; anything else (e.g. SQLITE_READONLY_RECOVERY after a crash) means check read-write.
    if (storeFault(err) === 'damaged') throw err;
    return 'not-checked';
  } finally {
    ro?.close();
  }
  return ensureUndamaged(check);
};

const ensureUndamaged = (check: StoreCheck): StoreCheck => {
  if (!check.ok) throw new DamagedFile(`database disk image is malformed: ${check.problems.slice(0, 3).join('; ')}`);
  return check;
};

const migrate = (db: Db): void => {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new Error(
      `the file was written by a newer TwinEdge (schema ${current}, this version knows ${migrations.length})`,
    );
  }
  migrations.slice(current).forEach((sql, i) => {
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${current + i + 1}`);
    })();
  });
};
