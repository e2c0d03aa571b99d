import { spawn } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { ModbusDeviceInput } from '../../main/domain/device/device-schema.js';
import { createLogger } from '../../main/log/logger.js';
import { EnvSecretStore, secretEnvName } from '../../main/secrets/env-store.js';
import type { Sample } from '../../main/domain/sample/sample.js';
import type { StoredDevice } from '../../main/store/devices-repo.js';
import { Store } from '../../main/store/store.js';
import { ingestLimits, type TelemetryPoint } from '../../main/sync/api/model.js';
import { scopes, type Tier } from '../../main/domain/cloud/account.js';
import { TwinEdgeClient } from '../../main/sync/client/twinedge-client.js';
import { scaledClock, systemClock, type Clock } from '../../main/sync/clock.js';
import { toPoint } from '../../main/sync/points.js';
import { API_KEY_SECRET, SyncService } from '../../main/sync/sync-service.js';
import { startCloudSim, type CloudSimStats, type Dialect } from '../sim/cloud/index.js';
import { samplesOf } from '../helpers/sync-fixture.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { result, type BenchResult } from './result.js';

const KEY = 'te_bench_0f1e2d3c4b5a69788796a5b4c3d2e1f0';
/** Samples queued for each drain (and points posted by each baseline run). */
const BACKLOG = 500_000;
/** Drains (and baseline runs, taken in turn with them) per figure; the median is printed. */
const RUNS = 3;
const T0 = Date.UTC(2026, 10, 1);

/** A store file holding `backlog` queued samples of a 24-tag device, filled once and copied for every rig. */
interface Template {
  file: string;
  device: StoredDevice;
  backlog: number;
  t0: number;
  remove(): void;
}

/**
 * The backlog's samples in pieces of whole seconds of all 24 tags (so every timestamp is a whole millisecond,
 * as a collector's are, and each piece starts at the first tag): the same samples for the store and the baseline.
 */
function* backlogSamples(device: StoredDevice, t0: number, backlog: number): Generator<Sample[]> {
  const piece = 48_000;
  for (let i = 0; i < backlog; i += piece) {
    yield samplesOf(device, t0 + (i / device.tags.length) * 1000, Math.min(piece, backlog - i));
  }
}

const template = (backlog: number, t0: number): Template => {
  const dir = tempDir('twinedge-bench-sync-template-');
  const file = join(dir.path, 'store.sqlite');
  const store = Store.open(file);
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
  // What SyncService's queue policy does below its cap, with every device linked.
  for (const samples of backlogSamples(device, t0, backlog)) {
    store.writeSamples(samples, (inserted, outbox) => void outbox.enqueue(inserted));
  }
  store.close();
  return { file, device, backlog, t0, remove: dir.remove };
};

interface Rig {
  store: Store;
  sync: SyncService;
  clients: TwinEdgeClient[];
  /** Date.now() when the first upload request (to either ingest route) went out; null before. */
  firstUploadAt(): number | null;
  close(): Promise<void>;
}

/** A copy of the template's store, and a paused SyncService pointed at `url`. */
const rig = async (url: string, tpl: Template, clock: Clock): Promise<Rig> => {
  const dir = tempDir('twinedge-bench-sync-');
  const file = join(dir.path, 'store.sqlite');
  copyFileSync(tpl.file, file);
  const store = Store.open(file);
  const clients: TwinEdgeClient[] = [];
  let firstUploadAt: number | null = null;
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
      const c = new TwinEdgeClient({
        baseUrl,
        apiKey,
        clock,
        timeoutClock: systemClock,
        maxRetries: uploads ? 0 : 2,
        onRequest: (info) => {
          if (uploads && firstUploadAt === null && info.path.startsWith('/telemetry'))
            firstUploadAt = Date.now() - info.durationMs;
        },
      });
      if (uploads) clients.push(c);
      return c;
    },
  });
  sync.setPaused(true);
  await sync.start();
  return {
    store,
    sync,
    clients,
    firstUploadAt: () => firstUploadAt,
    close: async () => {
      await sync.stop();
      store.close();
      dir.remove();
    },
  };
};

interface SimChild {
  url: string;
  stats(): Promise<CloudSimStats>;
  close(): Promise<void>;
}

/**
 * The simulator in a child process (test/bench/cloud-sim-child.ts), for the drain and its baseline alike: the
 * real service is remote, so the client's CPU must not be taken from the server's event loop, nor the
 * server's from the client's. A fresh one per run, so every run starts from the same empty server.
 */
