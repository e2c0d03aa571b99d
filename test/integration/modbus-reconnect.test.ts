import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../main/app/create-app.js';
import { ModbusTcpClient } from '../../main/collect/modbus/client.js';
import { createTransport } from '../../main/collect/modbus/create-transport.js';
import { ModbusLines } from '../../main/collect/modbus/line-registry.js';
import { ModbusCollector } from '../../main/collect/modbus/modbus-collector.js';
import { withoutRetry } from '../../main/collect/retry-text.js';
import { StatusCodes } from '../../main/domain/sample/status-codes.js';
import { type CollectorState } from '../../main/collect/types.js';
import type { Logger } from '../../main/log/logger.js';
import { collectorDevice, Recorder } from '../helpers/device.js';
import { startPyModbus } from '../helpers/pymodbus.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Peers that accept the TCP connection but are not (or not yet) a Modbus device: the line backs off instead of
 * reconnecting as fast as it can, its state says what the peer sent, and it stays "error" across the attempts
 * (every state change is a log line).
 */

interface Listener {
  port: number;
  /** Connections accepted so far. */
  accepted(): number;
  close(): Promise<void>;
}

/** A TCP listener on 127.0.0.1 that answers whatever it receives with `reply` and then closes (an HTTP server). */
const listen = async (onSocket: (s: Socket) => void): Promise<Listener> => {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((s) => {
    accepted++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    onSocket(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    accepted: () => accepted,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
};

const httpLike = (): Promise<Listener> =>
  listen((s) => s.on('data', () => s.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n')));

/** The states as the app sees them: a report that repeats the current state is not a change. */
const changes = (rec: Recorder): CollectorState[] =>
  rec.states.filter((s, i, all) => i === 0 || s.state !== all[i - 1]!.state || s.message !== all[i - 1]!.message);

const device = (port: number, name = 'press 4') =>
  collectorDevice({
    name,
    protocol: 'modbus',
    settings: { host: '127.0.0.1', port, unitId: 1, pollIntervalMs: 100, timeoutMs: 1000, reconnectMaxDelayMs: 500 },
    tags: [
      { name: 'a', area: 'holding', address: 0, dataType: 'float32' },
      { name: 'b', area: 'holding', address: 8, dataType: 'int16' },
    ],
  });

describe('Modbus reconnects', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    while (cleanup.length) await cleanup.pop()!();
  });

  it('backs off from a peer that answers garbage, and the state says what it sent', async () => {
    const peer = await httpLike();
    cleanup.push(() => peer.close());
    // A short first delay (50 ms) and cap (500 ms): storms and backoff both show within a few seconds.
    const lines = new ModbusLines(createTransport, { reconnectInitialMs: 50 });
    cleanup.push(() => lines.closeAll());
    const rec = new Recorder();
    const c = new ModbusCollector(device(peer.port), rec, { lines });
    cleanup.push(() => c.stop());
    c.start();
    await waitFor(() => rec.state?.state === 'error', 10_000, 'error state');
    const started = Date.now();
    await new Promise((r) => setTimeout(r, 3000));
    const seconds = (Date.now() - started) / 1000;
    // Backoff 50, 100, 200, 400, then 500 ms (+20 % jitter): about 7 attempts in 3 s. Reset on every TCP connect
    // (as before) it was one attempt per ~60 ms.
    expect(peer.accepted()).toBeGreaterThanOrEqual(3);
    expect(peer.accepted() / seconds).toBeLessThan(4);
    expect(rec.state?.message).toMatch(
      new RegExp(
        `^not Modbus: 127\\.0\\.0\\.1:${peer.port} answered with protocol id 21584 \\(Modbus TCP sends 0\\) — ` +
          `it sent text \\("HTTP/1\\.1 400 Bad Request"\\): another service may be listening on this port — ` +
          `retrying in [\\d.]+ s \\(\\d+ attempts failed\\)$`,
      ),
    );
    // Once in error it stays there: no connecting/connected on each attempt, and one message but for the countdown.
    const states = changes(rec);
    const fromError = states.slice(states.findIndex((s) => s.state === 'error'));
    expect(new Set(fromError.map((s) => `${s.state}|${withoutRetry(s.message ?? '')}`)).size).toBe(1);
    // Nothing good was stored from garbage: every sample is Bad with no value.
    expect(rec.samples()).toBeGreaterThan(0);
    for (const b of rec.batches) for (const s of b) expect(s).toMatchObject({ value: null });
    expect(rec.batches.flat().every((s) => s.quality !== StatusCodes.Good)).toBe(true);
  });

  it('logs a garbage peer once, not once per attempt', async () => {
    const peer = await httpLike();
    cleanup.push(() => peer.close());
    const dir = tempDir();
    cleanup.push(() => dir.remove());
    const lines: string[] = [];
    const keep =
      (level: string) =>
      (msg: string): void => {
        lines.push(`${level} ${msg}`);
      };
    const logger: Logger = { debug: () => {}, info: keep('info'), warn: keep('warn'), error: keep('error') };
    const app = await createApp({
      dataDir: dir.path,
      shell: 'browser',
      version: 'test',
      logger,
      demo: { enabled: false },
      statusIntervalMs: 200,
    });
    cleanup.push(() => app.stop());
    const saved = await app.router.invoke('devices.save', device(peer.port, 'garbage peer').config);
    expect(saved.ok).toBe(true);
    await waitFor(() => lines.some((l) => /Device "garbage peer": error — not Modbus/.test(l)), 10_000, 'error line');
    // Default backoff (0.5 s doubling to the 0.5 s cap set here): several attempts in 3 s.
    await new Promise((r) => setTimeout(r, 3000));
    expect(peer.accepted()).toBeGreaterThanOrEqual(3);
    const deviceLines = lines.filter((l) => l.includes('Device "garbage peer":'));
    // The first connect looked fine ("connected"), then the peer showed it is not Modbus: two lines in all.
    expect(deviceLines).toEqual([
      'info Device "garbage peer": connected.',
      expect.stringMatching(/^warn Device "garbage peer": error — not Modbus: .* protocol id 21584 .* retrying in/),
    ]);
  });

  it('says "lost" once when a device goes away, stays in error while it is refused, then connects again', async () => {
    const py = await startPyModbus();
    let pyStop = (): Promise<void> => py.stop();
    cleanup.push(() => pyStop());
    const lines = new ModbusLines(createTransport, { reconnectInitialMs: 50 });
    cleanup.push(() => lines.closeAll());
    const rec = new Recorder();
    const c = new ModbusCollector(device(py.port), rec, { lines });
    cleanup.push(() => c.stop());
    c.start();
    await waitFor(() => rec.latest().get(1)?.quality === StatusCodes.Good, 15_000, 'first good sample');
    await py.stop();
    await waitFor(() => changes(rec).filter((s) => s.state === 'error').length >= 4, 10_000, 'four refused retries');
    const states = changes(rec);
    const lost = states.filter((s) => /lost/.test(s.message ?? ''));
    expect(lost).toHaveLength(1);
    expect(lost[0]).toMatchObject({ state: 'connecting' });
    expect(lost[0]!.message).toMatch(/^connection to 127\.0\.0\.1:\d+ lost \(closed by the device\) — reconnecting$/);
    // The retries that never connected are errors saying why, not "connecting ... lost" again.
    const after = states.slice(states.indexOf(lost[0]!) + 1);
    expect(after.every((s) => s.state === 'error' && /: connection refused — retrying in /.test(s.message ?? ''))).toBe(
      true,
    );

    const py2 = await startPyModbus(py.port);
    pyStop = () => py2.stop();
    const before = rec.batches.length;
    await waitFor(() => rec.batches.length > before && rec.state?.state === 'connected', 15_000, 'connected again');
    expect(rec.state?.message).toMatch(/^answering again after \d+ failed attempts$/);
    expect(rec.latest().get(2)).toMatchObject({ quality: StatusCodes.Good });
  });

  it('closes on an answer to a transaction id it never asked', async () => {
    // Echoes each request's MBAP header with another transaction id and a valid read answer.
    const peer = await listen((s) =>
      s.on('data', (req: Buffer) => {
        const res = Buffer.from([0, 0, 0, 0, 0, 5, req[6]!, 3, 2, 0, 42]);
        res.writeUInt16BE((req.readUInt16BE(0) + 1000) & 0xffff, 0);
        s.write(res);
      }),
    );
    cleanup.push(() => peer.close());
    const client = new ModbusTcpClient({ host: '127.0.0.1', port: peer.port, connectTimeoutMs: 1000 });
    cleanup.push(() => client.close());
    await client.connect();
    const closed = new Promise<[string, boolean?]>((r) => client.once('close', (...a) => r(a)));
    await expect(client.request(1, { fc: 3, address: 0, quantity: 1 }, 1000)).rejects.toThrow(
      /answered with a transaction id that was never asked \(1001\)/,
    );
    expect(await closed).toEqual([
      `not Modbus: 127.0.0.1:${peer.port} answered with a transaction id that was never asked (1001)`,
      true,
    ]);
  });
});
