import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { errorCodes, type Device, type TelemetryPoint } from '../../main/sync/api/model.js';
import { scaledClock, systemClock, type Clock } from '../../main/sync/clock.js';
import {
  TwinEdgeApiError,
  TwinEdgeClient,
  type RequestInfo,
  type TwinEdgeClientOptions,
} from '../../main/sync/client/index.js';
import { waitFor } from '../helpers/wait.js';

/**
 * The client against small real HTTP servers, each scripted to answer what the case needs (the local
 * TwinEdge simulator covers the API as a whole). Time runs on a scaled clock whose sleeps are recorded,
 * so waits are asserted in clock terms and never in wall-clock duration.
 */

const KEY = 'tek_live_9f8e7d6c5b4a39281706f5e4d3c2b1a0';

interface Seen {
  method: string;
  /** Path and query as received. */
  url: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Body bytes as on the wire. */
  raw: Buffer;
  /** Parsed JSON body (gunzipped first when Content-Encoding is gzip). */
  json: unknown;
}

type Reply =
  | { status: number; body?: unknown; text?: string; bytes?: Buffer; headers?: Record<string, string> }
  | 'destroy'
  | 'hang';

interface TestServer {
  baseUrl: string;
  port: number;
  seen: Seen[];
  close(): Promise<void>;
}

