import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startPeer, type PeerProcess } from '../helpers/child-process.js';
import { result, type BenchResult } from './result.js';

const RUNS = 5;
const INGEST_MS = 8_000;
const root = join(import.meta.dirname, '..', '..');
const serveJs = join(root, 'dist', 'main', 'serve.js');
const READY = /TwinEdge browser mode: (\S+)/;

/** Starts browser mode on the data dir and resolves with the ms until it printed its URL (store open, collectors started). */
const start = async (dataDir: string, args = ['--demo-speed', '10']): Promise<{ proc: PeerProcess; ms: number }> => {
  const t = performance.now();
  const proc = await startPeer(
    'browser mode',
    process.execPath,
    [serveJs, '--port', '0', '--data-dir', dataDir, ...args],
    READY,
    60_000,
    { NODE_ENV: 'production', TWINEDGE_SECRETS_FROM_ENV: '1' },
  );
  return { proc, ms: performance.now() - t };
};

/** The floor for getting back to the data: a fresh Node process that opens the same store and checks it. */
const bareOpen = (file: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const t = performance.now();
    const script = `const D=require('better-sqlite3');const db=new D(process.argv[1]);db.pragma('quick_check');db.prepare('select count(*) from sqlite_master').get();db.close();`;
    const proc = spawn(process.execPath, ['-e', script, file], { cwd: root, stdio: 'inherit' });
    proc.once('exit', (code) =>
      code === 0 ? resolve(performance.now() - t) : reject(new Error(`bare open exited ${code}`)),
    );
  });

/**
 * A copy of the store as it is on disk now (main file, WAL and shared memory), so the baseline opens exactly
 * what the app is about to open, not a file the app (or an earlier open) has already recovered.
 */
const copyStore = (file: string, into: string): string => {
  const copy = join(into, 'baseline.sqlite');
  for (const ext of ['', '-wal', '-shm']) {
    rmSync(copy + ext, { force: true });
    if (existsSync(file + ext)) copyFileSync(file + ext, copy + ext);
  }
  return copy;
};

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

/**
 * gateway.restart_after_kill: a gateway killed with SIGKILL mid-ingest (the demo plant at 10× speed, the store
 * growing) is started again; the figure is the time until it serves again: Node started, store opened and
 * migrated after the crash (WAL recovered), demo collectors started, URL printed. Baseline: a fresh Node process
 * opening a copy of the killed store, WAL and all, with better-sqlite3 and running quick_check: the same
 * recovery the app must do. Median of 5 kill/restart cycles.
 */
export const benchGatewayRestart = async (): Promise<BenchResult[]> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'twinedge-bench-restart-'));
  const copies = mkdtempSync(join(tmpdir(), 'twinedge-bench-restart-copy-'));
  try {
    let { proc } = await start(dataDir);
    const restarts: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await new Promise((r) => setTimeout(r, INGEST_MS));
      await proc.kill();
      bare.push(await bareOpen(copyStore(join(dataDir, 'twinedge.sqlite'), copies)));
      const next = await start(dataDir);
      proc = next.proc;
      restarts.push(next.ms);
    }
    await proc.kill();
    const db = new Database(join(dataDir, 'twinedge.sqlite'), { readonly: true });
    const ok = db.pragma('integrity_check', { simple: true });
    db.close();
    if (ok !== 'ok') throw new Error(`restart bench: integrity_check says ${String(ok)}`);
    return [result('gateway.restart_after_kill', median(restarts), 'ms', median(bare)), await startWithoutOpcUa()];
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(copies, { recursive: true, force: true });
  }
};

/**
 * gateway.start_without_opcua: a gateway whose config file has no OPC UA device and no demo plant, started 5
 * times on its store (created by a first, unmeasured start); node-opcua is never loaded. Baseline: the bare
 * open above, of a copy of that same store as the app is about to open it.
 */
const startWithoutOpcUa = async (): Promise<BenchResult> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'twinedge-bench-start-'));
  try {
    const config = join(dataDir, 'gateway.json');
    writeFileSync(config, JSON.stringify({ demoPlant: false, devices: [] }));
    const data = join(dataDir, 'data');
    const store = join(data, 'twinedge.sqlite');
    await (await start(data, ['--config', config])).proc.stop();
    const starts: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      bare.push(await bareOpen(copyStore(store, dataDir)));
      const { proc, ms } = await start(data, ['--config', config]);
      starts.push(ms);
      await proc.stop();
    }
    return result('gateway.start_without_opcua', median(starts), 'ms', median(bare));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
};
