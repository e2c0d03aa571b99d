import { join } from 'node:path';
import { OPCUAClient, coerceNodeId, type ClientSession } from 'node-opcua';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfillKey, backfillPersistence } from '../../main/app/backfill-settings.js';
import { createApp, type App } from '../../main/app/create-app.js';
import type { CallName } from '../../main/contract/wire.js';
import type { CallOutput, Events } from '../../main/contract/contract.js';
import type { DeviceView } from '../../main/domain/device/device-view.js';
import { silentLogger } from '../../main/log/logger.js';
import type { BackfillOptions } from '../../main/collect/opcua/backfill.js';
import { readProcessedHistory, readRawHistory } from '../../main/collect/opcua/history-read.js';
import { OpcUaCollector } from '../../main/collect/opcua/opcua-collector.js';
import { StatusCodes } from '../../main/domain/sample/status-codes.js';
import { type Sample } from '../../main/domain/sample/sample.js';
import type { BackfillInterval } from '../../main/domain/device/device-state.js';
import { TrendQuery } from '../../main/domain/history/trend-query.js';
import { HistoryService } from '../../main/history/history-query.js';
import { RollupService } from '../../main/history/rollups.js';
import { ServerHistorySource } from '../../main/history/server-source.js';
import { Store } from '../../main/store/store.js';
import {
  HIST_NODES,
  PLAIN_NODE,
  UNSUPPORTED_NODE,
  startHistoryServer,
  type HistoryServer,
  type Stored,
} from '../fixtures/opcua-history-space.js';
import { collectorDevice } from '../helpers/device.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

/**
 * The server's own history against a real node-opcua server that historizes: HistoryRead raw with
 * continuation points and processed aggregates, backfill of an outage (a relay cut like a pulled cable,
 * while the server goes on recording) into a real store, resumed after a restart, and the trend's fill.
 */

const dir = tempDir('twinedge-opcua-history-');
let server: HistoryServer;
let proxy: TcpProxy;
const running: OpcUaCollector[] = [];
const stores: Store[] = [];

beforeAll(async () => {
  server = await startHistoryServer({ pkiDir: join(dir.path, 'server-pki'), past: 3000, liveMs: 50 });
  proxy = await startTcpProxy(server.port);
});

afterAll(async () => {
  for (const c of running) await c.stop();
  for (const s of stores) s.close();
  await proxy?.close();
  await server?.stop();
  dir.remove();
});

const FLOW = HIST_NODES[0];
const LEVEL = HIST_NODES[1];
const tagList = [
  { name: 'Flow', nodeId: FLOW, samplingIntervalMs: 20 },
  { name: 'Level', nodeId: LEVEL, samplingIntervalMs: 20 },
  { name: 'Temp', nodeId: PLAIN_NODE, samplingIntervalMs: 100 },
  { name: 'Unsupported', nodeId: UNSUPPORTED_NODE, samplingIntervalMs: 100 },
];
const FLOW_ID = 1;
const LEVEL_ID = 2;

const openStore = (name: string): Store => {
  const s = Store.open(join(dir.path, `${name}.sqlite`));
  stores.push(s);
  return s;
};

const collector = (
  store: Store,
  endpointUrl: string,
  backfill: Omit<BackfillOptions, 'persistence'> = {},
  seen?: Sample[],
): OpcUaCollector => {
  const dev = collectorDevice({
    name: 'historian',
    protocol: 'opcua',
    settings: { endpointUrl, publishingIntervalMs: 100 },
    tags: tagList,
  });
  const c = new OpcUaCollector(
    dev,
    {
      onSamples: (batch) => {
        seen?.push(...batch);
        store.writeSamples(batch, null);
      },
      onState: () => undefined,
    },
    {
      pkiDir: join(dir.path, 'client-pki'),
      backoff: { initialMs: 200, maxMs: 500, jitter: 0 },
      backfill: { persistence: backfillPersistence(store.settings, dev.id), ...backfill },
    },
  );
  running.push(c);
  return c;
};

const stop = async (c: OpcUaCollector): Promise<void> => {
  await c.stop();
  running.splice(running.indexOf(c), 1);
};

