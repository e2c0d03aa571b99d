import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { StoreCheck } from '../domain/store-check.js';
import type { Db } from './database.js';
import { RAW_TABLES } from './raw/raw-samples.js';
import { hasSqliteCode, storeFault } from './store-error.js';

/** Findings kept per check: enough to tell a torn page from widespread damage. */
const MAX_PROBLEMS = 20;
/**
 * Stores up to this size get a whole-file quick_check at open: measured here at about 26 ms per MiB (5.3 s for a
 * 206 MiB store, integrity_check about the same), so 8 MiB costs about 0.2 s of start-up.
 */
export const QUICK_WHOLE_FILE_BYTES = 8 * 1024 ** 2;
/** Tables that grow with history: on a larger store they wait for the background integrity_check. */
export const HISTORY_TABLES: ReadonlySet<string> = new Set([
  ...RAW_TABLES,
  'rollup_1m',
  'rollup_1h',
  'rollup_dirty',
  'sync_outbox',
  'alarm_events',
  'server_events',
]);

const findings = (rows: unknown[]): string[] =>
  rows
    .map((r) => String(Object.values(r as Record<string, unknown>)[0]))
    .filter((t) => t !== 'ok')
    .slice(0, MAX_PROBLEMS);

/**
 * quick_check at open, bounded: the whole file when it is small; on a large one the schema and every table but
 * the history tables (configuration, settings, alarm rules: what start-up reads), which the background
 * integrity_check covers. quick_check reads every page it checks: the whole file at 10 GiB would take minutes.
 */
export const quickCheck = (db: Db, fileBytes: number): StoreCheck => {
  const started = performance.now();
  let problems: string[];
  try {
    problems = quickProblems(db, fileBytes);
  } catch (err) {
    // The checker itself may stop at a page it cannot read: that is its finding.
    // Not a database at all is its own message at open ("damaged or is not a TwinEdge data store").
    if (storeFault(err) !== 'damaged' || hasSqliteCode(err, 'SQLITE_NOTADB')) throw err;
    problems = [err instanceof Error ? err.message : String(err)];
  }
  return {
    kind: 'quick',
    at: Date.now(),
    durationMs: Math.round(performance.now() - started),
    ok: problems.length === 0,
    problems: problems.slice(0, MAX_PROBLEMS),
  };
};

const quickProblems = (db: Db, fileBytes: number): string[] => {
  let problems: string[];
  if (fileBytes <= QUICK_WHOLE_FILE_BYTES) {
    problems = findings(db.pragma(`quick_check(${MAX_PROBLEMS})`) as unknown[]);
  } else {
    const tables = (
      db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as {
        name: string;
      }[]
    )
      .map((r) => r.name)
      .filter((n) => !HISTORY_TABLES.has(n));
    problems = [];
    for (const t of ['sqlite_schema', ...tables]) {
      problems.push(...findings(db.pragma(`quick_check("${t.replace(/"/g, '""')}")`) as unknown[]));
      if (problems.length >= MAX_PROBLEMS) break;
    }
  }
  return problems;
};

// Plain CommonJS for an eval worker: the module path comes from the main thread, so it works bundled too.
const workerCode = `
const { parentPort, workerData } = require('node:worker_threads');
let db;
try {
  const Database = require(workerData.module);
  db = new Database(workerData.path, { readonly: true, fileMustExist: true,
    ...(workerData.nativeBinding ? { nativeBinding: workerData.nativeBinding } : {}) });
  db.pragma('busy_timeout = 5000');
  parentPort.postMessage({ rows: db.pragma('integrity_check(${MAX_PROBLEMS})') });
} catch (e) {
  parentPort.postMessage({ error: String((e && e.message) || e), code: e && e.code });
} finally {
  try { db && db.close(); } catch {}
}
`;

type WorkerAnswer = { rows: unknown[] } | { error: string; code?: string };

/** What the checker found. */
export interface FullCheck extends StoreCheck {
  /** False when the checker itself could not run (no worker, stopped): then `problems` says why. */
  ran: boolean;
}

/**
 * Full integrity_check on its own read-only connection in a worker thread: on a large store it runs for minutes,
 * and the app's connection (and event loop) must not wait for it. WAL mode lets it read while samples are written.
 */
export const fullCheck = (path: string, nativeBinding?: string, signal?: AbortSignal): Promise<FullCheck> => {
  const started = performance.now();
  const done = (ok: boolean, problems: string[], ran = true): FullCheck => ({
    kind: 'full',
    at: Date.now(),
    durationMs: Math.round(performance.now() - started),
    ok,
    problems,
    ran,
  });
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      const module = createRequire(import.meta.url).resolve('better-sqlite3');
      worker = new Worker(workerCode, { eval: true, workerData: { module, path, nativeBinding } });
    } catch (err) {
      resolve(done(false, [`The check could not start: ${err instanceof Error ? err.message : String(err)}`], false));
      return;
    }
    worker.once('message', (m: WorkerAnswer) => {
      if ('rows' in m) {
        const problems = findings(m.rows);
        resolve(done(problems.length === 0, problems));
      } else {
        // Opening or reading failed: damage when SQLite says so, else the checker could not run.
        resolve(done(false, [m.error], storeFault(m) === 'damaged'));
      }
      void worker.terminate();
    });
    worker.once('error', (err) => resolve(done(false, [`The check failed: ${err.message}`], false)));
    // Stopping the app: the check ends now (a read-only connection, nothing to clean up).
    signal?.addEventListener('abort', () => {
      resolve(done(false, ['The check was stopped before it finished (the app stopped).'], false));
      void worker.terminate();
    });
  });
};
