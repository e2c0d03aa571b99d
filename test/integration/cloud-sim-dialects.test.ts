import { afterEach, describe, expect, it } from 'vitest';
import { scaledClock } from '../../main/sync/clock.js';
import { call, data, point, pumpTraining, type Reply } from '../helpers/sim-call.js';
import { validateExchange } from '../helpers/openapi.js';
import { waitFor } from '../helpers/wait.js';
import { dialects, startCloudSim, type CloudSim, type CloudSimOptions, type Dialect } from '../sim/cloud/index.js';

// The answers that tell the simulator's dialects apart, over real HTTP. Only 'ours' is held to the OpenAPI
// document: the other dialects exist to differ from it.
let problems: string[] = [];
let running: CloudSim[] = [];

const start = async (dialect: Dialect, options: CloudSimOptions = {}): Promise<CloudSim> => {
  const sim = await startCloudSim({
    ...options,
    dialect,
    ...(dialect === 'ours' ? { onExchange: (ex) => problems.push(...validateExchange(ex)) } : {}),
  });
  running.push(sim);
  return sim;
};

afterEach(async () => {
  await Promise.all(running.map((s) => s.close()));
  running = [];
  const found = problems;
  problems = [];
  expect(found).toEqual([]);
});

type Obj = Record<string, unknown>;
const error = (r: Reply): { code: string; message: string; details?: unknown } =>
  (r.body as { error: { code: string; message: string; details?: unknown } }).error;

// Matchers typed as unknown: vitest's asymmetric matchers are `any`.
const anyString: unknown = expect.any(String);
const anyNumber: unknown = expect.any(Number);
const containing = (fields: Obj): unknown => expect.objectContaining(fields) as unknown;

const press = { name: 'Press 4', type: 'modbus', external_id: 'local-1' };

describe('cloud simulator dialects: shared by all', () => {
  it('defaults to ours and refuses an unknown dialect', async () => {
    const sim = await startCloudSim();
    running.push(sim);
    expect(sim.dialect).toBe('ours');
    await expect(startCloudSim({ dialect: 'fancy' as Dialect })).rejects.toThrow(/unknown dialect 'fancy'/);
  });

  it.each(dialects)(
    '%s: ingest via POST /telemetry stores once per Idempotency-Key, with rate-limit headers',
    async (d) => {
      const sim = await start(d, { keys: [{ key: 'te_k', tier: 'trial', scopes: ['admin'] }] });
      const batch = { data: [point(1), point(2)] };
      const first = await call(sim, 'te_k', 'POST', '/telemetry', batch, { 'idempotency-key': 'b-1' });
      const again = await call(sim, 'te_k', 'POST', '/telemetry', batch, { 'idempotency-key': 'b-1' });
      expect([200, 202]).toContain(first.status);
      expect(again.status).toBe(first.status);
      expect(again.text).toBe(first.text);
      expect(first.headers.get('x-ratelimit-limit')).toBe('60');
      expect(again.headers.get('x-ratelimit-remaining')).toBe('58');
      const other = await call(sim, 'te_k', 'POST', '/telemetry', { data: [point(3)] }, { 'idempotency-key': 'b-1' });
      expect(other.status).toBe(409);
      expect(error(other).code.toUpperCase()).toBe('CONFLICT');
      expect(sim.stats()).toMatchObject({ pointsStored: 2, duplicatePoints: 0, replayed: 1 });
    },
  );

  it.each(dialects)(
    '%s: createDevice inserts past scopes and is not counted as a POST /devices creation',
    async (d) => {
      const sim = await start(d);
      const device = sim.createDevice({ name: 'Kiln', type: 'opcua' });
      expect(sim.devices()).toEqual([device]);
      expect(sim.stats().devicesCreated).toBe(0);
    },
  );
});