const report = (c: OpcUaCollector): BackfillInterval[] => c.diagnostics().backfill ?? [];

const storedIn = (store: Store, tagId: number, from: number, to: number): Sample[] =>
  store.samples.raw(tagId, from, to);

const writtenIn = (node: string, from: number, to: number): Stored[] =>
  (server.written.get(node) ?? []).filter((v) => v.ts >= from && v.ts <= to);

/** Our own lost-connection markers: in the store, never in the server's history. */
const isMarker = (s: Sample): boolean => s.quality === StatusCodes.BadNoCommunication && s.value === null;

/** Cuts the relay until the collector has noticed and the server has recorded a while without it. */
const outage = async (c: OpcUaCollector, store: Store, ms: number): Promise<void> => {
  proxy.block();
  await waitFor(() => store.samples.raw(FLOW_ID, 0, Date.now() + 1000).some(isMarker), 20_000, 'loss noticed');
  await new Promise((r) => setTimeout(r, ms));
  proxy.unblock();
};

describe('HistoryRead against a historizing server', () => {
  let client: OPCUAClient;
  let session: ClientSession;
  beforeAll(async () => {
    client = OPCUAClient.create({ endpointMustExist: false, connectionStrategy: { maxRetry: 1 } });
    await client.connect(server.endpointUrl);
    session = await client.createSession();
  });
  afterAll(async () => {
    await session?.close();
    await client?.disconnect();
  });

  it("reads raw history page by page through continuation points: exactly the server's values", async () => {
    const got = new Map<number, { ts: number; value: unknown }[]>([
      [0, []],
      [1, []],
    ]);
    const nodes = HIST_NODES.map((n) => ({ nodeId: coerceNodeId(n), indexRange: '' }));
    const res = await readRawHistory(session, nodes, server.pastFrom, server.pastTo, {
      pageSize: 250,
      timeoutMs: 20_000,
      onPage: (i, values) => {
        for (const dv of values) got.get(i)!.push({ ts: dv.sourceTimestamp!.getTime(), value: dv.value.value });
      },
    });
    expect(res.complete).toBe(true);
    // 3,000 values per node in pages of 250: 12 calls, both nodes in each.
    expect(res.calls).toBe(12);
    HIST_NODES.forEach((n, i) => {
      expect(res.nodes[i]).toEqual({ values: 3000, error: null, truncated: false });
      expect(got.get(i)).toEqual(writtenIn(n, server.pastFrom, server.pastTo));
    });
    expect(server.openContinuationPoints()).toBe(0);
  });

  it('releases its continuation points when stopped early, and names a refused node', async () => {
    let pages = 0;
    let heldDuring = -1;
    const nodes = [FLOW, LEVEL].map((n) => ({ nodeId: coerceNodeId(n), indexRange: '' }));
    const res = await readRawHistory(session, nodes, server.pastFrom, server.pastTo, {
      pageSize: 100,
      timeoutMs: 20_000,
      stop: () => pages >= 2,
      onPage: () => {
        pages++;
        heldDuring = server.openContinuationPoints();
      },
    });
    expect(res.complete).toBe(false);
    expect(heldDuring).toBe(2);
    expect(server.openContinuationPoints()).toBe(0);

    const refused = await readRawHistory(
      session,
      [UNSUPPORTED_NODE, FLOW].map((n) => ({ nodeId: coerceNodeId(n), indexRange: '' })),
      server.pastFrom,
      server.pastFrom + 9_000,
      { pageSize: 100, timeoutMs: 20_000, onPage: () => undefined },
    );
    expect(refused.nodes[0]?.error?.statusName).toBe('BadHistoryOperationUnsupported');
    expect(refused.nodes[1]).toEqual({ values: 10, error: null, truncated: false });
  });

  it("reads the server's Min, Max and Average per interval", async () => {
    const minute = 60_000;
    const p = await readProcessedHistory(
      session,
      { nodeId: coerceNodeId(FLOW), indexRange: '' },
      server.pastFrom,
      server.pastFrom + 10 * minute,
      minute,
      20_000,
    );
    expect(p.ts).toEqual(Array.from({ length: 10 }, (_, k) => server.pastFrom + k * minute));
    for (let k = 0; k < 10; k++) {
      const inside = (server.written.get(FLOW) ?? [])
        .filter((v) => v.ts >= p.ts[k]! && v.ts < p.ts[k]! + minute)
        .map((v) => v.value);
      expect(inside).toHaveLength(60);
      expect(p.min[k]!.value.value).toBe(Math.min(...inside));
      expect(p.max[k]!.value.value).toBe(Math.max(...inside));
      expect(p.avg[k]!.value.value as number).toBeCloseTo(inside.reduce((a, b) => a + b, 0) / inside.length, 6);
    }
    // The spike at value 250 survives in the Max of its minute.
    expect(p.max[4]!.value.value).toBe(1000);
  });
});

