import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createApp } from '../../main/app/create-app.js';
import { silentLogger } from '../../main/log/logger.js';
import { tempDir } from '../helpers/temp-dir.js';
import { syntheticMap } from './modbus-map.js';
import { startModbusServer } from './modbus-server.js';
import { result, type BenchResult } from './result.js';

const TAGS = 10_000;
const RATE_MS = 1000;
const WARMUP_MS = 5_000;
const MEASURE_MS = 30_000;

/** The p-th percentile (0..1) of the values, nearest rank. */
const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
};

/**
 * modbus.poll.jitter: one device of 10,000 tags polled at 1 s through the whole app (collector, sample writer,
 * SQLite, rollups every few seconds), against a Modbus TCP server in another process. The interval between polls
 * is read from the stored samples' timestamps (one per cycle); value = its p99 in ms, baseline = the poll rate (the
 * physical ideal). With 30 intervals, p99 is the worst one. The event loop's delay is printed with it: a late poll
 * on a blocked thread is the app's stall, not the schedule's. modbus.poll.rows: rows stored for a tag over the window
 * against the cycles the rate gives in it (a skipped or slipped cycle that is never made up shows here).
 */
export const benchModbusPollJitter = async (): Promise<BenchResult[]> => {
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
    const r = await app.router.invoke('devices.save', {
      name: 'Line 1',
      protocol: 'modbus',
      settings: { host: '127.0.0.1', port: server.port, unitId: 1, pollIntervalMs: RATE_MS, timeoutMs: 2000 },
      tags: syntheticMap(TAGS, 101),
    });
    if (!r.ok) throw new Error(r.error.message);
    const store = app.store;
    if (!store) throw new Error('the bench store did not open');
    const tagId = store.devices.list().find((d) => d.config.name === 'Line 1')!.tags[0]!.id;
    await new Promise((res) => setTimeout(res, WARMUP_MS));
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const from = Date.now();
    await new Promise((res) => setTimeout(res, MEASURE_MS));
    const to = Date.now();
    loop.disable();
    // Let the writer store the last cycle of the window.
    await new Promise((res) => setTimeout(res, 1500));
    const ts = store.samples.raw(tagId, from, to).map((s) => s.ts);
    const intervals = ts.slice(1).map((t, i) => t - ts[i]!);
    if (intervals.length < 2) throw new Error(`only ${ts.length} polls stored in ${MEASURE_MS} ms`);
    const p99 = percentile(intervals, 0.99);
    const cycles = (to - from) / RATE_MS;
    process.stderr.write(
      `modbus.poll.jitter: ${ts.length} polls in ${((to - from) / 1000).toFixed(1)} s, intervals ` +
        `min ${Math.min(...intervals)} ms, p50 ${percentile(intervals, 0.5)} ms, max ${Math.max(...intervals)} ms; event loop delay max ${Math.round(loop.max / 1e6)} ms, p99 ${Math.round(loop.percentile(99) / 1e6)} ms\n`,
    );
    return [
      result('modbus.poll.jitter', p99, 'ms', RATE_MS),
      result('modbus.poll.rows', ts.length, 'rows/tag', cycles, 1),
    ];
  } finally {
    await app.stop();
    server.stop();
    dir.remove();
  }
};
