import { AttributeIds, OPCUAClient, TimestampsToReturn, getExtraDataTypeManager, type DataValue } from 'node-opcua';
import { createApp } from '../../main/app/create-app.js';
import { freePort } from '../../main/collect/demo/free-port.js';
import { OpcUaCollector } from '../../main/collect/opcua/opcua-collector.js';
import { silentLogger } from '../../main/log/logger.js';
import { collectorDevice, Recorder } from '../helpers/device.js';
import { startOpcUaServer } from '../helpers/opcua-server.js';
import { BENCH_FIELDS } from '../fixtures/opcua-plc-space.js';
import { tempDir } from '../helpers/temp-dir.js';
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
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
  // Peer in the same run: a bare node-opcua client on the same items, counting notifications (no store).
  const bare = await bareNotifications(server.endpointUrl);
  const app = await createApp({
    dataDir: dir.path,
    shell: 'browser',
    version: 'bench',
    logger: silentLogger,
    demo: { enabled: false },
  });
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
    let peakRss = 0;
    const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
    await sleep(WARMUP_MS);
    const rows = (): number => app.store?.samples.count() ?? 0;
    const before = rows();
    const cpuBefore = cpuSeconds();
    const t0 = performance.now();
    await sleep(MEASURE_MS);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds() - cpuBefore;
    const stored = rows() - before;
    clearInterval(rssTimer);
    const offered = NOTIFY_ITEMS * (1000 / NOTIFY_MS);
    process.stderr.write(
      `opcua.notifications: offered ${offered}/s by the server's variables; bare client received ${Math.round(bare.perSecond)}/s\n`,
    );
    const ours = cpu / (stored / 100_000);
    return [
      result('opcua.notifications', stored / seconds, 'notifications/s', bare.perSecond),
      {
        name: 'opcua.notifications.cpu',
        value: round3(ours),
        unit: 'CPU s/100k notifications',
        baseline: round3(bare.cpuPer100k),
        ratio: round3(ours / bare.cpuPer100k),
      },
      result('opcua.notifications.rss', peakRss / 2 ** 20, 'MB', idleRss / 2 ** 20),
    ];
  } finally {
    await app.stop();
    await server.stop();
    dir.remove();
  }
};

/** A bare client's notifications/s and CPU per 100k on the bench items (node-opcua alone, nothing stored). */
const bareNotifications = async (url: string): Promise<{ perSecond: number; cpuPer100k: number }> => {
  const client = OPCUAClient.create({ endpointMustExist: false, connectionStrategy: { maxRetry: 1 } });
  await client.connect(url);
  const session = await client.createSession();
  const sub = await session.createSubscription2({ requestedPublishingInterval: NOTIFY_MS, publishingEnabled: true });
  let count = 0;
  for (let i = 0; i < NOTIFY_ITEMS; i += 1000) {
    const group = await sub.monitorItems(
      Array.from({ length: Math.min(1000, NOTIFY_ITEMS - i) }, (_, j) => ({
        nodeId: `ns=1;s=V${i + j}`,
        attributeId: AttributeIds.Value,
      })),
      { samplingInterval: NOTIFY_MS, queueSize: 1, discardOldest: true },
      TimestampsToReturn.Both,
    );
    group.on('changed', () => count++);
  }
  await sleep(WARMUP_MS / 2);
  const n0 = count;
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  await sleep(MEASURE_MS / 2);
  const seconds = (performance.now() - t0) / 1000;
  const n = count - n0;
  const cpu = cpuSeconds() - cpu0;
  await sub.terminate();
  await session.close();
  await client.disconnect();
  return { perSecond: n / seconds, cpuPer100k: cpu / (n / 100_000) };
};

/**
 * opcua.struct_fields: 1,000 structured variables (Bench_t, 20 fields) changing every 100 ms, every field a tag
 * (20,000 tags, 1,000 monitored items), through the whole app into SQLite; offered 200,000 field values/s. The peer
 * is a bare node-opcua client on the same variables receiving and decoding the structures (it reads every field
 * of every notification), in the same run.
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
  const bare = await bareStructFields(server.endpointUrl);
  const app = await createApp({
    dataDir: dir.path,
    shell: 'browser',
    version: 'bench',
    logger: silentLogger,
    demo: { enabled: false },
  });
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
    await sleep(WARMUP_MS);
    const rows = (): number => app.store?.samples.count() ?? 0;
    const before = rows();
    const cpuBefore = cpuSeconds();
    const t0 = performance.now();
    await sleep(MEASURE_MS);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds() - cpuBefore;
    const stored = rows() - before;
    const items = (await server.stats()).items;
    process.stderr.write(
      `opcua.struct_fields: offered ${STRUCTS * BENCH_FIELDS * (1000 / NOTIFY_MS)} fields/s; bare client decoded ${Math.round(bare.perSecond)}/s; server items ${items}\n`,
    );
    const ours = cpu / (stored / 100_000);
    return [
      result('opcua.struct_fields', stored / seconds, 'field samples/s', bare.perSecond),
      {
        name: 'opcua.struct_fields.cpu',
        value: round3(ours),
        unit: 'CPU s/100k field samples',
        baseline: round3(bare.cpuPer100k),
        ratio: round3(ours / bare.cpuPer100k),
      },
    ];
  } finally {
    await app.stop();
    await server.stop();
    dir.remove();
  }
};

/** A bare client's decoded field values/s on the bench structures (node-opcua alone, nothing stored). */
const bareStructFields = async (url: string): Promise<{ perSecond: number; cpuPer100k: number }> => {
  const client = OPCUAClient.create({
    endpointMustExist: false,
    connectionStrategy: { maxRetry: 1 },
  });
  await client.connect(url);
  const session = await client.createSession();
  // As the collector does (same extraction strategy, types prepared before the first notification).
  await getExtraDataTypeManager(session);
  const sub = await session.createSubscription2({ requestedPublishingInterval: NOTIFY_MS, publishingEnabled: true });
  let count = 0;
  const group = await sub.monitorItems(
    Array.from({ length: STRUCTS }, (_, i) => ({ nodeId: `ns=1;s=Plc.Bench.S${i}`, attributeId: AttributeIds.Value })),
    { samplingInterval: NOTIFY_MS, queueSize: 1, discardOldest: true },
    TimestampsToReturn.Both,
  );
  let sink = 0;
  group.on('changed', (_item, dv: DataValue) => {
    const s = dv.value.value as Record<string, unknown>;
    // Decoded means usable: every field is read, as a consumer of the structure would.
    for (let f = 0; f < BENCH_FIELDS; f++) if (s[`F${f}`] !== undefined) sink++;
    count += BENCH_FIELDS;
  });
  await sleep(WARMUP_MS / 2);
  const n0 = count;
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  await sleep(MEASURE_MS / 2);
  const seconds = (performance.now() - t0) / 1000;
  const n = count - n0;
  const cpu = cpuSeconds() - cpu0;
  await sub.terminate();
  await session.close();
  // Publish requests still in flight are cancelled by the disconnect; that is the end of the peer, not a failure.
  await client.disconnect().catch(() => undefined);
  if (sink === 0) throw new Error('the bare client decoded no structure fields');
  return { perSecond: n / seconds, cpuPer100k: cpu / (n / 100_000) };
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