describe('backfill after an outage', () => {
  it("stores the server's history for the gap: every value once, and says what it filled and why not", async () => {
    const store = openStore('backfill');
    const c = collector(store, `opc.tcp://127.0.0.1:${proxy.port}`, { pageSize: 50, pauseMs: 20, nodesPerCall: 1 });
    c.start();
    await waitFor(
      () => storedIn(store, FLOW_ID, server.pastTo + 1, Date.now() + 1000).length > 10,
      20_000,
      'live data',
    );
    await outage(c, store, 2500);
    await waitFor(() => report(c)[0]?.state === 'done', 30_000, 'backfill done');
    const r = report(c)[0]!;
    expect(r.to).not.toBeNull();
    expect(r.to! - r.from).toBeGreaterThan(2500);
    for (const [tagId, node] of [
      [FLOW_ID, FLOW],
      [LEVEL_ID, LEVEL],
    ] as const) {
      const stored = storedIn(store, tagId, r.from, r.to!);
      // Exactly the server's values for the gap (the store keeps one per time), plus our one marker of the loss.
      expect(stored.filter(isMarker)).toHaveLength(1);
      expect(stored.filter((s) => !isMarker(s)).map((s) => ({ ts: s.ts, value: s.value }))).toEqual(
        writtenIn(node, r.from, r.to!),
      );
      // Good, some with the Overflow bit: the live notifications queued on the server during the cut say so.
      expect(stored.filter((s) => !isMarker(s)).every((s) => (s.quality & ~0x480) === 0)).toBe(true);
    }
    const expected = writtenIn(FLOW, r.from, r.to!).length + writtenIn(LEVEL, r.from, r.to!).length;
    expect(r).toMatchObject({ tags: 4, tagsFilled: 2, samples: expected, message: null });
    expect(r.skipped).toEqual([
      { name: 'Temp', reason: 'the server keeps no readable history for it (no HistoryRead access)' },
      { name: 'Unsupported', reason: 'BadHistoryOperationUnsupported' },
    ]);
    // The gap was live data no longer: more values than the subscription alone delivered before the cut.
    expect(writtenIn(FLOW, r.from, r.to!).length).toBeGreaterThan(40);
    expect(server.openContinuationPoints()).toBe(0);
    await stop(c);
  }, 60_000);

  it('resumes an interrupted backfill after a restart without reading finished tags again', async () => {
    const name = 'resume';
    let store = openStore(name);
    // Slow on purpose (pages of 10, a pause of 150 ms): the first run is stopped half way.
    const slow = { pageSize: 10, pauseMs: 150, nodesPerCall: 1 };
    const first = collector(store, `opc.tcp://127.0.0.1:${proxy.port}`, slow);
    first.start();
    await waitFor(() => storedIn(store, FLOW_ID, server.pastTo + 1, Date.now() + 1000).length > 5, 20_000, 'live data');
    await outage(first, store, 2000);
    await waitFor(() => (report(first)[0]?.tagsFilled ?? 0) >= 1, 30_000, 'first tag filled');
    expect(report(first)[0]?.state).toBe('running');
    await stop(first);
    const paused = report(first)[0]!;
    expect(paused.state).toBe('waiting');
    expect(paused.message).toMatch(/continues at the next start/);
    store.close();
    stores.splice(stores.indexOf(store), 1);

    // The app starts again: a new store handle and collector with the same persisted state.
    store = openStore(name);
    const seen: Sample[] = [];
    const second = collector(store, `opc.tcp://127.0.0.1:${proxy.port}`, slow, seen);
    expect(report(second)[0]).toMatchObject({ state: 'waiting', from: paused.from, to: paused.to, tagsFilled: 1 });
    second.start();
    await waitFor(() => report(second)[0]?.state === 'done', 30_000, 'backfill resumed and done');
    const r = report(second)[0]!;
    expect(r).toMatchObject({ from: paused.from, to: paused.to, tagsFilled: 2 });
    for (const [tagId, node] of [
      [FLOW_ID, FLOW],
      [LEVEL_ID, LEVEL],
    ] as const) {
      const stored = storedIn(store, tagId, r.from, r.to!).filter((s) => !isMarker(s));
      expect(stored.map((s) => ({ ts: s.ts, value: s.value }))).toEqual(writtenIn(node, r.from, r.to!));
    }
    // Flow was done before the restart: the second run read nothing of it for the gap.
    expect(seen.filter((s) => s.tagId === FLOW_ID && s.ts >= r.from && s.ts <= r.to!)).toHaveLength(0);
    expect(r.samples).toBe(writtenIn(FLOW, r.from, r.to!).length + writtenIn(LEVEL, r.from, r.to!).length);
    await stop(second);
  }, 90_000);
});

