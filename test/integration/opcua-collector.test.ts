import { createServer, type AddressInfo, type Socket } from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpcUaCollector } from '../../main/collect/opcua/opcua-collector.js';
import { acquirePki } from '../../main/collect/opcua/pki.js';
import { DemoOpcUaServer } from '../../main/collect/demo/demo-opcua-server.js';
import { PlantModel } from '../../main/collect/demo/plant-model.js';
import { signals } from '../../main/collect/demo/signals.js';
import { StatusCodes } from '../../main/domain/sample/status-codes.js';
import { collectorDevice, Recorder } from '../helpers/device.js';
import { waitFor } from '../helpers/wait.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twinedge-opcua-'));
const model = new PlantModel({ seed: 11, startTime: Date.now() });
const pushed = new Set<number>();
let server = new DemoOpcUaServer();
let endpoint = '';
let ticker: NodeJS.Timeout | null = null;
const collectors: OpcUaCollector[] = [];

const tick = (): void => {
  model.step(100);
  pushed.add(model.time);
  server.update(model.time, model.values());
};

const wanted = ['P101.Flow', 'P101.Running', 'T101.Level', 'P101.Speed'];
const tags = [
  ...wanted.map((key) => ({ name: key, nodeId: signals.find((s) => s.key === key)!.nodeId, samplingIntervalMs: 100 })),
  { name: 'missing', nodeId: 'ns=1;s=PumpSkid.DoesNotExist', samplingIntervalMs: 100 },
];
const MISSING_ID = tags.length;

const makeCollector = (settings: Record<string, unknown> = {}): { c: OpcUaCollector; rec: Recorder } => {
  const rec = new Recorder();
  const dev = collectorDevice({
    name: 'demo ua',
    protocol: 'opcua',
    settings: { endpointUrl: endpoint, publishingIntervalMs: 100, ...settings },
    tags,
  });
  const c = new OpcUaCollector(dev, rec, {
    pkiDir: path.join(dir, 'client-pki'),
    backoff: { initialMs: 200, maxMs: 1000, jitter: 0 },
  });
  collectors.push(c);
  return { c, rec };
};

beforeAll(async () => {
  endpoint = await server.start({ port: 0, pkiDir: path.join(dir, 'server-pki') });
  tick();
  ticker = setInterval(tick, 100);
});

