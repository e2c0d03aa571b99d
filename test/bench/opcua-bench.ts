import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { AttributeIds, OPCUAClient, TimestampsToReturn } from 'node-opcua';
import { createApp, type App } from '../../main/app/create-app.js';
import { freePort } from '../../main/collect/demo/free-port.js';
import { OpcUaCollector } from '../../main/collect/opcua/opcua-collector.js';
import { silentLogger } from '../../main/log/logger.js';
import { collectorDevice, Recorder } from '../helpers/device.js';
import { startOpcUaServer } from '../helpers/opcua-server.js';
import { BENCH_FIELDS } from '../fixtures/opcua-plc-space.js';
import { tempDir } from '../helpers/temp-dir.js';
import { startOpcUaPeer, type OpcUaPeer } from './opcua-peer.js';
import { result, type BenchResult } from './result.js';

const NOTIFY_ITEMS = 10_000;
const STRUCTS = 1_000;
const NOTIFY_MS = 100;
const SUBSCRIBE_ITEMS = 50_000;
const WARMUP_MS = 8_000;
const MEASURE_MS = 20_000;

const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const round3 = (x: number): number => Math.round(x * 1000) / 1000;
const round5 = (x: number): number => Math.round(x * 1e5) / 1e5;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** With BENCH_CPU_PROFILE=file.cpuprofile: a CPU profile of this process over the measured window only. */
const profiled = async (during: () => Promise<unknown>): Promise<void> => {
  const file = process.env.BENCH_CPU_PROFILE;
  if (!file) {
    await during();
    return;
  }
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  await during();
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(file, JSON.stringify(profile));
  session.disconnect();
};

/**
 * The app and its peer (a bare node-opcua client in its own process, on the same items) counted in the same
 * window, so load from other programs and drift hit both alike. Rows are counted outside the CPU window.
 */
const measureBeside = async (
  app: App,
  peer: OpcUaPeer,
): Promise<{ stored: number; received: number; seconds: number; appCpu: number; peerCpu: number }> => {
  const rows = (): number => app.store?.samples.count() ?? 0;
  const before = rows();
  const [p0, cpu0] = await Promise.all([peer.mark(), Promise.resolve(cpuSeconds())]);
  const t0 = performance.now();
  await profiled(() => sleep(MEASURE_MS));
  const [p1, cpu1] = await Promise.all([peer.mark(), Promise.resolve(cpuSeconds())]);
  const seconds = (performance.now() - t0) / 1000;
  const stored = rows() - before;
  if (p1.read === p0.read) throw new Error('the peer decoded no values');
  return {
    stored,
    received: p1.received - p0.received,
    seconds,
    appCpu: cpu1 - cpu0,
    peerCpu: p1.cpuSeconds - p0.cpuSeconds,
  };
};

/** Stored/s against received/s, and CPU seconds per 1,000 values for each. */
const besideResults = (name: string, unit: string, m: Awaited<ReturnType<typeof measureBeside>>): BenchResult[] => {
  const ours = m.appCpu / (m.stored / 1000);
  const theirs = m.peerCpu / (m.received / 1000);
  return [
    result(name, m.stored / m.seconds, `${unit}/s`, m.received / m.seconds),
    {
      name: `${name}.cpu`,
      value: round5(ours),
      unit: `CPU s/1k ${unit}`,
      baseline: round5(theirs),
      ratio: round3(ours / theirs),
    },
  ];
};

const openApp = (dir: string): Promise<App> =>
  createApp({ dataDir: dir, shell: 'browser', version: 'bench', logger: silentLogger, demo: { enabled: false } });

/**
 * opcua.notifications: 10,000 monitored items at 100 ms against a node-opcua server in another process,
 * through the whole app into SQLite. Offered: every variable changes every 100 ms (100,000/s).
 */
export const benchOpcUaNotifications = async (): Promise<BenchResult[]> => {
  const dir = tempDir('twinedge-bench-');
  const port = await freePort('127.0.0.1');
  const server = await startOpcUaServer(port, `${dir.path}/server-pki`, {
    variables: NOTIFY_ITEMS,
    updateMs: NOTIFY_MS,
  });
  const app = await openApp(dir.path);
  let peer: OpcUaPeer | null = null;
  try {
    const idleRss = process.memoryUsage().rss;
    const r = await app.router.invoke('devices.save', {
      name: 'Bench server',
      protocol: 'opcua',
      settings: { endpointUrl: server.endpointUrl, publishingIntervalMs: NOTIFY_MS },
      tags: Array.from({ length: NOTIFY_ITEMS }, (_, i) => ({
        name: `V${i}`,
        nodeId: `ns=1;s=V${i}`,
        samplingIntervalMs: NOTIFY_MS,
      })),
    });
    if (!r.ok) throw new Error(r.error.message);
    peer = await startOpcUaPeer(server.endpointUrl, 'scalars', NOTIFY_ITEMS);
    let peakRss = 0;
    const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
    await sleep(WARMUP_MS);
    const m = await measureBeside(app, peer);
    clearInterval(rssTimer);
    process.stderr.write(
      `opcua.notifications: offered ${NOTIFY_ITEMS * (1000 / NOTIFY_MS)}/s; in ${m.seconds.toFixed(1)} s the app stored ${m.stored}, the peer received ${m.received}; CPU s app ${m.appCpu.toFixed(2)}, peer ${m.peerCpu.toFixed(2)}\n`,
    );
    return [
      ...besideResults('opcua.notifications', 'notifications', m),
      result('opcua.notifications.rss', peakRss / 2 ** 20, 'MB', idleRss / 2 ** 20),
    ];
  } finally {
    await peer?.stop();
    await app.stop();
    await server.stop();
    dir.remove();
  }
};

