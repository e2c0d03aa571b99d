import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { ModbusDeviceInput } from '../../main/config/device-schema.js';
import { createLogger } from '../../main/log/logger.js';
import { EnvSecretStore, secretEnvName } from '../../main/secrets/env-store.js';
import { Store } from '../../main/store/store.js';
import { ingestLimits, scopes, type TelemetryPoint, type Tier } from '../../main/sync/api/model.js';
import { TwinEdgeClient } from '../../main/sync/client/twinedge-client.js';
import { scaledClock, systemClock, type Clock } from '../../main/sync/clock.js';
import { toPoint } from '../../main/sync/points.js';
import { API_KEY_SECRET, SyncService } from '../../main/sync/sync-service.js';
import { startCloudSim } from '../sim/cloud/index.js';
import { samplesOf } from '../helpers/sync-fixture.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { result, type BenchResult } from './result.js';

const KEY = 'te_bench_0f1e2d3c4b5a69788796a5b4c3d2e1f0';

interface Rig {
  store: Store;
  sync: SyncService;
  clients: TwinEdgeClient[];
  close(): Promise<void>;
}

/** A store holding `backlog` queued samples of a 24-tag device, and a paused SyncService pointed at `url`. */
const rig = async (url: string, backlog: number, clock: Clock, t0: number): Promise<Rig> => {
  const dir = tempDir('twinedge-bench-sync-');
  const store = Store.open(join(dir.path, 'store.sqlite'));
  const device = store.devices.save(
    ModbusDeviceInput.parse({
      name: 'Boiler PLC',
      protocol: 'modbus',
      settings: { host: '10.0.0.5' },
      tags: Array.from({ length: 24 }, (_, i) => ({
        name: `TT${100 + i}`,
        unit: '°C',
        area: 'holding',
        address: i * 2,
        dataType: 'float32',
      })),
    }),
  );
  const clients: TwinEdgeClient[] = [];
  const sync = new SyncService({
    store,
    secrets: new EnvSecretStore({ [secretEnvName(API_KEY_SECRET)]: KEY }),
    log: createLogger({ console: false }),
    onStatus: () => undefined,
    baseUrl: url,
    clock,
    refreshMs: 3_600_000,
    uploader: { liveIntervalMs: 50 },
    clientFactory: ({ baseUrl, apiKey, uploads }) => {
      const c = new TwinEdgeClient({ baseUrl, apiKey, clock, timeoutClock: systemClock, maxRetries: uploads ? 0 : 2 });
      if (uploads) clients.push(c);
      return c;
    },
  });
  sync.setPaused(true);
  await sync.start();
  for (let i = 0; i < backlog; i += 50_000) {
    store.writeSamples(samplesOf(device, t0 + (i / 24) * 1000, Math.min(50_000, backlog - i)), sync.queuePolicy());
  }
  return {
    store,
    sync,
    clients,
    close: async () => {
      await sync.stop();
      store.close();
      dir.remove();
    },
  };
};

/** The same points, pre-encoded and gzipped, posted back to back with bare fetch: the server's own limit. */
const rawPostRate = async (url: string, points: TelemetryPoint[]): Promise<number> => {
  const bodies: Buffer[] = [];
  for (let i = 0; i < points.length; i += ingestLimits.maxPoints) {
    bodies.push(gzipSync(JSON.stringify({ data: points.slice(i, i + ingestLimits.maxPoints) })));
  }
  const t0 = performance.now();
  for (const [i, body] of bodies.entries()) {
    const r = await fetch(`${url}/telemetry/ingest`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${KEY}`,
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'idempotency-key': `raw-${i}-${Date.now()}`,
      },
      body,
    });
    if (!r.ok) throw new Error(`raw ingest: ${r.status}`);
    await r.arrayBuffer();
  }
  return points.length / ((performance.now() - t0) / 1000);
};

const withSim = async <T>(tier: Tier, clock: Clock, fn: (url: string) => Promise<T>): Promise<T> => {
  const sim = await startCloudSim({ keys: [{ key: KEY, tier, scopes: [...scopes], name: 'bench' }], clock });
  try {
    return await fn(sim.url);
  } finally {
    await sim.close();
  }
};

/** sync.drain: a large backlog drained to the local TwinEdge API (enterprise tier: the budget is not the limit). */
export const benchSyncDrain = async (): Promise<BenchResult[]> =>
  withSim('enterprise', systemClock, async (url) => {
    const backlog = 500_000;
    const r = await rig(url, backlog, systemClock, Date.UTC(2026, 10, 1));
    try {
      const t0 = performance.now();
      r.sync.setPaused(false);
      await waitFor(() => r.store.outbox.current.samples === 0 && r.store.sync.inflight() === null, 600_000, 'drain');
      const seconds = (performance.now() - t0) / 1000;
      const stats = r.clients.reduce(
        (a, c) => ({ requests: a.requests + c.stats.requests, bytes: a.bytes + c.stats.bytesSent }),
        { requests: 0, bytes: 0 },
      );
      // The peer: the same number of points in full batches, encoded ahead of time, by bare fetch.
      const points: TelemetryPoint[] = Array.from({ length: backlog }, (_, i) =>
        toPoint(
          {
            tagId: i % 24,
            ts: Date.UTC(2026, 9, 1) + Math.floor(i / 24) * 1000,
            value: Math.round(Math.sin(i / 50) * 1000) / 10,
            quality: 0,
          },
          { assetId: 'dev-bench', tagName: `TT${100 + (i % 24)}` },
        ),
      );
      const raw = await rawPostRate(url, points);
      const plainBytes = Buffer.byteLength(JSON.stringify(points.slice(0, 10_000))) / 10_000;
      return [
        result('sync.drain', backlog / seconds, 'points/s', raw),
        result(
          'sync.drain.points_per_request',
          backlog / Math.max(1, stats.requests),
          'points/request',
          ingestLimits.maxPoints,
        ),
        result(
          'sync.drain.bytes_per_point',
          (stats.bytes / backlog) * 1000,
          'millibytes/point (gzip)',
          plainBytes * 1000,
        ),
      ];
    } finally {
      await r.close();
    }
  });

/**
 * sync.trial_day: points per day the Trial tier (60 requests/min, 1,000/day) carries with the uploader's
 * batches and pacing, measured over a simulated hour on a clock running 100 times faster (slow enough that
 * the real time a request takes stays small next to its slot), scaled to a day.
 * Baseline: every one of the day's 1,000 requests carrying a full batch.
 */
export const benchSyncTrialDay = async (): Promise<BenchResult[]> => {
  const start = Date.UTC(2026, 10, 30, 0, 0, 5);
  const clock = scaledClock(100, start);
  return withSim('trial', clock, async (url) => {
    const r = await rig(url, 600_000, clock, start - 86_400_000);
    try {
      r.sync.setPaused(false);
      await waitFor(() => r.sync.status().devices.every((d) => d.state === 'synced'), 60_000, 'registration');
      const t0 = clock.now();
      const before = r.sync.status().uploadedTotal;
      await waitFor(() => clock.now() - t0 >= 3_600_000, 60_000, 'a simulated hour');
      const hours = (clock.now() - t0) / 3_600_000;
      const perDay = ((r.sync.status().uploadedTotal - before) / hours) * 24;
      return [result('sync.trial_day', perDay, 'points/day', 1000 * ingestLimits.maxPoints)];
    } finally {
      await r.close();
    }
  });
};
