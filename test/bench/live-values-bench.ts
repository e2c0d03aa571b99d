import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../main/store/store.js';
import type { SampleTuple } from '../../main/domain/sample/sample-tuple.js';
import { result, type BenchResult } from './result.js';
import { launchChromium, percentile, saveBenchDevice, serve } from './trend-bench.js';

/*
 * live.update: one render of the live values view (rows built from the latest values, filtered, sorted, and the DOM
 * updated, by the view's own 'live-values-update' performance marks) with 5,000 tags, while a batch with a new value
 * of every tag arrives every 100 ms (50,000 samples/s, 10 batches/s), in Chromium against the built UI and the real
 * service. Baselines: the 250 ms between renders, 4 renders/s, and the 200 rows the view keeps in the DOM.
 */

const TAGS = 5_000;
const BATCH_EVERY_MS = 100;
const MEASURE_MS = 10_000;
const RENDER_INTERVAL_MS = 250;
const ROW_CAP = 200;

/** A disabled device (no collector) with TAGS tags and one stored value each; returns the tag ids. */
function seed(dataDir: string): number[] {
  const store = Store.open(join(dataDir, 'twinedge.sqlite'));
  try {
    const dev = saveBenchDevice(store, TAGS, (i) => `TT${10_000 + i}`, ['°C', 'bar']);
    const ts = Date.now() - 60_000;
    store.writeSamples(
      dev.tags.map((t, k) => ({ tagId: t.id, ts, value: k, quality: 0 })),
      null,
    );
    return dev.tags.map((t) => t.id);
  } finally {
    store.close();
  }
}

export async function benchLiveValues(): Promise<BenchResult[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'twinedge-live-bench-'));
  const tagIds = seed(dataDir);
  const server = await serve(dataDir);
  const browser = await launchChromium();
  const timers: NodeJS.Timeout[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // The service's own messages pass through; every 100 ms a batch with a new value of every tag is added.
    let batches = 0;
    await page.routeWebSocket(/\/ws/, (ws) => {
      const upstream = ws.connectToServer();
      ws.onMessage((m) => upstream.send(m));
      upstream.onMessage((m) => ws.send(m));
      let n = 0;
      timers.push(
        setInterval(() => {
          n++;
          const ts = Date.now();
          const samples: SampleTuple[] = tagIds.map((id, k) => [id, ts, k + n / 10, 0]);
          ws.send(JSON.stringify({ t: 'event', name: 'samples.batch', payload: { samples } }));
          batches++;
        }, BATCH_EVERY_MS),
      );
    });
    await page.goto(server.url);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Live values' }).click();
    await page.getByText('5,000 of 5,000 tags shown', { exact: false }).waitFor();
    await page.waitForTimeout(1000);
    const before = batches;
    const durations = await page.evaluate(async (ms: number) => {
      const seen: number[] = [];
      const obs = new PerformanceObserver((list) => {
        for (const e of list.getEntriesByName('live-values-update')) seen.push(e.duration);
      });
      obs.observe({ entryTypes: ['measure'] });
      await new Promise((r) => setTimeout(r, ms));
      obs.disconnect();
      return seen;
    }, MEASURE_MS);
    const received = batches - before;
    const rows = await page.getByRole('table', { name: 'Live values' }).locator('tbody tr').count();
    const sorted = [...durations].sort((a, b) => a - b);
    const seconds = MEASURE_MS / 1000;
    return [
      result('live.update', percentile(sorted, 0.5), 'ms', RENDER_INTERVAL_MS, 1),
      result('live.update.p95', percentile(sorted, 0.95), 'ms', RENDER_INTERVAL_MS, 1),
      result('live.renders', durations.length / seconds, 'renders/s', 1000 / RENDER_INTERVAL_MS, 1),
      result('live.batches', received / seconds, 'batches/s', 1000 / BATCH_EVERY_MS, 1),
      result('live.rows', rows, 'rows in the DOM', ROW_CAP),
    ];
  } finally {
    for (const t of timers) clearInterval(t);
    await browser.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