const simChild = (dialect: Dialect): Promise<SimChild> =>
  new Promise((resolve, reject) => {
    const script = fileURLToPath(new URL('./cloud-sim-child.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, dialect, 'enterprise', KEY], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let ready = false;
    const exited = new Promise<void>((done) =>
      child.once('exit', (code) => {
        if (!ready) reject(new Error(`bench TwinEdge simulator exited (${code})`));
        done();
      }),
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\S+)/.exec(out);
      if (!m?.[1]) return;
      ready = true;
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      const url = m[1];
      resolve({
        url,
        stats: async () => {
          const r = await fetch(`${new URL(url).origin}/__sim/stats`);
          if (!r.ok) throw new Error(`simulator stats: ${r.status}`);
          return (await r.json()) as CloudSimStats;
        },
        close: async () => {
          child.stdin.end();
          await exited;
        },
      });
    });
  });

/** Every point stored once, or the figure is not printed. */
const assertDelivered = (what: string, s: CloudSimStats, points: number): void => {
  if (s.pointsStored !== points || s.duplicatePoints !== 0) {
    throw new Error(
      `${what}: the simulator stored ${s.pointsStored} points (${s.duplicatePoints} duplicates), expected ${points} once`,
    );
  }
};

interface Drain {
  rate: number;
  requests: number;
  bytes: number;
  assetId: string;
}

/** One drain of the template's backlog to `sim` (fresh, speaking `dialect`; closed after). */
const drainOnce = async (sim: SimChild, dialect: Dialect, tpl: Template): Promise<Drain> => {
  try {
    const r = await rig(sim.url, tpl, systemClock);
    try {
      const unpaused = Date.now();
      r.sync.setPaused(false);
      await waitFor(() => r.store.outbox.current.samples === 0 && r.store.sync.inflight() === null, 600_000, 'drain');
      const end = Date.now();
      // From the first upload request, as the baseline counts from its first post: registering the device and
      // the first cloud refresh happen once, before any upload, and are not throughput (logged for reference).
      const started = r.firstUploadAt() ?? unpaused;
      const seconds = (end - started) / 1000;
      process.stderr.write(
        `  ${dialect} drain: ${tpl.backlog} points in ${seconds.toFixed(2)} s from the first upload, ${((end - unpaused) / 1000).toFixed(2)} s from the start\n`,
      );
      assertDelivered(`sync drain (${dialect})`, await sim.stats(), tpl.backlog);
      const assetId = r.store.sync.link(tpl.device.id)?.cloudId;
      if (!assetId) throw new Error(`sync drain (${dialect}): the device was not registered`);
      return {
        rate: tpl.backlog / seconds,
        requests: r.clients.reduce((n, c) => n + c.stats.requests, 0),
        bytes: r.clients.reduce((n, c) => n + c.stats.bytesSent, 0),
        assetId,
      };
    } finally {
      await r.close();
    }
  } finally {
    await sim.close();
  }
};

