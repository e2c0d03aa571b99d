import { createApp, type App } from '../../main/app/create-app.js';
import type { DeviceView } from '../../main/contract/contract.js';
import { silentLogger } from '../../main/log/logger.js';
import { tempDir } from '../helpers/temp-dir.js';
import { result, type BenchResult } from './result.js';

// The demo plant's fastest setting: the model ticks every 100 ms, which is also the demo OPC UA server's
// minimum sampling interval; Modbus is polled at the fastest interval the app allows.
const tickMs = 100;
const pollMs = 50;
const measureMs = 10_000;

const ok = async <T>(
  p: Promise<{ ok: true; value: unknown } | { ok: false; error: { message: string } }>,
): Promise<T> => {
  const r = await p;
  if (!r.ok) throw new Error(r.error.message);
  return r.value as T;
};

const speedUp = async (app: App, device: DeviceView): Promise<void> => {
  const c = device.config;
  const config =
    c.protocol === 'opcua'
      ? {
          ...c,
          settings: { ...c.settings, publishingIntervalMs: tickMs },
          tags: c.tags.map((t) => ({ ...t, samplingIntervalMs: tickMs })),
        }
      : { ...c, settings: { ...c.settings, pollIntervalMs: pollMs } };
  await ok(app.router.invoke('devices.save', config));
};

const rows = (app: App): number => app.store?.samples.count() ?? 0;

/**
 * Samples/s from both demo collectors into the store. Baseline: what the demo offers at this setting,
 * every tag of both devices at its sampling or poll rate (OPC UA only reports values that changed, so
 * flat signals such as run states keep the OPC UA ratio below 1 even when nothing is lost).
 */
export const benchPipelineDemo = async (): Promise<BenchResult[]> => {
  const dir = tempDir('twinedge-bench-');
  const app = await createApp({
    dataDir: dir.path,
    shell: 'browser',
    version: 'bench',
    logger: silentLogger,
    demo: { enabled: true, tickMs, opcuaPort: 0, modbusPort: 0 },
  });
  try {
    const devices = await ok<DeviceView[]>(app.router.invoke('devices.list', {}));
    for (const d of devices) await speedUp(app, d);
    const connected = (): boolean => app.status().devices.every((d) => d.state === 'connected');
    const deadline = Date.now() + 30_000;
    while (!connected() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 2000)); // warm-up: subscriptions settle
    const perDevice = (): Map<number, number> => new Map(app.status().devices.map((d) => [d.deviceId, d.samples]));
    // status() is refreshed every second; read the store directly for the totals.
    const before = rows(app);
    const devBefore = perDevice();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, measureMs));
    await new Promise((r) => setTimeout(r, 1100)); // let the status snapshot catch up with the window
    const seconds = (performance.now() - t0) / 1000;
    const stored = (rows(app) - before) / seconds;
    const devAfter = perDevice();
    const rate = (id: number): number => ((devAfter.get(id) ?? 0) - (devBefore.get(id) ?? 0)) / seconds;
    const offered = (d: DeviceView): number =>
      d.tags.length * (1000 / (d.config.protocol === 'opcua' ? tickMs : pollMs));
    const results = devices.map((d) =>
      result(`pipeline.demo.${d.config.protocol}`, rate(d.id), 'samples/s', offered(d)),
    );
    return [
      result(
        'pipeline.demo',
        stored,
        'samples/s',
        devices.reduce((n, d) => n + offered(d), 0),
      ),
      ...results,
    ];
  } finally {
    await app.stop();
    dir.remove();
  }
};
