import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrations } from './migrations.js';
import { storeError } from './store-error.js';

export type Db = Database.Database;

export interface OpenOptions {
  /** Path to a better-sqlite3 native binding built for the running runtime (Electron's ABI). */
  nativeBinding?: string;
}

/**
 * Opens (creating if needed) the SQLite file, sets the pragmas the app relies on and applies
 * pending migrations. Throws AppError('store_unavailable') with a readable message.
 */
export const openDatabase = (path: string, options: OpenOptions = {}): Db => {
  let db: Db | undefined;
  try {
    mkdirSync(dirname(path), { recursive: true });
    db = new Database(path, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
    db.pragma('busy_timeout = 5000');
    // WAL: readers (history queries) never block the writer (collectors).
    db.pragma('journal_mode = WAL');
    // NORMAL is durable across application crashes in WAL mode; only an OS crash may lose the last commits.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    return db;
  } catch (err) {
    db?.close();
    throw storeError(path, err, 'opening it');
  }
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
