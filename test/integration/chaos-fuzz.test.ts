import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket, type RawData } from 'ws';
import { callNames, type ServerMessage } from '../../main/contract/wire.js';
import { type ErrorCode } from '../../main/domain/errors/error-code.js';
import { DeviceInput } from '../../main/domain/device/device-schema.js';
import type { Sample } from '../../main/domain/sample/sample.js';
import { Store } from '../../main/store/store.js';
import { ContractFuzzer, DEEP, Rng, badCallNames } from '../helpers/contract-fuzz.js';
import { freePort } from '../helpers/free-port.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const root = new URL('../..', import.meta.url).pathname;
const script = join(root, 'test/fixtures/browser-app.ts');

/** How many calls (messages with an id) and how many protocol-breaking frames are sent. */
const CALLS = 5000;
const BREAKERS = 160;
const SEED = 8_2026;
/** Client connections sending at the same time. */
const WORKERS = 8;

const knownCodes = new Set<ErrorCode>([
  'invalid_input',
  'unknown_call',
  'not_found',
  'conflict',
  'store_unavailable',
  'unavailable',
  'device_error',
  'internal',
]);

/** Devices the fuzzer must never delete or edit: their samples are counted before and after. */
const seedStore = (path: string, closedPort: number): void => {
  const store = Store.open(path);
  try {
    const t0 = Date.now() - 3_600_000;
    for (let d = 0; d < 3; d++) {
      const device =
        d < 2
          ? store.devices.save(
              DeviceInput.parse({
                name: `Kept PLC ${d}`,
                protocol: 'modbus',
                enabled: false,
                settings: { host: '127.0.0.1', port: closedPort },
                tags: Array.from({ length: 10 }, (_, i) => ({
                  name: `TT${i}`,
                  area: 'holding',
                  address: i * 2,
                  dataType: 'float32',
                })),
              }),
            )
          : store.devices.save(
              DeviceInput.parse({
                name: 'Kept OPC UA server',
                protocol: 'opcua',
                enabled: false,
                settings: { endpointUrl: `opc.tcp://127.0.0.1:${closedPort}` },
                tags: Array.from({ length: 10 }, (_, i) => ({ name: `FT${i}`, nodeId: `ns=2;s=Flow${i}` })),
              }),
            );
      const batch: Sample[] = [];
      for (const tag of device.tags) {
        for (let k = 0; k < 200; k++) batch.push({ tagId: tag.id, ts: t0 + k * 1000, value: k / 10, quality: 0 });
      }
      store.writeSamples(batch, null);
    }
  } finally {
    store.close();
  }
};

interface Snapshot {
  devices: string[];
  samplesPerTag: Map<number, number>;
}

const snapshot = (store: Store, ids: ReadonlySet<number>): Snapshot => {
  const devices = store.devices.list().filter((d) => ids.has(d.id));
  const samplesPerTag = new Map<number, number>();
  for (const d of devices) {
    for (const t of d.tags)
      samplesPerTag.set(t.id, store.samples.history(t.id, 0, Number.MAX_SAFE_INTEGER, 1e8).ts.length);
  }
  return { devices: devices.map((d) => JSON.stringify(d.config)), samplesPerTag };
};

const startChild = async (args: string[]): Promise<{ child: ChildProcess; url: string; output: () => string }> => {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /URL (\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
    child.once('exit', (code) => reject(new Error(`app exited (${code}): ${out}`)));
  });
  return { child, url, output: () => out };
};