afterAll(async () => {
  if (ticker) clearInterval(ticker);
  for (const c of collectors) await c.stop();
  await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('OpcUaCollector against the demo OPC UA server', () => {
  it('endpoint says 127.0.0.1', () => {
    expect(endpoint).toMatch(/^opc\.tcp:\/\/127\.0\.0\.1:\d+$/);
  });

  it('delivers good values with source timestamps in batches; an unknown node id is Bad for that tag only', async () => {
    const { c, rec } = makeCollector();
    c.start();
    await waitFor(() => rec.samples() >= 60, 30_000, '60 samples');
    expect(rec.state).toEqual({ state: 'connected', message: null });
    const all = rec.batches.flat();
    const missing = all.filter((s) => s.tagId === MISSING_ID);
    expect(missing.length).toBeGreaterThanOrEqual(1);
    expect(missing.every((s) => s.quality === StatusCodes.BadNodeIdUnknown && s.value === null)).toBe(true);
    const good = all.filter((s) => s.tagId !== MISSING_ID);
    expect(good.length).toBeGreaterThan(0);
    expect(good.every((s) => s.quality === StatusCodes.Good)).toBe(true);
    // Source timestamps are the model times the server published, not arrival times.
    expect(good.every((s) => pushed.has(s.ts))).toBe(true);
    for (const s of good.filter((x) => x.tagId === 2)) expect([0, 1]).toContain(s.value);
    const flow = good.filter((s) => s.tagId === 1).map((s) => s.value!);
    expect(flow.every((v) => v >= 0 && v <= 120)).toBe(true);
    // Batched per publish: fewer calls than samples, and some call carries several tags.
    expect(rec.batches.length).toBeLessThan(all.length);
    expect(Math.max(...rec.batches.map((b) => b.length))).toBeGreaterThanOrEqual(3);
    // All four good tags were seen.
    expect(new Set(good.map((s) => s.tagId))).toEqual(new Set([1, 2, 3, 4]));
  });

  it('reports the loss when the server stops and resumes after it restarts on the same port', async () => {
    const { c, rec } = makeCollector();
    c.start();
    await waitFor(() => rec.samples() >= 20, 30_000, 'initial samples');
    const port = Number(new URL(endpoint.replace('opc.tcp', 'http')).port);
    if (ticker) clearInterval(ticker);
    ticker = null;
    await server.stop();
    await waitFor(() => rec.state?.state !== 'connected', 30_000, 'loss reported');
    expect(rec.state?.message).toMatch(/lost|cannot connect|closed|no data/);
    // While the server is down, each reconnection attempt is reported.
    await waitFor(() => /attempt \d+/.test(rec.state?.message ?? ''), 30_000, 'reconnection attempts reported');
    const before = rec.samples();
    const restartedAt = model.time;
    server = new DemoOpcUaServer();
    await server.start({ port, pkiDir: path.join(dir, 'server-pki') });
    tick();
    ticker = setInterval(tick, 100);
    await waitFor(
      () => rec.batches.flat().some((s) => s.ts > restartedAt && s.quality === StatusCodes.Good),
      60_000,
      'data after restart',
    );
    expect(rec.samples()).toBeGreaterThan(before);
    await waitFor(() => rec.state?.state === 'connected', 10_000, 'connected again');
  });

  it('connects with Basic256Sha256 SignAndEncrypt once the server certificate is trusted', async () => {
    const { c, rec } = makeCollector({ securityMode: 'SignAndEncrypt', securityPolicy: 'Basic256Sha256' });
    c.start();
    // No trust on first use: the demo server's certificate lands in rejected/ until trusted.
    await waitFor(() => /not trusted yet/.test(rec.state?.message ?? ''), 30_000, 'untrusted server certificate');
    const pki = acquirePki(path.join(dir, 'client-pki'));
    try {
      const { rejected } = await pki.pki.list();
      expect(rejected).toHaveLength(1);
      await pki.pki.trust(rejected[0]!.thumbprint);
    } finally {
      await pki.release();
    }
    await waitFor(
      () => rec.batches.flat().some((s) => s.tagId === 1 && s.quality === StatusCodes.Good),
      30_000,
      'encrypted data',
    );
    expect(rec.state).toEqual({ state: 'connected', message: null });
  });

  it('reports a refused connection with a readable message and stops promptly', async () => {
    const rec = new Recorder();
    const dev = collectorDevice({
      name: 'nowhere',
      protocol: 'opcua',
      settings: { endpointUrl: 'opc.tcp://127.0.0.1:1', publishingIntervalMs: 100 },
      tags: tags.slice(0, 1),
    });
    const c = new OpcUaCollector(dev, rec, {
      pkiDir: path.join(dir, 'client-pki'),
      backoff: { initialMs: 200, maxMs: 1000, jitter: 0 },
    });
    c.start();
    await waitFor(() => rec.state?.state === 'error', 20_000, 'error state');
    expect(rec.state?.message).toMatch(
      /^cannot connect to opc\.tcp:\/\/127\.0\.0\.1:1: connection refused — retrying in [\d.]+ s$/,
    );
    await c.stop();
    expect(rec.batches).toHaveLength(0);
  });
});

describe('OpcUaCollector before its server exists', () => {
  it('retries with readable errors and collects once the server comes up', async () => {
    const { freePort } = await import('../../main/collect/demo/free-port.js');
    const port = await freePort();
    const rec = new Recorder();
    const dev = collectorDevice({
      name: 'late server',
      protocol: 'opcua',
      settings: { endpointUrl: `opc.tcp://127.0.0.1:${port}`, publishingIntervalMs: 100 },
      tags: tags.slice(0, 2),
    });
    const c = new OpcUaCollector(dev, rec, {
      pkiDir: path.join(dir, 'client-pki'),
      backoff: { initialMs: 200, maxMs: 1000, jitter: 0 },
    });
    const late = new DemoOpcUaServer();
    try {
      c.start();
      await waitFor(() => rec.states.filter((s) => s.state === 'error').length >= 2, 20_000, 'two failed attempts');
      await late.start({ port, pkiDir: path.join(dir, 'late-pki') });
      late.update(model.time, model.values());
      await waitFor(
        () => rec.batches.flat().some((s) => s.tagId === 1 && s.quality === StatusCodes.Good),
        30_000,
        'data',
      );
      expect(rec.state).toEqual({ state: 'connected', message: null });
    } finally {
      await c.stop();
      await late.stop();
    }
  });
});

describe('OpcUaCollector stop()', () => {
  it('resolves while a connect hangs on a server that accepts but never answers', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as AddressInfo).port;
    const rec = new Recorder();
    const dev = collectorDevice({
      name: 'silent',
      protocol: 'opcua',
      settings: { endpointUrl: `opc.tcp://127.0.0.1:${port}`, publishingIntervalMs: 100 },
      tags: [{ name: 'x', nodeId: 'ns=1;s=X' }],
    });
    const c = new OpcUaCollector(dev, rec, { pkiDir: path.join(dir, 'client-pki') });
    c.start();
    await waitFor(() => sockets.length > 0, 10_000, 'client to connect the socket');
    await c.stop();
    const statesAtStop = rec.states.length;
    expect(rec.states.at(-1)?.state).toBe('connecting');
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
    await new Promise((r) => setTimeout(r, 300));
    expect(rec.states.length).toBe(statesAtStop); // nothing reported after stop()
  });
});
