import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApp, type App } from '../../main/app/create-app.js';
import type { DeviceView } from '../../main/domain/device/device-view.js';
import { silentLogger } from '../../main/log/logger.js';
import { tempDir } from '../helpers/temp-dir.js';
import { startOpcUaPeer, type OpcUaPeer } from './opcua-peer.js';
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

/**
 * Samples/s from both demo collectors into the store. Baselines, for the same window: Modbus, every tag at
 * the poll rate (each poll stores every tag); OPC UA, what an independent node-opcua client subscribed to the
 * same nodes with the same sampling interval received, its queue deep enough to lose none (a server reports changes only, so a tag
 * times the sampling rate would count values the server never sends).
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
  let peer: OpcUaPeer | undefined;
  try {
    let devices = await ok<DeviceView[]>(app.router.invoke('devices.list', {}));
    for (const d of devices) await speedUp(app, d);
    devices = await ok<DeviceView[]>(app.router.invoke('devices.list', {}));
    const opcua = devices.find((d) => d.config.protocol === 'opcua');
    if (opcua?.config.protocol === 'opcua') {
      const nodes = join(dir.path, 'peer-nodes.json');
      writeFileSync(nodes, JSON.stringify(opcua.config.tags.map((t) => t.nodeId)));
      peer = await startOpcUaPeer(opcua.config.settings.endpointUrl, 'nodes', nodes);
    }
    const connected = (): boolean => app.status().devices.every((d) => d.state === 'connected');
    const deadline = Date.now() + 30_000;
    while (!connected() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 2000)); // warm-up: subscriptions settle
    // Rows in the store per device, read at the same instants as the peer's marks (the writer commits every tick).
    const stmt = app.store!.database.prepare(
      'SELECT count(*) AS n FROM samples WHERE tag_id IN (SELECT value FROM json_each(?))',
    );
    const rowsOf = (d: DeviceView): number => (stmt.get(JSON.stringify(d.tags.map((t) => t.id))) as { n: number }).n;
    const before = devices.map(rowsOf);
    const peerBefore = await peer?.mark();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, measureMs));
    const peerAfter = await peer?.mark();
    const after = devices.map(rowsOf);
    const seconds = (performance.now() - t0) / 1000;
    const peerRate = ((peerAfter?.received ?? 0) - (peerBefore?.received ?? 0)) / seconds;
    const rate = (i: number): number => ((after[i] ?? 0) - (before[i] ?? 0)) / seconds;
    const stored = devices.reduce((n, _, i) => n + rate(i), 0);
    const offered = (d: DeviceView): number =>
      d.config.protocol === 'opcua' ? peerRate : d.tags.length * (1000 / pollMs);
    const results = devices.map((d, i) =>
      result(`pipeline.demo.${d.config.protocol}`, rate(i), 'samples/s', offered(d)),
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
    await peer?.stop();
    await app.stop();
    dir.remove();
  }
};