describe('trend fill from the server history', () => {
  it('fills the range older than local data: processed buckets when long, raw values when short', async () => {
    const store = openStore('trend');
    const c = collector(store, server.endpointUrl);
    c.start();
    await waitFor(() => storedIn(store, FLOW_ID, server.pastTo + 1, Date.now() + 1000).length > 3, 20_000, 'live data');
    const rollups = new RollupService({ rollups: store.rollups });
    const history = new HistoryService({
      store,
      rollups,
      server: new ServerHistorySource({ reader: () => ({ device: 'historian', history: c.serverHistory() }) }),
    });
    const localFrom = store.samples.oldest([FLOW_ID])!;
    expect(localFrom).toBeGreaterThan(server.pastTo);

    // 3,000 values before local data: more than the raw budget (2 x 1000 px), so the server's buckets.
    const long = await history.query(
      TrendQuery.parse({ tagIds: [FLOW_ID], from: server.pastFrom, to: Date.now(), server: true }),
    );
    const s = long.series[0]!;
    expect(s.fillSource).toBe('server');
    expect(s.serverNote).toBeNull();
    expect(s.cloudUntil).not.toBeNull();
    const width = s.cloudBucketMs!;
    expect(width).toBeGreaterThan(1000);
    const filled = s.ts.flatMap((t, i) => (t < s.cloudUntil! ? [i] : []));
    expect(filled.length).toBeGreaterThan(100);
    let spikes = 0;
    // Whole buckets before local data (the last one reaches past its start, into values still being written).
    for (const i of filled.filter((k) => s.ts[k]! + width <= s.cloudUntil!)) {
      const inside = writtenIn(FLOW, s.ts[i]!, s.ts[i]! + width - 1).map((v) => v.value);
      if (!inside.length) {
        expect(s.values[i]).toBeNull();
        continue;
      }
      expect(s.max![i]).toBe(Math.max(...inside));
      expect(s.min![i]).toBe(Math.min(...inside));
      if (s.max![i] === 1000) spikes++;
    }
    expect(spikes).toBe(6);

    // The last 200 s before local data: few enough for raw values, exactly the server's.
    const from = server.pastTo - 199_000;
    const short = await history.query(
      TrendQuery.parse({ tagIds: [FLOW_ID], from, to: localFrom + 2000, server: true }),
    );
    const r = short.series[0]!;
    expect(r.fillSource).toBe('server');
    expect(r.cloudBucketMs).toBeNull();
    const raw = r.ts.flatMap((t, i) => (t < r.cloudUntil! ? [{ ts: t, value: r.values[i] }] : []));
    expect(raw).toEqual(writtenIn(FLOW, from, localFrom - 1));

    // A tag whose node keeps no history says so instead of filling.
    const plain = await history.query(
      TrendQuery.parse({ tagIds: [3], from: server.pastFrom, to: Date.now(), server: true }),
    );
    expect(plain.series[0]).toMatchObject({ fillSource: null, cloudUntil: null });
    expect(plain.series[0]?.serverNote).toMatch(/"historian": Temp: .*no HistoryRead access/);
    await stop(c);
  }, 60_000);
});