/** The same points, pre-encoded and gzipped, posted back to back with bare fetch to `sim` (fresh; closed after). */
const rawOnce = async (
  sim: SimChild,
  dialect: Dialect,
  path: string,
  bodies: Buffer[],
  points: number,
): Promise<number> => {
  try {
    const t0 = performance.now();
    for (const [i, body] of bodies.entries()) {
      const r = await fetch(`${sim.url}${path}`, {
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
    const seconds = (performance.now() - t0) / 1000;
    assertDelivered(`raw ingest (${dialect})`, await sim.stats(), points);
    return points / seconds;
  } finally {
    await sim.close();
  }
};

/** The drain's points (same samples, tags and asset id) in full batches, each `{"data": [...]}` gzipped. */
interface RawBodies {
  bodies: Buffer[];
  plainBytes: number;
}

const rawBodies = (tpl: Template, assetId: string): RawBodies => {
  const names = new Map(tpl.device.tags.map((t) => [t.id, t.name]));
  const bodies: Buffer[] = [];
  let plainBytes = 0;
  // Batch by batch, so the points made are short-lived garbage, not a heap to collect during a later run.
  let batch: TelemetryPoint[] = [];
  const flush = (): void => {
    const json = JSON.stringify({ data: batch });
    plainBytes += Buffer.byteLength(json);
    bodies.push(gzipSync(json));
    batch = [];
  };
  for (const samples of backlogSamples(tpl.device, tpl.t0, tpl.backlog)) {
    for (const s of samples) {
      batch.push(toPoint(s, { assetId, tagName: names.get(s.tagId) ?? '?' }));
      if (batch.length === ingestLimits.maxPoints) flush();
    }
  }
  if (batch.length > 0) flush();
  return { bodies, plainBytes };
};

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

interface DrainFigures {
  drain: number;
  raw: number;
  last: Drain;
  plainBytes: number;
}

/**
 * Drains of BACKLOG samples against a simulator in `dialect`, and their baseline: the same points in full
 * batches, encoded ahead of time, posted by bare fetch to the route that dialect offers. Taken in turn, RUNS
 * times each, each against a fresh simulator process; the medians are compared.
 */
/**
 * The backlog and the baseline's bodies, made once for both dialects (the same samples; asset ids of the same
 * form, so the bodies are the same size whichever drain named the device first).
 */
let shared: { tpl: Template; raw: RawBodies | null } | null = null;
const drainInputs = (): { tpl: Template; raw: RawBodies | null } => {
  if (!shared) {
    const tpl = template(BACKLOG, T0);
    process.once('exit', () => tpl.remove());
    shared = { tpl, raw: null };
  }
  return shared;
};

const drainFigures = async (name: string, dialect: Dialect, path: string): Promise<DrainFigures> => {
  const inputs = drainInputs();
  const { tpl } = inputs;
  const drains: Drain[] = [];
  const raws: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    // Both simulators of the run started together, before either is measured (an idle one takes no CPU).
    const [drainSim, rawSim] = await Promise.all([simChild(dialect), simChild(dialect)]);
    const d = await drainOnce(drainSim, dialect, tpl).catch(async (e: unknown) => {
      await rawSim.close();
      throw e;
    });
    drains.push(d);
    inputs.raw ??= rawBodies(tpl, d.assetId);
    const r = await rawOnce(rawSim, dialect, path, inputs.raw.bodies, tpl.backlog);
    raws.push(r);
    process.stderr.write(`${name} run ${run + 1}: ${Math.round(d.rate)} points/s, baseline ${Math.round(r)}\n`);
  }
  return {
    drain: median(drains.map((d) => d.rate)),
    raw: median(raws),
    last: drains[drains.length - 1]!,
    plainBytes: inputs.raw?.plainBytes ?? 0,
  };
};

/** sync.drain: a large backlog drained to the local TwinEdge API (enterprise tier: the budget is not the limit). */
export const benchSyncDrain = async (): Promise<BenchResult[]> => {
  const f = await drainFigures('sync.drain', 'ours', '/telemetry/ingest');
  return [
    result('sync.drain', f.drain, 'points/s', f.raw),
    result(
      'sync.drain.points_per_request',
      BACKLOG / Math.max(1, f.last.requests),
      'points/request',
      ingestLimits.maxPoints,
    ),
    result(
      'sync.drain.bytes_per_point',
      (f.last.bytes / BACKLOG) * 1000,
      'millibytes/point (gzip)',
      (f.plainBytes / BACKLOG) * 1000,
    ),
  ];
};

/**
 * sync.drain.minimal: the same drain against the `minimal` reading of the reference (ingest only at
 * POST /telemetry, answers with counts or nothing, no /auth/key, devices without status); baseline: the raw
 * posts to POST /telemetry of the same simulator.
 */
export const benchSyncDrainMinimal = async (): Promise<BenchResult[]> => {
  const f = await drainFigures('sync.drain.minimal', 'minimal', '/telemetry');
  return [result('sync.drain.minimal', f.drain, 'points/s', f.raw)];
};

const withSim = async <T>(tier: Tier, clock: Clock, fn: (url: string) => Promise<T>): Promise<T> => {
  const sim = await startCloudSim({ keys: [{ key: KEY, tier, scopes: [...scopes], name: 'bench' }], clock });
  try {
    return await fn(sim.url);
  } finally {
    await sim.close();
  }
};

/**
 * sync.trial_day: points per day the Trial tier (60 requests/min, 1,000/day) carries with the uploader's
 * batches and pacing, measured over a simulated hour on a clock running 100 times faster (slow enough that
 * the real time a request takes stays small next to its slot), scaled to a day. The simulator shares the
 * scaled clock, so it runs in this process. Baseline: every one of the day's 1,000 requests carrying a full batch.
 */
export const benchSyncTrialDay = async (): Promise<BenchResult[]> => {
  const start = Date.UTC(2026, 10, 30, 0, 0, 5);
  const clock = scaledClock(100, start);
  const tpl = template(600_000, start - 86_400_000);
  try {
    return await withSim('trial', clock, async (url) => {
      const r = await rig(url, tpl, clock);
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
  } finally {
    tpl.remove();
  }
};
