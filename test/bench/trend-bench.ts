import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { Store } from '../../main/store/store.js';
import { ModbusDeviceInput } from '../../main/domain/device/device-schema.js';
import type { Sample } from '../../main/domain/sample/sample.js';
import { result, type BenchResult } from './result.js';

/*
 * trend.frame: one redraw of the trend chart (frame assembly, setData and uPlot's draw, measured by the chart's
 * own 'trend-frame' performance marks) with 50 tags x 10 minutes at 1 Hz (50 series x 600 points), following live,
 * in Chromium against the built UI and the real service. Baseline: one 60 Hz frame.
 */

const TAGS = 50;
const SECONDS = 600;
const FRAMES = 100;
const FRAME_BUDGET_MS = 16.7;
const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/**
 * With the demo plant off, a disabled Modbus device "Bench PLC" (no collector) of `tags` float32 tags named by
 * `name`, their units taken in turn from `units`.
 */
export function saveBenchDevice(store: Store, tags: number, name: (i: number) => string, units: string[]) {
  store.settings.set('demo.enabled', false);
  return store.devices.save(
    ModbusDeviceInput.parse({
      name: 'Bench PLC',
      protocol: 'modbus',
      enabled: false,
      settings: { host: '127.0.0.1' },
      tags: Array.from({ length: tags }, (_, i) => ({
        name: name(i),
        unit: units[i % units.length] ?? '',
        area: 'holding',
        address: i * 2,
        dataType: 'float32',
      })),
    }),
  );
}

function seed(dataDir: string): void {
  const store = Store.open(join(dataDir, 'twinedge.sqlite'));
  try {
    const dev = saveBenchDevice(store, TAGS, (i) => `TT${100 + i}`, ['°C', 'bar', 'm³/h']);
    const end = Date.now();
    const batch: Sample[] = [];
    for (let s = 0; s < SECONDS; s++) {
      const ts = end - (SECONDS - s) * 1000;
      dev.tags.forEach((t, k) => batch.push({ tagId: t.id, ts, value: 50 + 20 * Math.sin(s / 20 + k), quality: 0 }));
    }
    store.writeSamples(batch, null);
    while (store.rollups.step(50_000) > 0) {
      // all rollups now, as the service would in the background
    }
  } finally {
    store.close();
  }
}

export async function serve(dataDir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const serveJs = join(root, 'dist', 'main', 'serve.js');
  if (!existsSync(serveJs)) throw new Error(`${serveJs} is missing: run npm run build first`);
  const proc = spawn(process.execPath, [serveJs, '--port', '0', '--data-dir', dataDir], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'test' },
  });
  const stop = async (): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill('SIGTERM');
    const t = setTimeout(() => proc.kill('SIGKILL'), 8000);
    await exited;
    clearTimeout(t);
  };
  let out = '';
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`service did not start:\n${out}`)), 45_000);
    const onData = (c: Buffer): void => {
      out += c.toString();
      const m = /TwinEdge browser mode: (https?:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        ok(m[1]);
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.once('exit', () => {
      clearTimeout(timer);
      fail(new Error(`service exited:\n${out}`));
    });
  }).catch(async (err: unknown) => {
    await stop();
    throw err;
  });
  return { url, stop };
}

/** Debian's Chromium, headless, as the e2e tests run it. */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });

export const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? NaN;

export async function benchTrendFrame(): Promise<BenchResult[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'twinedge-trend-bench-'));
  seed(dataDir);
  const server = await serve(dataDir);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(server.url);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Trends', exact: true }).click();
    for (let i = 0; i < TAGS; i++) await page.getByRole('checkbox', { name: `TT${100 + i} (`, exact: false }).check();
    await page.getByRole('button', { name: 'Live 10 min', exact: true }).click();
    await page.getByRole('figure', { name: `Trend chart of ${TAGS} tags` }).waitFor();
    // The answer is in when the loading notice is gone; then collect frames of live follow.
    await page.getByText(/Loading history/).waitFor({ state: 'hidden' });
    await page.waitForTimeout(1000);
    const frames = await page.evaluate(async (n: number) => {
      const seen: number[] = [];
      await new Promise<void>((done) => {
        const obs = new PerformanceObserver((list) => {
          for (const e of list.getEntriesByName('trend-frame')) seen.push(e.duration);
          if (seen.length >= n) {
            obs.disconnect();
            done();
          }
        });
        obs.observe({ entryTypes: ['measure'] });
      });
      return seen;
    }, FRAMES);
    const sorted = [...frames].sort((a, b) => a - b);
    const median = percentile(sorted, 0.5);
    const p95 = percentile(sorted, 0.95);
    return [
      result('trend.frame', median, 'ms', FRAME_BUDGET_MS, 1),
      result('trend.frame.p95', p95, 'ms', FRAME_BUDGET_MS, 1),
    ];
  } finally {
    await browser.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