describe('cloud simulator dialect ours', () => {
  it('replays POST /devices for the same Idempotency-Key and body, 409 for another body, 409 for a taken name', async () => {
    const sim = await start('ours');
    const k = sim.defaultKey;
    const first = await call(sim, k, 'POST', '/devices', press, { 'idempotency-key': 'dev-1' });
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const replay = await call(sim, k, 'POST', '/devices', press, { 'idempotency-key': 'dev-1' });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);
    const other = await call(sim, k, 'POST', '/devices', { ...press, name: 'Press 5' }, { 'idempotency-key': 'dev-1' });
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ error: { code: 'CONFLICT', details: { idempotency_key: 'dev-1' } } });
    const twin = await call(sim, k, 'POST', '/devices', press);
    expect(twin.status).toBe(409);
    expect(twin.body).toMatchObject({ error: { code: 'CONFLICT', details: { existing_id: data(first).id } } });
    expect(data(first)).toMatchObject({ status: 'unknown', created_at: anyString });
    expect(sim.devices()).toHaveLength(1);
    expect(sim.stats()).toMatchObject({ devicesCreated: 1, replayed: 1 });
  });

  it('answers a retry after a create applied behind a 500 from the stored answer: one device', async () => {
    const sim = await start('ours');
    sim.setFaults({ error5xxRate: 1, error5xxAfterApply: 1 });
    const lost = await call(sim, sim.defaultKey, 'POST', '/devices', press, { 'idempotency-key': 'dev-2' });
    expect(lost.status).toBe(500);
    sim.setFaults({ error5xxRate: 0 });
    const retry = await call(sim, sim.defaultKey, 'POST', '/devices', press, { 'idempotency-key': 'dev-2' });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(sim.devices().map((d) => d.id)).toEqual([data(retry).id]);
    expect(sim.stats().devicesCreated).toBe(1);
  });
});

describe('cloud simulator dialect minimal', () => {
  it('has no /auth/key, no /telemetry/ingest and no /ml/training/{id}: 404 NOT_FOUND as for unknown paths', async () => {
    const sim = await start('minimal');
    const k = sim.defaultKey;
    for (const [method, path] of [
      ['GET', '/auth/key'],
      ['POST', '/telemetry/ingest'],
      ['GET', '/ml/training/job-1'],
    ] as const) {
      const r = await call(sim, k, method, path, method === 'POST' ? { data: [point(1)] } : undefined);
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(error(r).code).toBe('NOT_FOUND');
    }
    const bad = await call(sim, k, 'POST', '/telemetry', { points: [] });
    expect(bad.status).toBe(400);
    expect(error(bad).code).toBe('VALIDATION_ERROR');
    expect(sim.points()).toHaveLength(0);
  });

  it('renders devices without status or times and lets a repeated create make a twin, Idempotency-Key or not', async () => {
    const sim = await start('minimal');
    const k = sim.defaultKey;
    const first = await call(sim, k, 'POST', '/devices', press, { 'idempotency-key': 'dev-1' });
    const second = await call(sim, k, 'POST', '/devices', press, { 'idempotency-key': 'dev-1' });
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    const id = data(first).id as string;
    expect(data(first)).toEqual({ id, ...press });
    expect(data(second).id).not.toBe(id);
    const listed = data<Obj[]>(await call(sim, k, 'GET', '/devices'));
    expect(listed.map((d) => Object.keys(d).sort())).toEqual([
      ['external_id', 'id', 'name', 'type'],
      ['external_id', 'id', 'name', 'type'],
    ]);
    expect(Object.keys(data(await call(sim, k, 'GET', `/devices/${id}`))).sort()).toEqual([
      'external_id',
      'id',
      'name',
      'type',
    ]);
    const renamed = await call(sim, k, 'PUT', `/devices/${id}`, { name: 'Press 4b', type: 'modbus' });
    expect(data(renamed)).toEqual({ id, name: 'Press 4b', type: 'modbus' });
    // Stored as ours keeps them, whatever the wire shows.
    expect(sim.devices().map((d) => d.status)).toEqual(['unknown', 'unknown']);
    expect(sim.stats().devicesCreated).toBe(2);
  });

  it('rotates ingest answers through four count-only shapes, replays the one sent and stores each point once', async () => {
    const sim = await start('minimal');
    const k = sim.defaultKey;
    const send = (i: number, batch: Obj[]): Promise<Reply> =>
      call(sim, k, 'POST', '/telemetry', { data: batch }, { 'idempotency-key': `m-${i}` });
    const withBad = await send(0, [point(0), point(1, { timestamp: 'yesterday' })]);
    expect(withBad.status).toBe(200);
    expect(withBad.body).toEqual({
      data: { accepted: 1, rejected: 1, errors: [{ index: 1, message: anyString }] },
    });
    const counted = await send(1, [point(2), point(3)]);
    expect(counted.body).toEqual({ data: { count: 2 } });
    const bare = await send(2, [point(4)]);
    expect(bare.status).toBe(202);
    expect(bare.text).toBe('');
    expect(bare.headers.get('content-type')).toBeNull();
    const nothing = await send(3, [point(5)]);
    expect(nothing.body).toEqual({ data: null });
    const clean = await send(4, [point(6)]);
    expect(clean.body).toEqual({ data: { accepted: 1, rejected: 0, errors: [] } });

    // A replay is the answer as it was sent, not the next shape in turn, and it stores nothing.
    const replayBare = await send(2, [point(4)]);
    expect([replayBare.status, replayBare.text]).toEqual([202, '']);
    expect((await send(0, [point(0), point(1, { timestamp: 'yesterday' })])).body).toEqual(withBad.body);
    expect((await send(5, [point(7)])).body).toEqual({ data: { count: 1 } });
    expect(sim.stats()).toMatchObject({ pointsStored: 7, duplicatePoints: 0, replayed: 2, ingestRequests: 8 });
  });
});

