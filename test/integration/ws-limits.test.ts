import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createApp, type App } from '../../main/app/create-app.js';
import { callNames, type ServerMessage, type WireResult } from '../../main/contract/wire.js';
import { createRouter, type Handlers } from '../../main/contract/router.js';
import { busyMessage, MAX_CALL_BYTES, MAX_CALLS_IN_FLIGHT } from '../../main/contract/transport-limits.js';
import { EventHub } from '../../main/app/event-hub.js';
import { silentLogger } from '../../main/log/logger.js';
import { startBrowserServer, type BrowserServer } from '../../main/server/browser-server.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const rendererDir = (dir: string): string => {
  mkdirSync(join(dir, 'renderer'), { recursive: true });
  writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>TwinEdge</title>');
  return join(dir, 'renderer');
};

const open = (server: BrowserServer): Promise<WebSocket> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, {
      headers: { origin: `http://127.0.0.1:${server.port}` },
    });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });

describe('a flood of calls on one socket', () => {
  const dir = tempDir();
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => (release = r));
  let running = 0;
  const handlers = Object.fromEntries(callNames.map((n) => [n, () => ({})])) as unknown as Handlers;
  // A call that takes its time (a history query on a big store, a device that is slow to answer).
  handlers['app.info'] = (async () => {
    running++;
    await gate;
    running--;
    return { slow: true };
  }) as unknown as Handlers['app.info'];
  let server: BrowserServer;
  beforeAll(async () => {
    server = await startBrowserServer({
      router: createRouter(handlers),
      events: new EventHub(),
      rendererDir: rendererDir(dir.path),
      host: '127.0.0.1',
      port: 0,
    });
  });
  afterAll(async () => {
    release();
    await server.close();
    dir.remove();
  });

  it(`runs at most ${MAX_CALLS_IN_FLIGHT} at a time and answers the rest "busy" at once, keeping the socket`, async () => {
    const ws = await open(server);
    const answers = new Map<number, WireResult<unknown>>();
    ws.on('message', (m) => {
      const msg = JSON.parse((m as Buffer).toString('utf8')) as ServerMessage;
      if (msg.t === 'result') answers.set(msg.id, msg.result);
    });
    const flood = 20_000;
    const rss = process.memoryUsage().rss;
    for (let id = 1; id <= flood; id++) ws.send(JSON.stringify({ t: 'call', id, name: 'app.info', input: {} }));
    // Every call past the bound is answered while the first ones are still running.
    await waitFor(() => answers.size >= flood - MAX_CALLS_IN_FLIGHT, 20_000, 'the busy answers');
    expect(running).toBe(MAX_CALLS_IN_FLIGHT);
    expect(answers.size).toBe(flood - MAX_CALLS_IN_FLIGHT);
    for (const r of answers.values())
      expect(r).toEqual({ ok: false, error: { code: 'unavailable', message: busyMessage } });
    console.log(
      `20,000 calls flooded: RSS ${Math.round(rss / 1048576)} -> ${Math.round(process.memoryUsage().rss / 1048576)} MiB`,
    );

    release();
    await waitFor(() => answers.size === flood, 10_000, 'the slow answers');
    const ok = [...answers].filter(([, r]) => r.ok).map(([id]) => id);
    expect(ok).toEqual(Array.from({ length: MAX_CALLS_IN_FLIGHT }, (_, i) => i + 1));
    expect(running).toBe(0);
    // The socket stayed open and serves the next call.
    expect(ws.readyState).toBe(ws.OPEN);
    ws.send(JSON.stringify({ t: 'call', id: flood + 1, name: 'app.info', input: {} }));
    await waitFor(() => answers.get(flood + 1)?.ok === true, 10_000, 'the next answer');
    ws.close();
  });
});

/** What this test uses of the browser client (renderer/src/lib/bridge-ws.ts, typed for the DOM, not for Node). */
interface WsBridge {
  invoke(name: string, input: unknown): Promise<WireResult<unknown>>;
  onConnection(listener: (state: { kind: string }) => void): () => void;
  close(): void;
}
const bridgeModule = join(import.meta.dirname, '..', '..', 'renderer', 'src', 'lib', 'bridge-ws.ts');