const servers: TestServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const startServer = async (script: (req: Seen, n: number) => Reply | Promise<Reply>): Promise<TestServer> => {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const plain = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
      const url = req.url ?? '/';
      const s: Seen = {
        method: req.method ?? '',
        url,
        path: url.split('?')[0] ?? url,
        headers: req.headers,
        raw,
        json: plain.length ? (JSON.parse(plain.toString('utf8')) as unknown) : undefined,
      };
      seen.push(s);
      void Promise.resolve(script(s, seen.length)).then((reply) => {
        if (reply === 'hang') return;
        if (reply === 'destroy') {
          req.socket.destroy();
          return;
        }
        const text = reply.text ?? (reply.body === undefined ? '' : JSON.stringify(reply.body));
        res.writeHead(reply.status, {
          ...(text ? { 'content-type': 'application/json' } : {}),
          ...reply.headers,
        });
        res.end(reply.bytes ?? text);
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const ts: TestServer = {
    baseUrl: `http://127.0.0.1:${port}/v1/`,
    port,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  servers.push(ts);
  return ts;
};

// ---- replies ------------------------------------------------------------------------------------

const ok = (data: unknown, meta?: unknown, headers?: Record<string, string>): Reply => ({
  status: 200,
  body: meta === undefined ? { data } : { data, meta },
  ...(headers ? { headers } : {}),
});

const fail = (
  status: number,
  code: string,
  message = 'refused',
  details?: unknown,
  headers?: Record<string, string>,
): Reply => ({
  status,
  body: { error: { code, message, ...(details === undefined ? {} : { details }) } },
  ...(headers ? { headers } : {}),
});

const device = (id: string): Device => ({
  id,
  name: `Press ${id}`,
  type: 'opcua',
  status: 'online',
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
});

const points = (n: number): TelemetryPoint[] =>
  Array.from({ length: n }, (_, i) => ({
    asset_id: 'press-1',
    tag_name: `Line1.Press.Temperature${i % 7}`,
    timestamp: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
    value: 20 + (i % 13) / 10,
    quality: 'good' as const,
  }));

// ---- clock and client ---------------------------------------------------------------------------

/** A clock running 100× real time that records every sleep that ran to its end (timers cancelled early are not waits). */
const recordingClock = (factor = 100): { clock: Clock; sleeps: number[] } => {
  const inner = scaledClock(factor);
  const sleeps: number[] = [];
  return {
    sleeps,
    clock: {
      now: () => inner.now(),
      sleep: async (ms, signal) => {
        await inner.sleep(ms, signal);
        sleeps.push(ms);
      },
    },
  };
};

const mk = (
  s: TestServer,
  o: Partial<TwinEdgeClientOptions> = {},
): { client: TwinEdgeClient; sleeps: number[]; requests: RequestInfo[] } => {
  const { clock, sleeps } = recordingClock();
  const requests: RequestInfo[] = [];
  const client = new TwinEdgeClient({
    baseUrl: s.baseUrl,
    apiKey: KEY,
    clock,
    // Generous in clock terms (10 min = 6 s real at 100×): only the timeout cases shorten it.
    timeoutMs: 600_000,
    random: () => 1,
    backoff: { baseMs: 1000, capMs: 30_000 },
    onRequest: (i) => requests.push(i),
    ...o,
  });
  return { client, sleeps, requests };
};

const caught = async (p: Promise<unknown>): Promise<TwinEdgeApiError> => {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TwinEdgeApiError);
    return e as TwinEdgeApiError;
  }
  throw new Error('expected the call to fail');
};

// ---- cases --------------------------------------------------------------------------------------

describe('TwinEdgeClient: requests and envelopes', () => {
  it('unwraps the envelope and sends bearer auth, JSON and gzip acceptance', async () => {
    const s = await startServer(() => ok(device('dev-1')));
    const { client } = mk(s);
    expect(await client.getDevice('dev-1')).toMatchObject({
      ...device('dev-1'),
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
    });
    const req = s.seen[0]!;
    expect(req.method).toBe('GET');
    expect(req.path).toBe('/v1/devices/dev-1');
    expect(req.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req.headers.accept).toBe('application/json');
    expect(req.headers['accept-encoding']).toContain('gzip');
  });

  it('encodes ids and query parameters, leaving out unset ones', async () => {
    const s = await startServer(() => ok([], { page: 2, per_page: 50, total: 0 }));
    const { client } = mk(s);
    const page = await client.queryTelemetry({ asset_id: 'press 1', tag_name: 'a/b', page: 2, per_page: 50 });
    expect(page).toEqual({ items: [], meta: { page: 2, per_page: 50, total: 0 } });
    expect(s.seen[0]!.url).toBe('/v1/telemetry?asset_id=press+1&tag_name=a%2Fb&page=2&per_page=50');
    await expect(client.getDevice('x/../y')).rejects.toBeInstanceOf(TwinEdgeApiError);
    expect(s.seen[1]!.path).toBe('/v1/devices/x%2F..%2Fy');
  });

  it('iterates pages until meta.total', async () => {
    const all = Array.from({ length: 45 }, (_, i) => device(`dev-${i}`));
    const s = await startServer((req) => {
      const q = new URL(req.url, 'http://x').searchParams;
      const page = Number(q.get('page') ?? 1);
      const per = Number(q.get('per_page') ?? 20);
      return ok(all.slice((page - 1) * per, page * per), { page, per_page: per, total: all.length });
    });
    const { client } = mk(s);
    const got = await client.listAll((page) => client.listDevices({ page, per_page: 20 }));
    expect(got.map((d) => d.id)).toEqual(all.map((d) => d.id));
    expect(s.seen).toHaveLength(3);
    const sizes: number[] = [];
    for await (const p of client.pages((page) => client.listDevices({ page, per_page: 20 })))
      sizes.push(p.items.length);
    expect(sizes).toEqual([20, 20, 5]);
  });

  it('stops a list whose server never ends', async () => {
    const s = await startServer((req) => {
      const page = Number(new URL(req.url, 'http://x').searchParams.get('page') ?? 1);
      return ok([device(`dev-${page}`)], { page, per_page: 1, total: page + 1 });
    });
    const { client } = mk(s);
    const err = await caught(client.listAll((page) => client.listDevices({ page, per_page: 1 }), { maxPages: 25 }));
    expect(err.kind).toBe('invalid_response');
    expect(s.seen).toHaveLength(25);
  });

  it('accepts DELETE answered 204 or 200 with an envelope', async () => {
    const s = await startServer((_req, n) => (n === 1 ? { status: 204 } : ok({ id: 'dev-1', deleted: true })));
    const { client } = mk(s);
    await client.deleteDevice('dev-1');
    await client.deleteDevice('dev-1');
    expect(s.seen.map((r) => r.method)).toEqual(['DELETE', 'DELETE']);
  });

  it('tolerates a base URL without trailing slash and reads the key per call from a function', async () => {
    const s = await startServer(() => ok([], { page: 1, per_page: 20, total: 0 }));
    let reads = 0;
    const { client } = mk(s, {
      baseUrl: s.baseUrl.replace(/\/$/, ''),
      apiKey: () => {
        reads++;
        return Promise.resolve(KEY);
      },
    });
    await client.listDashboards();
    await client.listModels();
    expect(reads).toBe(2);
    expect(s.seen.map((r) => r.path)).toEqual(['/v1/dashboards', '/v1/ml/models']);
  });

  it('fails with NO_API_KEY, without a request, when no key is set', async () => {
    const s = await startServer(() => ok({}));
    const { client } = mk(s, { apiKey: () => Promise.resolve(null) });
    const err = await caught(client.keyInfo());
    expect(err.code).toBe('NO_API_KEY');
    expect(err.userMessage).toBe('No TwinEdge API key is set: add one in Settings');
    expect(s.seen).toHaveLength(0);
  });

  it('reaches every endpoint at its documented path', async () => {
    const s = await startServer(() => ({ status: 418, body: { error: { code: 'TEAPOT', message: 'x' } } }));
    const { client } = mk(s, { maxRetries: 0 });
    const calls: (() => Promise<unknown>)[] = [
      () => client.keyInfo(),
      () => client.latestTelemetry({ asset_id: 'a' }),
      () => client.createDevice({ name: 'n', type: 'modbus' }),
      () => client.updateDevice('d', { name: 'n', type: 'modbus' }),
      () => client.createDashboard({ name: 'n', widgets: [] }),
      () => client.getDashboard('b'),
      () => client.updateDashboard('b', { name: 'n', widgets: [] }),
      () => client.listAlertRules(),
      () =>
        client.createAlertRule({
          name: 'hot',
          severity: 'warning',
          conditions: [{ tag_name: 't', operator: '>', threshold: 80 }],
        }),
      () => client.listAlertEvents({ status: 'triggered' }),
      () =>
        client.startTraining({
          name: 'm',
          model_type: 'anomaly_detection',
          asset_id: 'a',
          tag_names: ['t'],
          start: 's',
          end: 'e',
        }),
      () => client.getTrainingJob('job-1'),
      () => client.predictions({ asset_id: 'a' }),
    ];
    for (const c of calls) await caught(c());
    expect(s.seen.map((r) => `${r.method} ${r.url}`).sort()).toEqual(
      [
        'GET /v1/auth/key',
        'GET /v1/telemetry/latest?asset_id=a',
        'POST /v1/devices',
        'PUT /v1/devices/d',
        'POST /v1/dashboards',
        'GET /v1/dashboards/b',
        'PUT /v1/dashboards/b',
        'GET /v1/alerts',
        'POST /v1/alerts',
        'GET /v1/alerts/events?status=triggered',
        'POST /v1/ml/training',
        'GET /v1/ml/training/job-1',
        'GET /v1/ml/predictions?asset_id=a',
      ].sort(),
    );
  });
});

describe('TwinEdgeClient: errors', () => {
  const statusOf: Record<string, number> = {
    VALIDATION_ERROR: 400,
    UNAUTHORIZED: 401,
    FORBIDDEN: 403,
    NOT_FOUND: 404,
    RESOURCE_NOT_FOUND: 404,
    CONFLICT: 409,
    PAYLOAD_TOO_LARGE: 413,
    RATE_LIMITED: 429,
    INTERNAL_ERROR: 500,
    SERVICE_UNAVAILABLE: 503,
  };

  it('turns every error code, upper or lower case, into a typed error', async () => {
    const cases = errorCodes.flatMap((code) => [code, code.toLowerCase()]);
    const s = await startServer((req) => {
      const code = decodeURIComponent(req.path.split('/').pop()!);
      return fail(statusOf[code.toUpperCase()]!, code, `said ${code}`);
    });
    const { client } = mk(s, { maxRetries: 0 });
    for (const code of cases) {
      const err = await caught(client.getDevice(code));
      expect(err.kind).toBe('http');
      expect(err.status).toBe(statusOf[code.toUpperCase()]);
      expect(err.code).toBe(code.toUpperCase());
      expect(err.message).toContain(`said ${code}`);
      expect(err.path).toBe(`/devices/${code}`);
    }
    expect(s.seen).toHaveLength(cases.length);
  });

  it('keeps details as an object or as a list of field errors', async () => {
    const s = await startServer((_req, n) =>
      n === 1
        ? fail(404, 'RESOURCE_NOT_FOUND', "Device with ID 'xyz' not found", { id: 'xyz' })
        : fail(400, 'validation_error', 'Invalid body', [{ field: 'name', message: 'is required' }]),
    );
    const { client } = mk(s, { maxRetries: 0 });
    const a = await caught(client.getDevice('xyz'));
    expect(a.details).toEqual({ id: 'xyz' });
    expect(a.userMessage).toBe(
      "TwinEdge does not know this item (404 RESOURCE_NOT_FOUND): Device with ID 'xyz' not found",
    );
    const b = await caught(client.createDevice({ name: '', type: 'opcua' }));
    expect(b.code).toBe('VALIDATION_ERROR');
    expect(b.details).toEqual([{ field: 'name', message: 'is required' }]);
    expect(b.userMessage).toBe(
      'TwinEdge rejected the request (400 VALIDATION_ERROR): Invalid body (name: is required)',
    );
  });

  it('reads a status without an error envelope (a proxy page) as an http error', async () => {
    const s = await startServer(() => ({ status: 502, text: '<html>Bad gateway</html>' }));
    const { client } = mk(s, { maxRetries: 0 });
    const err = await caught(client.keyInfo());
    expect(err).toMatchObject({ kind: 'http', status: 502, code: null });
  });

  it('does not retry 401 or 403', async () => {
    const s = await startServer((_req, n) =>
      n === 1 ? fail(401, 'UNAUTHORIZED', 'Missing or invalid API key') : fail(403, 'FORBIDDEN', 'needs read:assets'),
    );
    const { client, sleeps } = mk(s, { maxRetries: 3 });
    const a = await caught(client.keyInfo());
    expect(a.userMessage).toBe('TwinEdge refused the API key (401 UNAUTHORIZED): check the key in Settings');
    const b = await caught(client.listDevices());
    expect(b.status).toBe(403);
    expect(s.seen).toHaveLength(2);
    expect(sleeps).toEqual([]);
  });

  it('says "connection refused" when nobody listens', async () => {
    const s = await startServer(() => ok({}));
    await s.close();
    const { client } = mk(s, { maxRetries: 0 });
    const err = await caught(client.keyInfo());
    expect(err.kind).toBe('network');
    expect(err.networkCode).toBe('ECONNREFUSED');
    expect(err.userMessage).toBe(`Cannot reach TwinEdge at 127.0.0.1:${s.port}: connection refused`);
  });

  it('reads answers tolerantly, and says what it could not read', async () => {
    const s = await startServer((_req, n) => {
      if (n === 1) return ok({ ...device('dev-1'), status: 'exploded', id: 1001, tenant: 'x', created_at: 1767225600 });
      if (n === 2) return ok({ name: 'no id' });
      if (n === 3) return { status: 200, text: 'not json' };
      if (n === 4) return ok([device('dev-1')]);
      return ok([device('dev-1'), { name: 'no id' }, { ...device('dev-3'), created_at: 5 }], {
        page: 1,
        per_page: 20,
        total: 3,
      });
    });
    const misreads: string[] = [];
    const { client } = mk(s, { onMisread: (m) => misreads.push(`${m.method} ${m.path} ${m.status}: ${m.what}`) });
    // Unknown enum value, numeric id, epoch seconds and an unknown field: read, not refused.
    const a = await client.getDevice('dev-1');
    expect(a).toMatchObject({ id: '1001', status: 'unknown', tenant: 'x', created_at: '2026-01-01T00:00:00.000Z' });
    // Without the one field the app needs, the answer is not understood, naming the field.
    const b = await caught(client.getDevice('dev-1'));
    expect(b.kind).toBe('invalid_response');
    expect(b.details).toEqual({ field: 'data.id' });
    expect((await caught(client.getDevice('dev-1'))).kind).toBe('invalid_response');
    // A list without meta is one page; an item without an id is skipped, the others kept; both are reported.
    expect((await client.listDevices()).items.map((d) => d.id)).toEqual(['dev-1']);
    const d = await client.listDevices();
    expect(d.items.map((x) => [x.id, x.created_at])).toEqual([
      ['dev-1', '2026-01-01T00:00:00.000Z'],
      ['dev-3', '1970-01-01T00:00:05.000Z'],
    ]);
    expect(misreads).toEqual([
      'GET /devices 200: meta: Invalid input: expected object, received undefined',
      'GET /devices 200: 1 of 3 items skipped (first: data[1].id: Invalid input)',
    ]);
    // Not retried: the same answer would come back.
    expect(s.seen).toHaveLength(5);
  });
});

describe('TwinEdgeClient: retries and rate limits', () => {
  it('waits the advised Retry-After on 429, then succeeds', async () => {
    const s = await startServer((_req, n) =>
      n === 1 ? fail(429, 'RATE_LIMITED', 'slow down', undefined, { 'Retry-After': '12' }) : ok(device('dev-1')),
    );
    const { client, sleeps } = mk(s);
    expect((await client.getDevice('dev-1')).id).toBe('dev-1');
    expect(s.seen).toHaveLength(2);
    expect(sleeps).toEqual([12_000]);
  });

  it('tells the engineer when the next request is allowed', async () => {
    const s = await startServer(() => fail(429, 'RATE_LIMITED', 'slow down', undefined, { 'Retry-After': '12' }));
    const { client } = mk(s, { maxRetries: 0 });
    const err = await caught(client.keyInfo());
    expect(err.retryAfterMs).toBe(12_000);
    expect(err.userMessage).toBe('TwinEdge is rate limiting this key: next request allowed in 12 s');
  });

  it('waits for X-RateLimit-Reset on 429 without Retry-After', async () => {
    const { clock } = recordingClock();
    const s = await startServer((_req, n) =>
      n === 1
        ? fail(429, 'RATE_LIMITED', 'slow down', undefined, {
            'X-RateLimit-Limit': '60',
            'X-RateLimit-Remaining': '0',
            'X-RateLimit-Reset': String(Math.ceil((clock.now() + 20_000) / 1000)),
          })
        : ok(device('dev-1')),
    );
    const { client, sleeps } = mk(s);
    await client.getDevice('dev-1');
    expect(s.seen).toHaveLength(2);
    expect(sleeps).toHaveLength(1);
    // 20 s ahead of the server's clock reading, rounded up to the second; the exchange itself takes some clock time.
    expect(sleeps[0]).toBeGreaterThan(10_000);
    expect(sleeps[0]).toBeLessThanOrEqual(21_000);
  });

  it('fails at once when the advised wait is longer than the client will sleep in one call', async () => {
    const s = await startServer(() =>
      fail(429, 'RATE_LIMITED', 'day budget used', undefined, { 'Retry-After': '7200' }),
    );
    const { client, sleeps } = mk(s, { maxRetryAfterMs: 60_000 });
    const err = await caught(client.keyInfo());
    expect(err.retryAfterMs).toBe(7_200_000);
    expect(err.userMessage).toBe('TwinEdge is rate limiting this key: next request allowed in 2 h');
    expect(s.seen).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('retries 5xx with exponential backoff and succeeds on the third attempt', async () => {
    const s = await startServer((_req, n) =>
      n === 1 ? fail(500, 'INTERNAL_ERROR') : n === 2 ? fail(503, 'SERVICE_UNAVAILABLE') : ok(device('dev-1')),
    );
    const { client, sleeps, requests } = mk(s);
    await client.getDevice('dev-1');
    expect(s.seen).toHaveLength(3);
    // random() = 1: the full ceiling, base 1 s doubling.
    expect(sleeps).toEqual([1000, 2000]);
    expect(requests.map((r) => [r.attempt, r.status])).toEqual([
      [1, 500],
      [2, 503],
      [3, 200],
    ]);
    expect(client.stats).toMatchObject({ requests: 1, attempts: 3, retries: 2 });
  });

  it('gives up after maxRetries', async () => {
    const s = await startServer(() => fail(502, 'BAD_GATEWAY'));
    const { client, sleeps } = mk(s, { maxRetries: 2 });
    const err = await caught(client.listDevices());
    expect(err.status).toBe(502);
    expect(s.seen).toHaveLength(3);
    expect(sleeps).toEqual([1000, 2000]);
    const none = mk(s, { maxRetries: 0 }).client;
    await caught(none.listDevices());
    expect(s.seen).toHaveLength(4);
  });

  it('does not repeat POST /devices after a 500 (it may have been created), but does after a 429', async () => {
    const s = await startServer((_req, n) =>
      n === 1
        ? fail(500, 'INTERNAL_ERROR')
        : n === 2
          ? fail(429, 'RATE_LIMITED', 'slow', undefined, { 'Retry-After': '1' })
          : ok(device('dev-9')),
    );
    const { client } = mk(s);
    const err = await caught(client.createDevice({ name: 'Press 9', type: 'opcua' }));
    expect(err.status).toBe(500);
    expect(s.seen).toHaveLength(1);
    expect((await client.createDevice({ name: 'Press 9', type: 'opcua' })).id).toBe('dev-9');
    expect(s.seen).toHaveLength(3);
  });

  it('retries an ingest after a 500 and after a dropped connection with the same Idempotency-Key', async () => {
    const s = await startServer((_req, n) =>
      n === 1 ? fail(500, 'INTERNAL_ERROR') : n === 2 ? 'destroy' : ok({ accepted: 3, rejected: [] }),
    );
    const { client } = mk(s);
    const result = await client.ingest(points(3), { idempotencyKey: 'batch-0001' });
    expect(result).toMatchObject({ accepted: 3, rejected: [], understood: true });
    expect(s.seen.map((r) => r.headers['idempotency-key'])).toEqual(['batch-0001', 'batch-0001', 'batch-0001']);
    expect(s.seen.every((r) => r.path === '/v1/telemetry/ingest')).toBe(true);
    expect(s.seen.map((r) => r.json)).toEqual([1, 2, 3].map(() => ({ data: points(3) })));
  });

  it('updates the rate-limit state from every response, errors included', async () => {
    const reset = 1_767_268_860;
    const rl = (remaining: number): Record<string, string> => ({
      'X-RateLimit-Limit': '300',
      'X-RateLimit-Remaining': String(remaining),
      'X-RateLimit-Reset': String(reset),
      'X-RateLimit-Limit-Day': '10000',
      'X-RateLimit-Remaining-Day': String(remaining + 9000),
      'X-RateLimit-Reset-Day': String(reset + 3600),
    });
    const s = await startServer((_req, n) =>
      n === 1 ? ok(device('dev-1'), undefined, rl(299)) : fail(404, 'NOT_FOUND', 'no', undefined, rl(298)),
    );
    const seen: number[] = [];
    const { client } = mk(s, { onRateLimit: (st) => seen.push(st.remaining ?? -1) });
    expect(client.rateLimit).toBeNull();
    await client.getDevice('dev-1');
    expect(client.rateLimit).toMatchObject({ limit: 300, remaining: 299, resetAt: reset * 1000, dayRemaining: 9299 });
    await caught(client.getDevice('gone'));
    expect(client.rateLimit).toMatchObject({ remaining: 298, dayLimit: 10_000, dayResetAt: (reset + 3600) * 1000 });
    expect(seen).toEqual([299, 298]);
  });
});

describe('TwinEdgeClient: timeouts and cancellation', () => {
  it('gives up on a server that never answers with kind timeout, retrying GETs first', async () => {
    const s = await startServer(() => 'hang');
    // 5 s of clock time = 50 ms real at 100×. Attempts are counted on the client: a first fetch in a fresh
    // process may time out before its request even reaches the server.
    const { client, requests } = mk(s, { timeoutMs: 5000, maxRetries: 1 });
    const err = await caught(client.keyInfo());
    expect(err.kind).toBe('timeout');
    expect(err.userMessage).toBe(`TwinEdge at 127.0.0.1:${s.port} did not answer within 5 s`);
    expect(requests.map((r) => [r.attempt, r.status])).toEqual([
      [1, null],
      [2, null],
    ]);
  });

  it('does not retry a plain POST that timed out (it may have been processed)', async () => {
    const s = await startServer(() => 'hang');
    const { client, requests } = mk(s, { timeoutMs: 5000, maxRetries: 3 });
    expect((await caught(client.createDashboard({ name: 'd', widgets: [] }))).kind).toBe('timeout');
    expect(requests).toHaveLength(1);
    expect(client.stats).toMatchObject({ requests: 1, attempts: 1, retries: 0 });
  });

  it('stops at once when the caller aborts', async () => {
    const s = await startServer(() => 'hang');
    // Wall-clock time: the 30 s default timeout could not fire before the abort.
    const { client } = mk(s, { clock: systemClock, timeoutMs: 30_000 });
    const ac = new AbortController();
    const call = caught(client.listDevices({}, { signal: ac.signal }));
    await waitFor(() => s.seen.length === 1, 5000, 'the request');
    ac.abort();
    const err = await call;
    expect(err.kind).toBe('aborted');
    expect(s.seen).toHaveLength(1);
  });

  it('stops during a backoff wait when the caller aborts', async () => {
    const s = await startServer(() => fail(503, 'SERVICE_UNAVAILABLE', 'busy', undefined, { 'Retry-After': '60' }));
    const { client } = mk(s, { clock: systemClock });
    const ac = new AbortController();
    const call = caught(client.keyInfo({ signal: ac.signal }));
    await waitFor(() => s.seen.length === 1, 5000, 'the request');
    ac.abort();
    expect((await call).kind).toBe('aborted');
    expect(s.seen).toHaveLength(1);
  });
});

describe('TwinEdgeClient: ingest', () => {
  it('gzips a large batch; the server decompresses it to the same JSON', async () => {
    const s = await startServer(() => ok({ accepted: 500, rejected: [] }));
    const { client } = mk(s);
    const batch = points(500);
    await client.ingest(batch, { idempotencyKey: 'k-1' });
    const req = s.seen[0]!;
    expect(req.headers['content-encoding']).toBe('gzip');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.json).toEqual({ data: batch });
    expect(req.raw.length).toBeLessThan(Buffer.byteLength(JSON.stringify({ data: batch })) / 4);
    expect(client.stats.bytesSent).toBe(req.raw.length);
  });

  it('sends small bodies uncompressed', async () => {
    const s = await startServer(() => ok(device('dev-1')));
    const { client } = mk(s);
    await client.createDevice({ name: 'Press 1', type: 'opcua' });
    const req = s.seen[0]!;
    expect(req.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(req.raw.toString('utf8'))).toEqual({ name: 'Press 1', type: 'opcua' });
    expect(client.stats.bytesSent).toBe(req.raw.length);
    expect(client.stats.bytesReceived).toBe(Buffer.byteLength(JSON.stringify({ data: device('dev-1') })));
  });

  it('reads a gzip-compressed answer, counting the bytes on the wire', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => ({
      timestamp: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
      asset_id: 'press-1',
      tag_name: 'Line1.Press.Temperature',
      value: i,
      quality: 'good',
    }));
    const bytes = gzipSync(Buffer.from(JSON.stringify({ data: rows })));
    const s = await startServer(() => ({
      status: 200,
      bytes,
      headers: {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'content-length': String(bytes.length),
      },
    }));
    const { client } = mk(s);
    expect(await client.latestTelemetry({})).toEqual(rows);
    expect(client.stats.bytesReceived).toBe(bytes.length);
  });

  it('falls back once to POST /telemetry when /telemetry/ingest is unknown, and remembers it', async () => {
    const s = await startServer((req) =>
      req.path === '/v1/telemetry/ingest' ? fail(404, 'NOT_FOUND', 'no route') : ok({ accepted: 2, rejected: [] }),
    );
    const { client } = mk(s);
    expect(await client.ingest(points(2), { idempotencyKey: 'k-1' })).toMatchObject({ accepted: 2, rejected: [] });
    expect(await client.ingest(points(2), { idempotencyKey: 'k-2' })).toMatchObject({ accepted: 2, rejected: [] });
    expect(s.seen.map((r) => `${r.path} ${String(r.headers['idempotency-key'])}`)).toEqual([
      '/v1/telemetry/ingest k-1',
      '/v1/telemetry k-1',
      '/v1/telemetry k-2',
    ]);
  });

  it('counts requests and attempts separately', async () => {
    const s = await startServer((_req, n) =>
      n === 2 ? fail(500, 'INTERNAL_ERROR') : ok({ accepted: 1, rejected: [] }),
    );
    const { client } = mk(s);
    await client.ingest(points(1), { idempotencyKey: 'a' });
    await client.ingest(points(1), { idempotencyKey: 'b' });
    expect(client.stats).toMatchObject({ requests: 2, attempts: 3, retries: 1 });
    expect(client.stats.bytesSent).toBe(s.seen.reduce((n, r) => n + r.raw.length, 0));
  });
});