describe('cloud simulator dialect strict-scopes', () => {
  it('lets every key write telemetry and nothing else, and has no /auth/key', async () => {
    const sim = await start('strict-scopes', { keys: [{ key: 'te_all', tier: 'starter', scopes: ['admin'] }] });
    for (const [method, path, scope] of [
      ['GET', '/devices', 'read:assets'],
      ['POST', '/devices', 'write:assets'],
      ['GET', '/devices/dev-1', 'read:assets'],
      ['PUT', '/devices/dev-1', 'write:assets'],
      ['DELETE', '/devices/dev-1', 'write:assets'],
      ['GET', '/dashboards', 'read:assets'],
      ['GET', '/alerts', 'read:alerts'],
      ['GET', '/alerts/events', 'read:alerts'],
      ['GET', '/ml/models', 'admin'],
      ['POST', '/ml/training', 'admin'],
      ['GET', '/ml/predictions?asset_id=a', 'admin'],
      ['GET', '/telemetry', 'read:telemetry'],
    ] as const) {
      const r = await call(sim, 'te_all', method, path, method === 'POST' || method === 'PUT' ? press : undefined);
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(r.body).toMatchObject({ error: { code: 'FORBIDDEN', details: { required_scope: scope } } });
    }
    const info = await call(sim, 'te_all', 'GET', '/auth/key');
    expect([info.status, error(info).code]).toEqual([404, 'NOT_FOUND']);

    // The device a test links to is made past the API; its id is then the asset_id of the points.
    const device = sim.createDevice({ name: 'Press 4', type: 'modbus' });
    const ingest = await call(sim, 'te_all', 'POST', '/telemetry/ingest', {
      data: [point(1, { asset_id: device.id })],
    });
    expect(ingest.status).toBe(200);
    expect(data(ingest)).toEqual({ accepted: 1, rejected: [] });
    expect(ingest.headers.get('x-ratelimit-limit')).toBe('300');
    expect(sim.points({ asset_id: device.id })).toHaveLength(1);
    expect(sim.stats().devicesCreated).toBe(0);
  });
});

