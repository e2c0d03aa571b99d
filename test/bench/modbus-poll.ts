import Database from 'better-sqlite3';
import { join } from 'node:path';
import { createApp } from '../../main/app/create-app.js';
import { silentLogger } from '../../main/log/logger.js';
import { tempDir } from '../helpers/temp-dir.js';
import { syntheticMap } from './modbus-map.js';
import { startModbusServer } from './modbus-server.js';
import { result, type BenchResult } from './result.js';

const DEVICES = 10;
const TAGS_PER_DEVICE = 10_000;
const WARMUP_MS = 5_000;
const MEASURE_MS = 20_000;

const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** CPU seconds raw better-sqlite3 needs to insert 100,000 samples in one transaction: the storage floor. */
const rawInsertCpuPer100k = (dir: string): number => {
  const db = new Database(join(dir, 'raw.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(
    'CREATE TABLE s (tag_id INTEGER, ts INTEGER, value REAL, quality INTEGER, PRIMARY KEY (tag_id, ts)) WITHOUT ROWID',
  );
  const ins = db.prepare('INSERT INTO s VALUES (?, ?, ?, ?)');
  const batch = db.transaction((ts: number) => {
    for (let t = 0; t < 100_000; t++) ins.run(t, ts, t * 0.5, 0);
  });
  batch(0);
  const before = cpuSeconds();
  for (let i = 1; i <= 5; i++) batch(i * 1000);
  const per = (cpuSeconds() - before) / 5;
  db.close();
  return per;
};

/**
 * modbus.poll: 100,000 tags (10 unit ids x 10,000 behind one Modbus TCP gateway connection) polled at 1 s
 * through the whole app (collectors, writer, SQLite), against a full-size server in another process.
 * Figures: samples/s stored against the 100,000/s offered; CPU seconds per 100k samples against raw
 * better-sqlite3 inserting the same count; peak RSS against the idle app's.
 */
export const benchModbusPoll = async (): Promise<BenchResult[]> => {
  const dir = tempDir('twinedge-bench-');
  const server = await startModbusServer();
  const app = await createApp({
    dataDir: dir.path,
    shell: 'browser',
    version: 'bench',
    logger: silentLogger,
    demo: { enabled: false },
  });
  try {
    const idleRss = process.memoryUsage().rss;
    for (let d = 0; d < DEVICES; d++) {
      const r = await app.router.invoke('devices.save', {
        name: `Line ${d + 1}`,
        protocol: 'modbus',
        settings: { host: '127.0.0.1', port: server.port, unitId: d + 1, pollIntervalMs: 1000, timeoutMs: 2000 },
        tags: syntheticMap(TAGS_PER_DEVICE, 101 + d),
      });
      if (!r.ok) throw new Error(r.error.message);
    }
    let peakRss = 0;
    const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
    await new Promise((r) => setTimeout(r, WARMUP_MS));
    const rows = (): number => app.store?.samples.count() ?? 0;
    const rowsBefore = rows();
    const cpuBefore = cpuSeconds();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, MEASURE_MS));
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds() - cpuBefore;
    const stored = rows() - rowsBefore;
    clearInterval(rssTimer);
    const requests = app.status().devices.reduce((n, d) => n + (d.requestsPerCycle ?? 0), 0);
    process.stderr.write(
      `modbus.poll: ${requests} requests per 1 s cycle, ${stored} samples in ${seconds.toFixed(1)} s\n`,
    );
    const perSecond = stored / seconds;
    const cpuPer100k = cpu / (stored / 100_000);
    const floor = rawInsertCpuPer100k(dir.path);
    return [
      result('modbus.poll', perSecond, 'samples/s', DEVICES * TAGS_PER_DEVICE),
      {
        ...result('modbus.poll.cpu', 0, 'CPU s/100k samples', 0),
        value: round3(cpuPer100k),
        baseline: round3(floor),
        ratio: round3(cpuPer100k / floor),
      },
      result('modbus.poll.rss', peakRss / 2 ** 20, 'MB', idleRss / 2 ** 20),
    ];
  } finally {
    await app.stop();
    server.stop();
    dir.remove();
  }
};

const round3 = (x: number): number => Math.round(x * 1000) / 1000;