/** The browser client under Node: ws as the WebSocket, with the page's Origin. */
const bridgeTo = async (server: BrowserServer): Promise<WsBridge> => {
  const { wsBridge } = (await import(bridgeModule)) as { wsBridge: (url: string) => WsBridge };
  const origin = `http://127.0.0.1:${server.port}`;
  class PageWebSocket extends WebSocket {
    constructor(url: string) {
      super(url, { headers: { origin } });
    }
  }
  (globalThis as { WebSocket?: unknown }).WebSocket = PageWebSocket;
  return wsBridge(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`);
};

describe('the largest allowed device through browser mode', () => {
  const dir = tempDir();
  let app: App;
  let server: BrowserServer;
  let bridge: WsBridge;
  beforeAll(async () => {
    app = await createApp({
      dataDir: join(dir.path, 'data'),
      shell: 'browser',
      version: 'test',
      logger: silentLogger,
      demo: { enabled: false },
    });
    server = await startBrowserServer({
      router: app.router,
      events: app.events,
      rendererDir: rendererDir(dir.path),
      host: '127.0.0.1',
      port: 0,
    });
    bridge = await bridgeTo(server);
  });
  afterAll(async () => {
    bridge?.close();
    await server?.close();
    await app?.stop();
    delete (globalThis as { WebSocket?: unknown }).WebSocket;
    dir.remove();
  });

  it('saves 100,000 tags (the schema cap) in one call, and answers a message over the limit without closing', async () => {
    const tags = Array.from({ length: 100_000 }, (_, i) => ({
      name: `Area ${i % 40} / Line ${i % 7} / Pump ${String(i).padStart(6, '0')} flow`,
      unit: 'm³/h',
      nodeId: `ns=2;s=Plant.Area${i % 40}.Line${i % 7}.Pump${i}.Flow`,
      browsePath: `/[urn:plc]Plant/[urn:plc]Area${i % 40}/[urn:plc]Line${i % 7}/[urn:plc]Pump${i}/[urn:plc]Flow`,
    }));
    const input = {
      name: 'Whole plant',
      protocol: 'opcua',
      enabled: false,
      settings: { endpointUrl: 'opc.tcp://127.0.0.1:4840' },
      tags,
    };
    const bytes = Buffer.byteLength(JSON.stringify({ t: 'call', id: 1, name: 'devices.save', input }));
    expect(bytes).toBeGreaterThan(16 * 1024 * 1024); // far past the old 1 MiB limit
    let t = performance.now();
    const lap = (what: string): void => {
      console.log(`${what}: ${Math.round(performance.now() - t)} ms`);
      t = performance.now();
    };
    const saved = await bridge.invoke('devices.save', input);
    lap('save');
    expect(saved.ok, JSON.stringify(saved).slice(0, 300)).toBe(true);
    const device = (saved as { ok: true; value: { config: { name: string; tags: unknown[] }; tags: unknown[] } }).value;
    expect(device.config.name).toBe('Whole plant');
    expect(device.config.tags).toHaveLength(100_000);
    expect(device.tags).toHaveLength(100_000);
    expect(app.store?.devices.get(1)?.config.tags).toHaveLength(100_000);

    // Over the limit: a clear answer, and the connection goes on.
    const states: string[] = [];
    bridge.onConnection((s) => states.push(s.kind));
    const huge = await bridge.invoke('devices.save', { ...input, tags: [], name: 'x'.repeat(MAX_CALL_BYTES) });
    expect(huge.ok).toBe(false);
    expect(huge.ok ? null : huge.error.code).toBe('invalid_input');
    expect(huge.ok ? '' : huge.error.message).toMatch(
      /too large to send in one step: 128\.0 MiB, at most 128 MiB\. A device of 100,000 tags fits/,
    );
    lap('huge');
    expect((await bridge.invoke('app.info', {})).ok).toBe(true);
    expect(states).toEqual(['open']);
  }, 120_000);
});
