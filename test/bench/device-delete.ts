import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../../main/app/create-app.js';
import type { Sample } from '../../main/domain/sample/sample.js';
import { ModbusDeviceInput } from '../../main/domain/device/device-schema.js';
import { silentLogger } from '../../main/log/logger.js';
import type { Store } from '../../main/store/store.js';
import { result, type BenchResult } from './result.js';

const TAGS = 3;
const PER_TAG = 1_000_000;
/** The goal: no event-loop stall over 100 ms. */
const GOAL_MS = 100;

const device = (name: string) =>
  ModbusDeviceInput.parse({
    name,
    protocol: 'modbus',
    enabled: false,
    settings: { host: '127.0.0.1' },
    tags: Array.from({ length: TAGS }, (_, i) => ({ name: `T${i}`, area: 'holding', address: i, dataType: 'uint16' })),
  });

/** 3 x 1,000,000 samples at 1 s (the last 11.6 days per tag, so retention leaves them), rolled up already. */
const fill = (store: Store, tagIds: readonly number[]): void => {
  const t0 = Date.now() - PER_TAG * 1000;
  for (const tagId of tagIds) {
    for (let i = 0; i < PER_TAG; i += 50_000) {
      const batch: Sample[] = Array.from({ length: 50_000 }, (_, k) => ({
        tagId,
        ts: t0 + (i + k) * 1000,
        value: k % 1000,
        quality: 0,
      }));
      store.samples.insertBatch(batch);
    }
  }
};

/** Longest event-loop delay (ms, 10 ms resolution) while `work` runs, and how long it took. */
const longestStall = async (work: () => Promise<void>): Promise<{ stallMs: number; ms: number }> => {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const t = performance.now();
  await work();
  const ms = performance.now() - t;
  h.disable();
  return { stallMs: h.max / 1e6, ms };
};

const startApp = (dataDir: string): Promise<App> =>
  createApp({ dataDir, shell: 'browser', version: 'bench', logger: silentLogger, demo: { enabled: false } });

/**
 * app.stall.device_delete: the longest event-loop delay while deleting a device with 3,000,000 stored samples through
 * the router (the call, then the background purge to its end). Baseline: the goal, 100 ms.
 * app.stall.device_delete_one_statement: the same data deleted the way it was before (one DELETE), same run, same
 * goal as baseline. app.device_delete.purge_ms: time until all of it is gone, against that one statement.
 */
export const benchDeviceDelete = async (): Promise<BenchResult[]> => {
  const dir = mkdtempSync(join(tmpdir(), 'twinedge-bench-delete-'));
  try {
    const app = await startApp(dir);
    const store = app.store;
    if (!store) throw new Error('no store');
    try {
      const stepped = store.devices.save(device('Stepped'));
      const single = store.devices.save(device('Single'));
      fill(
        store,
        stepped.tags.map((t) => t.id),
      );
      const singleIds = single.tags.map((t) => t.id);
      fill(store, singleIds);
      store.database.pragma('wal_checkpoint(TRUNCATE)');

      const steps = await longestStall(async () => {
        const r = await app.router.invoke('devices.delete', { id: stepped.id });
        if (!r.ok) throw new Error(r.error.message);
        while (store.tagPurge.pending() > 0) await new Promise((resolve) => setTimeout(resolve, 5));
      });
      const one = await longestStall(async () => {
        // What devices.delete ran before: every sample of the device's tags in one statement.
        await new Promise((resolve) => setTimeout(resolve, 20));
        const del = store.database.prepare('DELETE FROM samples WHERE tag_id = ?');
        store.transaction(() => singleIds.forEach((id) => del.run(id)));
        await new Promise((resolve) => setTimeout(resolve, 20));
      });
      return [
        result('app.stall.device_delete', steps.stallMs, 'ms', GOAL_MS),
        result('app.stall.device_delete_one_statement', one.stallMs, 'ms', GOAL_MS),
        result('app.device_delete.purge_ms', steps.ms, 'ms', one.ms),
      ];
    } finally {
      await app.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
