import { AppError } from '../domain/errors/app-error.js';

/** SQLite error codes we explain to the user; anything else is reported with its own text. */
const explanations: Record<string, string> = {
  SQLITE_NOTADB: 'is damaged or is not a TwinEdge data store (file is not a database)',
  SQLITE_CORRUPT: 'is damaged (database disk image is malformed)',
  SQLITE_CANTOPEN: 'cannot be opened: check that the folder exists and is writable',
  SQLITE_READONLY: 'is read-only: check the file and folder permissions',
  SQLITE_PERM: 'cannot be accessed: permission denied',
  SQLITE_FULL: 'cannot grow: the disk is full',
  SQLITE_IOERR: 'had a disk read/write error',
  SQLITE_BUSY: 'is locked by another program',
  SQLITE_LOCKED: 'is locked by another program',
};

const sqliteCode = (err: unknown): string | undefined => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/** True when the error's SQLite code is `base` or one of its extended codes (SQLITE_IOERR_WRITE for SQLITE_IOERR). */
export const hasSqliteCode = (err: unknown, base: string): boolean => {
  const code = sqliteCode(err) ?? '';
  return code === base || code.startsWith(`${base}_`);
};

/** Turns a better-sqlite3 or file-system error into a message naming the file and what to do. */
export const storeError = (path: string, err: unknown, doing: string): AppError => {
  const base = Object.keys(explanations).find((k) => hasSqliteCode(err, k));
  const why = base ? explanations[base] : `failed (${err instanceof Error ? err.message : String(err)})`;
  const advice =
    base === 'SQLITE_NOTADB' || base === 'SQLITE_CORRUPT'
      ? ' TwinEdge has not changed the file. Move it aside or restore a backup, then restart.'
      : '';
  return new AppError('store_unavailable', `The data store ${path} ${why} while ${doing}.${advice}`, undefined, {
    cause: err,
  });
};

/** What a SQLite failure means for the app: the file is damaged, the disk is full, or it cannot be read/written. */
export type StoreFault = 'damaged' | 'full' | 'io';

/** The fault behind an error (looking through wrapping AppErrors' causes); null when it is none of these. */
export const storeFault = (err: unknown): StoreFault | null => {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (hasSqliteCode(e, 'SQLITE_CORRUPT') || hasSqliteCode(e, 'SQLITE_NOTADB')) return 'damaged';
    if (hasSqliteCode(e, 'SQLITE_FULL')) return 'full';
    if (hasSqliteCode(e, 'SQLITE_IOERR')) return 'io';
  }
  return null;
};

/** A call refused on a full disk or a disk error: nothing was changed, and what to do about it. */
export const refusedCallError = (path: string, call: string, fault: 'full' | 'io', err: unknown): AppError => {
  const why =
    fault === 'full'
      ? `${explanations.SQLITE_FULL}. Nothing was changed; free some disk space and try again`
      : `${explanations.SQLITE_IOERR}. Nothing was changed; check the disk and try again`;
  return new AppError('store_unavailable', `The data store ${path} ${why} (${call}).`, undefined, { cause: err });
};

/** Damage found while running: writing has stopped and the file is kept as it is. */
export const damagedStoreError = (path: string, err: unknown, doing: string): AppError =>
  new AppError(
    'store_unavailable',
    `The data store ${path} is damaged (${(err instanceof Error ? err.message : String(err)).replace(/\.$/, '')}), ` +
      `found while ${doing}. TwinEdge has stopped writing to it and leaves the file as it is: ` +
      'move it aside or restore a backup, then restart.',
    undefined,
    { cause: err },
  );
