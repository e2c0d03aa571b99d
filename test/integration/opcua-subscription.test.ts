import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../main/collect/demo/free-port.js';
import { OpcUaCollector } from '../../main/collect/opcua/opcua-collector.js';
import { StatusCodes } from '../../main/domain/sample/status-codes.js';
import { collectorDevice, Recorder } from '../helpers/device.js';
import { startOpcUaServer, type OpcUaServerProcess } from '../helpers/opcua-server.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

/**
 * The OPC UA collector's subscription against a node-opcua server in another process: parameters the server
 * revises, deadbands, a node the server does not know, and a server killed (SIGKILL, like a power loss) and
 * started again on the same port.
 */
describe('OPC UA subscription against a server in its own process', () => {
  const dir = tempDir('twinedge-ua-');
  let server: OpcUaServerProcess;
  let port = 0;
  const VARS = 20;

  beforeAll(async () => {
    port = await freePort('127.0.0.1');
    server = await startOpcUaServer(port, `${dir.path}/server-pki`, { variables: VARS, updateMs: 100 });
  });
  afterAll(async () => {
    await server.stop();
    dir.remove();
  });

  const device = (tags: Record<string, unknown>[], extra: Record<string, unknown> = {}) =>
    collectorDevice({
      name: 'plc',
      protocol: 'opcua',
      settings: {
        endpointUrl: `opc.tcp://127.0.0.1:${port}`,
        publishingIntervalMs: 200,
        reconnectMaxDelayMs: 1000,
        ...extra,
      },
      tags: tags as { name: string; nodeId: string }[],
    });

  it('keeps what the server revised, applies deadbands, and isolates a refused node', async () => {
    const dev = device([
      { name: 'fast', nodeId: 'ns=1;s=V0', samplingIntervalMs: 10 },
      { name: 'flat', nodeId: 'ns=1;s=V1', samplingIntervalMs: 100, deadbandType: 'absolute', deadbandValue: 1000 },
      { name: 'pct', nodeId: 'ns=1;s=V2', samplingIntervalMs: 100, deadbandType: 'percent', deadbandValue: 5 },
      { name: 'missing', nodeId: 'ns=1;s=NoSuchNode' },
      { name: 'q', nodeId: 'ns=1;s=V3', samplingIntervalMs: 100, queueSize: 5 },
    ]);
    const rec = new Recorder();
    const c = new OpcUaCollector(dev, rec, { pkiDir: `${dir.path}/client-pki` });
    c.start();
    try {
      await waitFor(
        () => rec.batches.reduce((n, b) => n + b.filter((s) => s.tagId === 1).length, 0) >= 10,
        30_000,
        'fast samples',
      );
      const d = c.diagnostics();
      const item = (name: string) => d.subscription!.items.find((i) => i.name === name)!;
      expect(d.subscription!.revisedPublishingIntervalMs).toBe(200);
      // 10 ms asked, the variable allows 100 ms: the server says so and the UI can show it.
      expect(item('fast')).toMatchObject({ requestedSamplingIntervalMs: 10, revisedSamplingIntervalMs: 100 });
      expect(item('q')).toMatchObject({ requestedQueueSize: 5, revisedQueueSize: 5, statusCode: 0 });
      expect(d.subscription!.itemsPerCall).toBe(1000); // the server's MaxMonitoredItemsPerCall
      // Unknown node and an unsupported percent deadband (no EURange) are bad; the rest keep running.
      expect(item('missing').statusCode).toBe(0x80340000); // BadNodeIdUnknown
      expect(d.tagProblems.map((p) => p.name).sort()).toEqual(['missing', 'pct']);
      const flat = rec.batches.flat().filter((s) => s.tagId === 2);
      expect(flat.length).toBe(1); // the initial value only: changes stay inside the deadband
      expect(rec.latest().get(1)?.quality).toBe(StatusCodes.Good);
    } finally {
      await c.stop();
    }
  });

  it('recovers every tag after the server is killed and restarted, with a gap recorded and no duplicate subscription', async () => {
    const tags = Array.from({ length: VARS }, (_, i) => ({
      name: `v${i}`,
      nodeId: `ns=1;s=V${i}`,
      samplingIntervalMs: 100,
    }));
    const rec = new Recorder();
    const c = new OpcUaCollector(device(tags), rec, { pkiDir: `${dir.path}/client-pki` });
    c.start();
    try {
      const goodSince = (t0: number) => {
        const good = new Set<number>();
        for (const s of rec.batches.flat()) if (s.ts >= t0 && s.quality === StatusCodes.Good) good.add(s.tagId);
        return good.size;
      };
      await waitFor(() => goodSince(0) === VARS, 30_000, 'every tag good');
      expect(await server.stats()).toEqual({ sessions: 1, subscriptions: 1, items: VARS });

      await server.kill();
      await waitFor(
        () => rec.batches.flat().filter((s) => s.quality === StatusCodes.BadNoCommunication).length >= VARS,
        15_000,
        'a bad sample per tag while the server is down',
      );
      server = await startOpcUaServer(port, `${dir.path}/server-pki`, { variables: VARS, updateMs: 100 });
      const back = Date.now();
      // The bound: every tag good again within 15 s of the server returning.
      await waitFor(() => goodSince(back) === VARS, 15_000, 'every tag good within 15 s of the restart');
      expect(rec.state?.state).toBe('connected');
      // Settled: one session, one subscription, each tag monitored once.
      await new Promise((r) => setTimeout(r, 3000));
      expect(await server.stats()).toEqual({ sessions: 1, subscriptions: 1, items: VARS });
    } finally {
      await c.stop();
    }
  }, 90_000);
});