describe('cloud simulator dialect noisy', () => {
  it('numbers device ids from 1001, sends epoch times, unknown statuses and unknown fields everywhere', async () => {
    const sim = await start('noisy');
    const k = sim.defaultKey;
    const created = await call(sim, k, 'POST', '/devices', press, { 'idempotency-key': 'dev-1' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ _links: { self: '/v1/devices' }, x_trace: anyString });
    const device = data(created);
    expect(device).toMatchObject({
      id: 1001,
      ...press,
      status: 'maintenance',
      created_at: anyNumber,
      updated_at: anyNumber,
      _links: { self: '/v1/devices/1001' },
      tenant_id: anyString,
    });
    const replay = await call(sim, k, 'POST', '/devices', press, { 'idempotency-key': 'dev-1' });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(created.body);
    const second = data(await call(sim, k, 'POST', '/devices', { name: 'Kiln', type: 'opcua' }));
    expect(second).toMatchObject({ id: 1002, status: 'unknown' });
    expect(data(await call(sim, k, 'GET', '/devices/1001'))).toMatchObject({ id: 1001, name: 'Press 4' });
    const list = await call(sim, k, 'GET', '/devices');
    expect(list.body).toMatchObject({ meta: { page: 1, per_page: 20, total: 2, has_more: false, next_cursor: null } });
    expect(data<Obj[]>(list).map((d) => d.id)).toEqual([1001, 1002]);
    // Stored with string ids: "1001" is what a client sends as asset_id for device 1001.
    expect(sim.devices().map((d) => d.id)).toEqual(['1001', '1002']);
    expect(sim.stats().devicesCreated).toBe(2);
  });

  it('answers lower-case error codes with details as a [{field, message}] list', async () => {
    const sim = await start('noisy', { keys: [{ key: 'te_ro', tier: 'starter', scopes: ['read:telemetry'] }] });
    const admin = sim.addKey('starter', ['admin']);
    await call(sim, admin, 'POST', '/devices', press);
    const cases: [Promise<Reply>, number, string, { field: string; message: unknown }[]][] = [
      [call(sim, undefined, 'GET', '/devices'), 401, 'unauthorized', []],
      [call(sim, 'te_ro', 'GET', '/devices'), 403, 'forbidden', [{ field: 'required_scope', message: 'read:assets' }]],
      [call(sim, admin, 'GET', '/devices/9999'), 404, 'not_found', [{ field: 'id', message: '9999' }]],
      [call(sim, admin, 'POST', '/devices', press), 409, 'conflict', [{ field: 'existing_id', message: '1001' }]],
      [
        call(sim, admin, 'GET', '/devices?per_page=101'),
        400,
        'validation_error',
        [{ field: 'per_page', message: anyString }],
      ],
      [call(sim, admin, 'GET', '/nowhere'), 404, 'not_found', []],
    ];
    for (const [pending, status, code, details] of cases) {
      const r = await pending;
      expect(r.status).toBe(status);
      expect(error(r)).toMatchObject({ code, message: anyString, details });
      expect(r.body).toMatchObject({ x_trace: anyString });
    }
    sim.setFaults({ rate429: 1 });
    const limited = await call(sim, admin, 'GET', '/devices');
    expect([limited.status, error(limited).code]).toEqual([429, 'rate_limited']);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('ingests asset_id "1001" for device 1001, with lower-case per-point codes and extra fields', async () => {
    const sim = await start('noisy');
    const k = sim.defaultKey;
    const id = String(data(await call(sim, k, 'POST', '/devices', press)).id);
    expect(id).toBe('1001');
    const batch = { data: [point(1, { asset_id: id }), point(2, { asset_id: id, timestamp: 'yesterday' })] };
    const r = await call(sim, k, 'POST', '/telemetry/ingest', batch, { 'idempotency-key': 'n-1' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      data: {
        accepted: 1,
        rejected: [{ index: 1, code: 'invalid_timestamp', message: anyString }],
        tenant_id: anyString,
        _links: {},
      },
      x_trace: anyString,
    });
    const replay = await call(sim, k, 'POST', '/telemetry/ingest', batch, { 'idempotency-key': 'n-1' });
    expect(replay.body).toEqual(r.body);
    expect(sim.points({ asset_id: '1001' })).toHaveLength(1);
    // Telemetry timestamps stay ISO 8601 in every dialect.
    const rows = data<Obj[]>(await call(sim, k, 'GET', '/telemetry?asset_id=1001'));
    expect(rows).toEqual([
      containing({
        asset_id: '1001',
        timestamp: '2024-01-01T00:00:01.000Z',
        tenant_id: anyString,
      }),
    ]);
    expect(sim.stats()).toMatchObject({ pointsStored: 1, duplicatePoints: 0 });
  });

  it('numbers rules, events, models and jobs, and shows unknown severities and statuses on some', async () => {
    const clock = scaledClock(60);
    const sim = await start('noisy', { seedData: true, clock });
    const k = sim.defaultKey;
    const rules = data<Obj[]>(await call(sim, k, 'GET', '/alerts'));
    expect(rules.map((r) => r.id)).toEqual([2001, 2002]);
    expect(rules[0]).toMatchObject({ created_at: anyNumber, updated_at: anyNumber });
    const events = data<Obj[]>(await call(sim, k, 'GET', '/alerts/events'));
    expect(events.map((e) => [e.id, e.rule_id, e.severity, e.status])).toEqual([
      [3002, 2002, 'warning', 'triggered'],
      [3001, 2001, 'major', 'escalated'],
    ]);
    expect(events[0]).toMatchObject({ triggered_at: anyString, _links: { self: '/v1/alerts/events/3002' } });
    const dashboards = data<Obj[]>(await call(sim, k, 'GET', '/dashboards'));
    expect(dashboards.map((d) => d.id)).toEqual([6001]);

    const seeded = data<Obj[]>(await call(sim, k, 'GET', '/ml/models'));
    expect(seeded).toEqual([containing({ id: 4001, status: 'ready', created_at: anyNumber })]);
    const job = data(await call(sim, k, 'POST', '/ml/training', pumpTraining));
    expect(job).toMatchObject({ id: 5002, status: 'queued', model_id: null });
    let done: Obj = job;
    await waitFor(async () => {
      done = data(await call(sim, k, 'GET', '/ml/training/5002'));
      return done.status === 'completed';
    });
    expect(done.model_id).toBe(4002);
    const models = data<Obj[]>(await call(sim, k, 'GET', '/ml/models'));
    expect(models.map((m) => [m.id, m.status])).toEqual([
      [4001, 'ready'],
      [4002, 'deploying'],
    ]);
  });
});