/** The contract boundary, attacked from a browser-mode client: typed answers only, the app stays up, data intact. */
describe('chaos: contract fuzzing over the real WebSocket', () => {
  const dir = tempDir('twinedge-fuzz-');
  const renderer = tempDir('twinedge-fuzz-ui-');
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    dir.remove();
    renderer.remove();
  });

  it(`answers ${CALLS} random and malformed calls with values or typed errors, stays up, keeps the data`, async () => {
    const closedPort = await freePort();
    const storePath = join(dir.path, 'twinedge.sqlite');
    seedStore(storePath, closedPort);
    const before = Store.open(storePath);
    const keptIds = new Set(before.devices.list().map((d) => d.id));
    const initialDevices = before.devices.count();
    const kept = snapshot(before, keptIds);
    before.close();
    expect([...kept.samplesPerTag.values()].reduce((a, b) => a + b, 0)).toBe(6000);

    writeFileSync(join(renderer.path, 'index.html'), '<!doctype html><title>TwinEdge</title>');
    const app = await startChild([dir.path, renderer.path, `http://127.0.0.1:${closedPort}`]);
    child = app.child;
    const base = new URL(app.url).origin;
    const cookie = ((await fetch(app.url)).headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const wsUrl = `${base.replace('http', 'ws')}/ws`;

    // Found by this test: a test read of a device that refuses connections was an 'internal' error.
    const refused = await new Promise<ServerMessage>((resolve, reject) => {
      const ws = new WebSocket(wsUrl, { headers: { origin: base, cookie } });
      ws.once('error', reject);
      ws.once('open', () =>
        ws.send(
          JSON.stringify({
            t: 'call',
            id: 1,
            name: 'modbus.testRead',
            input: {
              settings: { host: '127.0.0.1', port: closedPort, timeoutMs: 200, retries: 0 },
              tag: { name: 'x', area: 'holding', address: 0 },
            },
          }),
        ),
      );
      ws.on('message', (raw: RawData) => {
        const msg = JSON.parse((raw as Buffer).toString('utf8')) as ServerMessage;
        if (msg.t === 'result') {
          ws.close();
          resolve(msg);
        }
      });
    });
    expect(refused).toMatchObject({ result: { ok: false, error: { code: 'device_error' } } });
    if (refused.t === 'result' && !refused.result.ok) {
      expect(refused.result.error.message).toMatch(/^Cannot connect to 127\.0\.0\.1:\d+/);
      expect(refused.result.error.message).not.toMatch(/retrying/);
    }

    const started = Date.now();
    const rng = new Rng(SEED);
    const fuzz = new ContractFuzzer(rng, { closedPort });
    const byCode = new Map<string, number>();
    const byCall = new Map<string, { ok: number; error: number }>();
    const closeCodes = new Map<number, number>();
    /** Slowest answer per call name, ms (reported, never asserted). */
    const slowest = new Map<string, number>();
    const problems: string[] = [];
    let created = 0;
    let deleted = 0;
    let sent = 0;
    let answered = 0;
    let breakers = 0;
    let connections = 0;
    let maxMessage = 0;
    let nextId = 1;

    /** A device the store accepts (the schema's generator rarely meets every refinement at once). */
    const validDevice = (): unknown => ({
      ...(rng.chance(0.3) ? { id: rng.int(1, 80) } : {}),
      name: `Fuzz ${rng.string(12, 'abcdefgh0123')} ${nextId}`,
      protocol: 'modbus',
      enabled: rng.chance(0.3),
      settings: { host: '127.0.0.1', port: closedPort, pollIntervalMs: rng.int(200, 5000), reconnectMaxDelayMs: 5000 },
      tags: Array.from({ length: rng.int(0, 5) }, (_, i) => ({
        name: `T${i}`,
        area: rng.pick(['holding', 'input', 'coil', 'discrete']),
        address: rng.int(0, 9999),
      })),
    });

    /** A call frame: sometimes negative or huge ids, sometimes no input, deeply nested values spliced in. */
    const callFrame = (): { id: number; name: unknown; text: string; input: unknown } => {
      const n = nextId++;
      const id = rng.chance(0.1) ? -n : rng.chance(0.1) ? Number.MAX_SAFE_INTEGER - n : n;
      const target = rng.pick(callNames);
      const r = rng.next();
      let name: unknown = target;
      let input: unknown;
      if (target === 'devices.save' && r < 0.5) input = validDevice();
      else if (target === 'devices.delete' && r < 0.5) input = { id: rng.int(4, 24) };
      else if (r < 0.4) input = fuzz.validLooking(target);
      else if (r < 0.62) input = fuzz.mutated(target);
      else if (r < 0.7) input = fuzz.withExtraKey(fuzz.validLooking(target));
      else if (r < 0.78) input = fuzz.randomJson();
      else if (r < 0.86) {
        name = rng.pick(badCallNames(rng));
        input = fuzz.validLooking(target);
      } else if (r < 0.9) input = undefined;
      else input = rng.chance(0.5) ? { tagIds: DEEP } : DEEP;
      // The kept devices are the yardstick for "data intact": the fuzzer may delete or edit any other.
      if ((name === 'devices.delete' || name === 'devices.save') && input && typeof input === 'object') {
        const o = input as { id?: unknown };
        if (typeof o.id === 'number' && keptIds.has(o.id)) o.id += 1000;
      }
      const depth = rng.pick([64, 5000, 100_000]);
      const text = JSON.stringify({ t: 'call', id, name, ...(input === undefined ? {} : { input }) }).replace(
        JSON.stringify(DEEP),
        '['.repeat(depth) + ']'.repeat(depth),
      );
      return { id, name, text, input };
    };

    /** Frames that are not calls: the server closes the socket (1003, or 1009 when too big). */
    const breaker = (): string | Buffer => {
      const frames: (string | Buffer)[] = [
        'not json',
        '{"t":"call","id":1,"name":"app.info","input":NaN}',
        '{"t":"call","id":2,"name":"app.info","input":Infinity}',
        '{',
        '',
        'null',
        '[]',
        '42',
        '"call"',
        '{"t":"call","name":"app.info","input":{}}',
        '{"t":"call","id":"7","name":"app.info"}',
        '{"t":"call","id":1.5,"name":"app.info"}',
        '{"t":"call","id":1e20,"name":"app.info"}',
        '{"id":3,"name":"app.info"}',
        '{"t":"result","id":4,"result":{"ok":true}}',
        '{"__proto__":{"t":"call"},"id":5,"name":"app.info"}',
        Buffer.from(Array.from({ length: rng.int(1, 64) }, () => rng.int(0, 255))),
        Buffer.from('{"t":"call","id":6,"name":"app.info","input":{}}'),
        'x'.repeat(1_100_000),
        '['.repeat(300_000) + ']'.repeat(300_000),
      ];
      return rng.pick(frames);
    };

    const open = (): Promise<WebSocket> =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(wsUrl, { headers: { origin: base, cookie }, maxPayload: 64 * 1024 * 1024 });
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
      });

    // All frames are drawn up front from the seed; WORKERS connections then send them concurrently.
    interface Batch {
      calls: ReturnType<typeof callFrame>[];
      breaker: string | Buffer | null;
    }
    const plan: Batch[] = [];
    for (let planned = 0, broken = 0; planned < CALLS || broken < BREAKERS;) {
      const size = Math.min(rng.int(0, 60), CALLS - planned);
      const calls = Array.from({ length: size }, () => callFrame());
      planned += size;
      plan.push({ calls, breaker: broken < BREAKERS ? breaker() : null });
      if (broken < BREAKERS) broken++;
    }

    const runBatch = async ({ calls: frames, breaker: frame }: Batch): Promise<void> => {
      const ws = await open();
      connections++;
      const pending = new Map<number, { name: unknown; input: unknown; at: number }>();
      const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
      ws.on('message', (raw: RawData) => {
        const text = (raw as Buffer).toString('utf8');
        const msg = JSON.parse(text) as ServerMessage;
        if (msg.t !== 'result') return;
        const call = pending.get(msg.id);
        if (!call) {
          problems.push(`answer to unknown or already answered id ${msg.id}`);
          return;
        }
        pending.delete(msg.id);
        answered++;
        const label =
          typeof call.name === 'string' && callNames.includes(call.name as never) ? call.name : '(bad name)';
        slowest.set(String(label), Math.max(slowest.get(String(label)) ?? 0, Date.now() - call.at));
        const counts = byCall.get(label) ?? { ok: 0, error: 0 };
        byCall.set(label, counts);
        if (msg.result.ok) {
          counts.ok++;
          byCode.set('ok', (byCode.get('ok') ?? 0) + 1);
          if (call.name === 'devices.delete') deleted++;
          if (call.name === 'devices.save' && (call.input as { id?: unknown }).id === undefined) created++;
          return;
        }
        counts.error++;
        const { code, message } = msg.result.error;
        byCode.set(code, (byCode.get(code) ?? 0) + 1);
        maxMessage = Math.max(maxMessage, message.length);
        if (!knownCodes.has(code) || code === 'internal') problems.push(`${String(label)}: ${code}: ${message}`);
        if (
          typeof message !== 'string' ||
          /\n\s+at |node_modules|\/work\/|file:\/\//.test(message) ||
          message.includes(root)
        ) {
          problems.push(`${String(label)}: ${code} leaks internals: ${message.slice(0, 300)}`);
        }
      });

      for (const call of frames) {
        pending.set(call.id, { name: call.name, input: call.input, at: Date.now() });
        ws.send(call.text);
        sent++;
      }
      await waitFor(() => pending.size === 0, 60_000, `answers to ${pending.size} calls`).catch(() => {
        problems.push(
          `no answer to ${pending.size} calls: ${[...pending.values()].map((p) => String(p.name)).join(', ')}`,
        );
        pending.clear();
      });
      if (frame !== null) {
        breakers++;
        ws.send(frame, { binary: Buffer.isBuffer(frame) });
        const code = await Promise.race([closed, new Promise<number>((r) => setTimeout(() => r(-1), 10_000))]);
        if (code === -1) {
          problems.push(`socket left open after ${String(frame).slice(0, 60)}`);
          ws.terminate();
        }
        closeCodes.set(code, (closeCodes.get(code) ?? 0) + 1);
      } else {
        ws.close();
        await closed;
      }
    };
    const planned = Date.now();
    const queue = [...plan];
    await Promise.all(
      Array.from({ length: WORKERS }, async () => {
        for (let batch = queue.shift(); batch; batch = queue.shift()) await runBatch(batch);
      }),
    );

    const sentAll = Date.now();
    // Still up, still serving, still the same data.
    expect(app.child.exitCode).toBe(null);
    const ws = await open();
    const list = await new Promise<ServerMessage>((resolve) => {
      ws.on('message', (raw: RawData) => {
        const msg = JSON.parse((raw as Buffer).toString('utf8')) as ServerMessage;
        if (msg.t === 'result') resolve(msg);
      });
      ws.send(JSON.stringify({ t: 'call', id: 1, name: 'devices.list', input: {} }));
    });
    ws.close();
    expect(list).toMatchObject({ t: 'result', id: 1, result: { ok: true } });

    const exited = new Promise<number | null>((r) => app.child.once('exit', (code) => r(code)));
    app.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(app.output()).toContain('PROTO ok');

    const after = Store.open(storePath);
    try {
      expect(after.database.pragma('integrity_check', { simple: true })).toBe('ok');
      const now = snapshot(after, keptIds);
      expect(now.devices).toEqual(kept.devices);
      expect(now.samplesPerTag).toEqual(kept.samplesPerTag);
      expect(after.devices.count()).toBe(initialDevices + created - deleted);
    } finally {
      after.close();
    }

    console.log(`phases: plan ${planned - started} ms, send ${sentAll - planned} ms, check ${Date.now() - sentAll} ms`);
    const internalLogs = app
      .output()
      .split('\n')
      .filter((l) => l.startsWith('LOG error Call '));
    console.log(
      `contract fuzz (seed ${SEED}): ${sent} calls over ${connections} connections, ${answered} answered, ` +
        `${breakers} protocol-breaking frames (close codes ${JSON.stringify(Object.fromEntries(closeCodes))}), ` +
        `results ${JSON.stringify(Object.fromEntries([...byCode].sort((a, b) => b[1] - a[1])))}, ` +
        `devices created ${created} deleted ${deleted}, longest error message ${maxMessage} chars; ` +
        `never accepted: ${callNames.filter((n) => !byCall.get(n)?.ok).join(' ')}; slowest: ${[...slowest]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 5)
          .map(([n, ms]) => `${n} ${ms} ms`)
          .join(', ')}`,
    );
    expect(problems.slice(0, 20)).toEqual([]);
    expect(internalLogs.slice(0, 5)).toEqual([]);
    expect(answered).toBe(sent);
    expect(sent).toBeGreaterThanOrEqual(CALLS);
    expect([...closeCodes.keys()].every((c) => c === 1003 || c === 1009)).toBe(true);
    // Every call name was exercised, most with some accepted input.
    expect(callNames.filter((n) => !byCall.has(n))).toEqual([]);
  }, 180_000);
});