describe('TwinEdgeClient: the API key stays secret', () => {
  it('never puts the key in an error, a log record or the stats', async () => {
    const s = await startServer((req) => {
      // A careless server echoing the Authorization header back.
      const auth = String(req.headers.authorization);
      if (req.path.endsWith('/auth/key')) return fail(401, 'UNAUTHORIZED', `bad key ${auth}`, { got: auth });
      if (req.path.endsWith('/devices'))
        return fail(400, 'validation_error', `no ${auth}`, [{ field: auth, message: auth }]);
      return ok({ weird: auth });
    });
    const { client, requests } = mk(s, { maxRetries: 0 });
    const errors = [
      await caught(client.keyInfo()),
      await caught(client.createDevice({ name: 'n', type: 'opcua' })),
      await caught(client.getDevice('x')),
    ];
    await s.close();
    errors.push(await caught(client.keyInfo()));
    const hang = await startServer(() => 'hang');
    errors.push(await caught(mk(hang, { timeoutMs: 1000, maxRetries: 0 }).client.keyInfo()));
    expect(errors.map((e) => e.kind)).toEqual(['http', 'http', 'invalid_response', 'network', 'timeout']);
    for (const e of errors) {
      for (const text of [e.message, e.userMessage, e.stack ?? '', JSON.stringify(e), inspect(e, { depth: 10 })]) {
        expect(text).not.toContain(KEY);
      }
    }
    expect(errors[0]!.message).toContain('[redacted]');
    expect(JSON.stringify(requests)).not.toContain(KEY);
    expect(JSON.stringify(client.stats)).not.toContain(KEY);
    expect(inspect(client, { depth: 10 })).not.toContain(KEY);
  });
});
