import Database from 'better-sqlite3';
import { mkdirSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { AppError, errorMessage } from '../domain/errors/app-error.js';

/** The file the OS lock is taken on (an empty SQLite database; its content is never used). */
export const LOCK_DB = 'twinedge.lock.db';
/** Who holds the lock: information for the message a second process shows, never a lock itself. */
export const LOCK_INFO = 'twinedge.lock';

interface Holder {
  pid: number;
  host: string;
  since: string;
}

const readHolder = (file: string): Holder | null => {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<Holder> | null;
    return v && Number.isInteger(v.pid) && typeof v.host === 'string' && typeof v.since === 'string'
      ? { pid: v.pid as number, host: v.host, since: v.since }
      : null;
  } catch {
    return null;
  }
};

const codeOf = (err: unknown): string => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
};

/**
 * One TwinEdge process per data folder: two collectors writing one store would double every sample.
 *
 * The lock is an OS lock, not a PID in a file: SQLite's own exclusive lock on a small lock database
 * (`locking_mode=EXCLUSIVE` and an open `BEGIN EXCLUSIVE`), which is fcntl() byte-range locking on Linux and
 * macOS and LockFileEx() on Windows. The kernel releases it when the holder ends, however it ends (kill -9,
 * power loss, a reboot), so a dead holder never blocks, a reused or forged PID means nothing, and two live
 * processes never share a folder. twinedge.lock only says who holds it, for the message.
 *
 * Never open the lock database with node:fs: on POSIX, closing any descriptor of a file drops the process's
 * fcntl locks on it.
 */
export class DataDirLock {
  private constructor(
    private readonly db: Database.Database,
    private readonly infoFile: string,
  ) {}

  static acquire(dir: string, nativeBinding?: string): DataDirLock {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw new AppError('store_unavailable', `Cannot use the data folder ${dir}: ${errorMessage(err)}.`);
    }
    const dbFile = join(dir, LOCK_DB);
    const infoFile = join(dir, LOCK_INFO);
    for (let attempt = 0; ; attempt++) {
      let db: Database.Database | null = null;
      try {
        // timeout 0: a held lock is answered at once (SQLITE_BUSY), not waited for.
        db = new Database(dbFile, { timeout: 0, ...(nativeBinding ? { nativeBinding } : {}) });
        db.pragma('locking_mode = EXCLUSIVE');
        db.exec('BEGIN EXCLUSIVE');
      } catch (err) {
        db?.close();
        const code = codeOf(err);
        if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
          const h = readHolder(infoFile);
          const who = h ? `pid ${h.pid} on ${h.host}, since ${h.since}` : 'it did not say which';
          throw new AppError(
            'store_unavailable',
            `The data folder ${dir} is in use by another TwinEdge process (${who}). Close it, or start with --data-dir pointing elsewhere.`,
          );
        }
        // Bytes that are not a database (a copied or damaged lock file): its content means nothing, empty it.
        if ((code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') && attempt === 0) {
          truncateSync(dbFile, 0);
          continue;
        }
        throw new AppError('store_unavailable', `Cannot lock the data folder ${dir}: ${errorMessage(err)}.`);
      }
      const holder: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
      try {
        // Whole or not at all: a reader never sees half of it.
        writeFileSync(`${infoFile}.tmp`, `${JSON.stringify(holder)}\n`);
        renameSync(`${infoFile}.tmp`, infoFile);
      } catch {
        // Only the message of a second process would lack the holder; the lock holds all the same.
      }
      return new DataDirLock(db, infoFile);
    }
  }

  release(): void {
    if (!this.db.open) return;
    if (readHolder(this.infoFile)?.pid === process.pid) rmSync(this.infoFile, { force: true });
    try {
      this.db.exec('ROLLBACK');
    } catch {
      // no transaction left: closing releases the lock all the same
    }
    this.db.close();
  }
}