/**
 * opcua.struct_fields: 1,000 structured variables (Bench_t, 20 fields) changing every 100 ms, every field a tag
 * (20,000 tags, 1,000 monitored items), through the whole app into SQLite; offered 200,000 field values/s. The peer
 * is a bare node-opcua client on the same variables receiving and decoding the structures (it reads every field
 * of every notification), in the same window.
 */
export const benchOpcUaStructFields = async (): Promise<BenchResult[]> => {
  const dir = tempDir('twinedge-bench-');
  const port = await freePort('127.0.0.1');
  const server = await startOpcUaServer(port, `${dir.path}/server-pki`, {
    variables: 1,
    updateMs: NOTIFY_MS,
    plc: 'definition',
    benchStructs: STRUCTS,
  });
  const app = await openApp(dir.path);
  let peer: OpcUaPeer | null = null;
  try {
    const r = await app.router.invoke('devices.save', {
      name: 'Bench structures',
      protocol: 'opcua',
      settings: { endpointUrl: server.endpointUrl, publishingIntervalMs: NOTIFY_MS },
      tags: Array.from({ length: STRUCTS * BENCH_FIELDS }, (_, k) => {
        const i = Math.floor(k / BENCH_FIELDS);
        const f = k % BENCH_FIELDS;
        return { name: `S${i}.F${f}`, nodeId: `ns=1;s=Plc.Bench.S${i}`, field: `F${f}`, samplingIntervalMs: NOTIFY_MS };
      }),
    });
    if (!r.ok) throw new Error(r.error.message);
    peer = await startOpcUaPeer(server.endpointUrl, 'structs', STRUCTS, BENCH_FIELDS);
    await sleep(WARMUP_MS);
    const m = await measureBeside(app, peer);
    const items = (await server.stats()).items;
    process.stderr.write(
      `opcua.struct_fields: offered ${STRUCTS * BENCH_FIELDS * (1000 / NOTIFY_MS)} fields/s; in ${m.seconds.toFixed(1)} s the app stored ${m.stored}, the peer decoded ${m.received}; CPU s app ${m.appCpu.toFixed(2)}, peer ${m.peerCpu.toFixed(2)}; server items ${items}\n`,
    );
    return besideResults('opcua.struct_fields', 'field samples', m);
  } finally {
    await peer?.stop();
    await app.stop();
    await server.stop();
    dir.remove();
  }
};

/**
 * opcua.subscribe: time until 50,000 monitored items are created by the collector (connect, session,
 * subscription, items in calls of the server's MaxMonitoredItemsPerCall), against a bare node-opcua client
 * doing the same calls in the same run.
 */
export const benchOpcUaSubscribe = async (): Promise<BenchResult[]> => {
  const dir = tempDir('twinedge-bench-');
  const port = await freePort('127.0.0.1');
  const server = await startOpcUaServer(port, `${dir.path}/server-pki`, {
    variables: SUBSCRIBE_ITEMS,
    updateMs: 1000,
    startTimeoutMs: 600_000,
  });
  try {
    const nodeIds = Array.from({ length: SUBSCRIBE_ITEMS }, (_, i) => `ns=1;s=V${i}`);
    // Peer: a bare client, same server, same chunking.
    const t0 = performance.now();
    const client = OPCUAClient.create({ endpointMustExist: false, connectionStrategy: { maxRetry: 1 } });
    await client.connect(server.endpointUrl);
    const session = await client.createSession();
    const sub = await session.createSubscription2({ requestedPublishingInterval: 1000, publishingEnabled: true });
    for (let i = 0; i < nodeIds.length; i += 1000) {
      await sub.monitorItems(
        nodeIds.slice(i, i + 1000).map((nodeId) => ({ nodeId, attributeId: AttributeIds.Value })),
        { samplingInterval: 1000, queueSize: 1, discardOldest: true },
        TimestampsToReturn.Both,
      );
    }
    const bareMs = performance.now() - t0;
    await sub.terminate();
    await session.close();
    await client.disconnect();

    const dev = collectorDevice({
      name: 'bench',
      protocol: 'opcua',
      settings: { endpointUrl: server.endpointUrl },
      tags: nodeIds.map((nodeId, i) => ({ name: `V${i}`, nodeId })),
    });
    const rec = new Recorder();
    const c = new OpcUaCollector(dev, rec, { pkiDir: `${dir.path}/client-pki`, setupTimeoutMs: 120_000 });
    const t1 = performance.now();
    c.start();
    const created = (): number =>
      c.diagnostics().subscription!.items.filter((i) => i.revisedSamplingIntervalMs !== null).length;
    while (created() < SUBSCRIBE_ITEMS) {
      await sleep(500);
      if (performance.now() - t1 > 300_000)
        throw new Error(`only ${created()} items after 300 s (${JSON.stringify(rec.state)})`);
    }
    const oursMs = performance.now() - t1;
    await c.stop();
    return [result('opcua.subscribe', oursMs, 'ms for 50k items', bareMs)];
  } finally {
    await server.stop();
    dir.remove();
  }
};