describe('in the app', () => {
  const call = async <K extends CallName>(app: App, name: K, input: unknown = {}): Promise<CallOutput<K>> => {
    const r = await app.router.invoke(name, input);
    if (!r.ok) throw new Error(`${name}: ${r.error.code}: ${r.error.message}`);
    return r.value as CallOutput<K>;
  };

  it('backfills an outage into the store, keeps it in the settings, shows it in the details and fills the trend', async () => {
    const app = await createApp({
      dataDir: join(dir.path, 'app'),
      shell: 'browser',
      version: 'test',
      logger: silentLogger,
      demo: { enabled: false },
    });
    try {
      const device: DeviceView = await call(app, 'devices.save', {
        name: 'Historian PLC',
        protocol: 'opcua',
        settings: { endpointUrl: `opc.tcp://127.0.0.1:${proxy.port}`, publishingIntervalMs: 100 },
        tags: tagList.slice(0, 3),
      });
      const flow = device.tags.find((t) => t.name === 'Flow')!;
      const store = app.store!;
      await waitFor(
        () => storedIn(store, flow.id, server.pastTo + 1, Date.now() + 1000).length > 5,
        30_000,
        'live data',
      );
      const live: number[] = [];
      app.events.subscribe((event, payload) => {
        if (event !== 'samples.batch') return;
        for (const t of (payload as Events['samples.batch']).samples) if (t[0] === flow.id) live.push(t[1]);
      });
      const cutAt = Date.now();
      proxy.block();
      await waitFor(() => app.status().devices[0]?.state !== 'connected', 20_000, 'loss noticed');
      await new Promise((r) => setTimeout(r, 2500));
      const backAt = Date.now();
      proxy.unblock();
      await waitFor(
        async () => (await call(app, 'devices.diagnostics', { id: device.id })).backfill?.[0]?.state === 'done',
        30_000,
        'backfill done',
      );
      const b = (await call(app, 'devices.diagnostics', { id: device.id })).backfill![0]!;
      expect(b).toMatchObject({ tags: 3, tagsFilled: 2 });
      expect(b.skipped.map((x) => x.name)).toEqual(['Temp']);
      await app.router.invoke('history.query', { tagIds: [flow.id], from: b.from, to: b.to! }); // flushes the writer
      const stored = storedIn(store, flow.id, b.from, b.to!).filter((x) => !isMarker(x));
      expect(stored.map((x) => ({ ts: x.ts, value: x.value }))).toEqual(writtenIn(FLOW, b.from, b.to!));
      // The gap came back as stored history, not as live data (no alarm sees old values as current): live shows
      // only what the subscription itself delivered after the cut (its item queues, resent notifications), a
      // fraction of the gap; sent live, the backfill would be all of it.
      await new Promise((r) => setTimeout(r, 600)); // two live-stream intervals: whatever went live has gone out
      const liveInGap = live.filter((t) => t > cutAt && t < backAt).length;
      const storedInGap = stored.filter((x) => x.ts > cutAt && x.ts < backAt).length;
      expect(storedInGap).toBeGreaterThan(40);
      expect(liveInGap).toBeLessThan(storedInGap / 2);
      // Kept where a restart finds it.
      expect(store.settings.get(backfillKey(device.id))).toMatchObject({ version: 1, intervals: [{ state: 'done' }] });

      const q = await call(app, 'history.query', {
        tagIds: [flow.id],
        from: server.pastTo - 60_000,
        to: Date.now(),
        server: true,
      });
      expect(q.series[0]).toMatchObject({ fillSource: 'server', serverNote: null });
    } finally {
      await app.stop();
    }
  }, 90_000);
});
