import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ingestLimits } from '../../main/sync/api/model.js';
import { type Scope, type Tier } from '../../main/domain/cloud/account.js';
import { scaledClock } from '../../main/sync/clock.js';
import { call, data, point, pumpTraining, type Reply } from '../helpers/sim-call.js';
import { validateExchange } from '../helpers/openapi.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { anomalyScore, startCloudSim, type CloudSim, type CloudSimOptions } from '../sim/cloud/index.js';

// Every exchange of every simulator started here is checked against the OpenAPI document.
let problems: string[] = [];
let running: CloudSim[] = [];
let dirs: { remove: () => void }[] = [];

const start = async (options: CloudSimOptions = {}): Promise<CloudSim> => {
  const sim = await startCloudSim({ ...options, onExchange: (ex) => problems.push(...validateExchange(ex)) });
  running.push(sim);
  return sim;
};

afterEach(async () => {
  await Promise.all(running.map((s) => s.close()));
  running = [];
  dirs.forEach((d) => d.remove());
  dirs = [];
  const found = problems;
  problems = [];
  expect(found).toEqual([]);
});

const meta = (r: Reply): { page: number; per_page: number; total: number } =>
  (r.body as { meta: { page: number; per_page: number; total: number } }).meta;

const errorCode = (r: Reply): string => (r.body as { error: { code: string } }).error.code;

const withKey = async (tier: Tier, scopes: Scope[], options: CloudSimOptions = {}): Promise<[CloudSim, string]> => {
  const key = `te_test_${tier}_${scopes.join('_')}`;
  const sim = await start({ ...options, keys: [{ key, tier, scopes }] });
  return [sim, key];
};

describe('cloud simulator: auth and limits', () => {
  it('answers 401 without or with an unknown key and 403 without the scope, with rate-limit headers', async () => {
    const [sim, key] = await withKey('starter', ['read:telemetry']);
    const none = await call(sim, undefined, 'GET', '/devices');
    expect(none.status).toBe(401);
    expect(errorCode(none)).toBe('UNAUTHORIZED');
    expect((await call(sim, 'nope', 'GET', '/devices')).status).toBe(401);
    const forbidden = await call(sim, key, 'GET', '/devices');
    expect(forbidden.status).toBe(403);
    expect(errorCode(forbidden)).toBe('FORBIDDEN');
    expect(forbidden.headers.get('x-ratelimit-limit')).toBe('300');
    const info = await call(sim, key, 'GET', '/auth/key');
    expect(data(info)).toMatchObject({ tier: 'starter', scopes: ['read:telemetry'], last4: key.slice(-4) });
    const admin = sim.addKey('trial', ['admin']);
    expect((await call(sim, admin, 'GET', '/devices')).status).toBe(200);
  });

  it('paginates with meta and refuses per_page above 100', async () => {
    const sim = await start();
    for (let i = 0; i < 25; i++) {
      expect((await call(sim, sim.defaultKey, 'POST', '/devices', { name: `d${i}`, type: 'opcua' })).status).toBe(201);
    }
    const first = await call(sim, sim.defaultKey, 'GET', '/devices');
    expect(meta(first)).toEqual({ page: 1, per_page: 20, total: 25 });
    const second = await call(sim, sim.defaultKey, 'GET', '/devices?page=2&per_page=20');
    expect(data<{ name: string }[]>(second).map((d) => d.name)).toEqual(['d20', 'd21', 'd22', 'd23', 'd24']);
    const tooMany = await call(sim, sim.defaultKey, 'GET', '/devices?per_page=101');
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toMatchObject({ error: { code: 'VALIDATION_ERROR', details: [{ field: 'per_page' }] } });
  });

  it('gives a trial key 60 requests a minute, then 429 with Retry-After until the window resets', async () => {
    // Start at a minute boundary on a clock 15x real time: one clock minute passes in four real seconds.
    const clock = scaledClock(15, Math.ceil(Date.now() / 60_000) * 60_000);
    const [sim, key] = await withKey('trial', ['read:assets'], { clock });
    for (let i = 0; i < 60; i++) {
      const r = await call(sim, key, 'GET', '/devices');
      expect(r.status).toBe(200);
      expect(r.headers.get('x-ratelimit-remaining')).toBe(String(59 - i));
    }
    const limited = await call(sim, key, 'GET', '/devices');
    expect(limited.status).toBe(429);
    expect(errorCode(limited)).toBe('RATE_LIMITED');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(limited.headers.get('x-ratelimit-reset')) * 1000).toBeGreaterThan(clock.now());
    expect(limited.headers.get('x-ratelimit-remaining-day')).toBe('940');
    // A 429 does not count: the day budget still shows 60 used after another refused request.
    expect((await call(sim, key, 'GET', '/devices')).headers.get('x-ratelimit-remaining-day')).toBe('940');
    await clock.sleep(retryAfter * 1000);
    const again = await call(sim, key, 'GET', '/devices');
    expect(again.status).toBe(200);
    expect(again.headers.get('x-ratelimit-remaining')).toBe('59');
    expect(sim.stats().rateLimited).toBe(2);
  });
});

describe('cloud simulator: telemetry', () => {
  it('ingests, replays the same Idempotency-Key without storing twice, and refuses it with another body', async () => {
    const sim = await start();
    const batch = { data: [point(1), point(2), point(3)] };
    const first = await call(sim, sim.defaultKey, 'POST', '/telemetry/ingest', batch, { 'idempotency-key': 'b-1' });
    expect(first.status).toBe(200);
    expect(data(first)).toEqual({ accepted: 3, rejected: [] });
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const replay = await call(sim, sim.defaultKey, 'POST', '/telemetry/ingest', batch, { 'idempotency-key': 'b-1' });
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);
    const other = await call(
      sim,
      sim.defaultKey,
      'POST',
      '/telemetry/ingest',
      { data: [point(9)] },
      {
        'idempotency-key': 'b-1',
      },
    );
    expect(other.status).toBe(409);
    expect(errorCode(other)).toBe('CONFLICT');
    // The alias, without a key, is applied every time.
    expect((await call(sim, sim.defaultKey, 'POST', '/telemetry', { data: [point(1)] })).status).toBe(200);
    expect(sim.points()).toHaveLength(4);
    expect(sim.stats()).toMatchObject({ pointsStored: 4, duplicatePoints: 1, replayed: 1, ingestRequests: 4 });
  });

  it('accepts a gzip body and refuses too many points or too many decompressed bytes with 413', async () => {
    const sim = await start();
    const gz = gzipSync(JSON.stringify({ data: [point(1), point(2)] }));
    const ok = await call(sim, sim.defaultKey, 'POST', '/telemetry/ingest', gz, { 'content-encoding': 'gzip' });
    expect(ok.status).toBe(200);
    expect(data(ok)).toEqual({ accepted: 2, rejected: [] });

    const many = { data: Array.from({ length: ingestLimits.maxPoints + 1 }, (_, i) => point(i)) };
    const tooMany = await call(sim, sim.defaultKey, 'POST', '/telemetry/ingest', many);
    expect(tooMany.status).toBe(413);
    expect(tooMany.body).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE', details: { max_points: 10_000 } } });

    const padded = { data: [point(1, { tag_name: 'x'.repeat(ingestLimits.maxBodyBytes) })] };
    const bomb = gzipSync(JSON.stringify(padded));
    expect(bomb.length).toBeLessThan(ingestLimits.maxBodyBytes / 100);
    const big = await call(sim, sim.defaultKey, 'POST', '/telemetry/ingest', bomb, { 'content-encoding': 'gzip' });
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ error: { details: { max_body_bytes: ingestLimits.maxBodyBytes } } });
    const plainBig = await call(sim, sim.defaultKey, 'POST', '/telemetry/ingest', padded);
    expect(plainBig.status).toBe(413);
    expect(sim.points()).toHaveLength(2);
  });

  it('rejects bad points by index and stores the rest', async () => {
    const sim = await start();
    const future = new Date(Date.now() + 2 * 86_400_000).toISOString();
    const missing = point(4);
    delete missing.quality;
    const batch = {
      data: [
        point(0),
        point(1, { timestamp: 'yesterday' }),
        point(2, { tag_name: 't'.repeat(257) }),
        point(3, { timestamp: future }),
        missing,
        point(5, { quality: 'excellent' }),
        point(6, { value: 'RUNNING' }),
      ],
    };
    const r = await call(sim, sim.defaultKey, 'POST', '/telemetry/ingest', batch);
    expect(r.status).toBe(200);
    const result = data<{ accepted: number; rejected: { index: number; code: string }[] }>(r);
    expect(result.accepted).toBe(2);
    expect(result.rejected.map((x) => [x.index, x.code])).toEqual([
      [1, 'INVALID_TIMESTAMP'],
      [2, 'TAG_NAME_TOO_LONG'],
      [3, 'TIMESTAMP_IN_FUTURE'],
      [4, 'MISSING_FIELD'],
      [5, 'INVALID_FIELD'],
    ]);
    expect(sim.points().map((p) => p.value)).toEqual([0, 'RUNNING']);
    // A non-finite number can only arrive as an overflowing literal: JSON.parse turns 1e999 into Infinity.
    const raw = `{"data":[${JSON.stringify(point(7)).replace('"value":7', '"value":1e999')}]}`;
    const inf = await fetch(`${sim.url}/telemetry/ingest`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sim.defaultKey}`, 'content-type': 'application/json' },
      body: raw,
    });
    expect(((await inf.json()) as { data: { rejected: { code: string }[] } }).data.rejected[0]?.code).toBe(
      'INVALID_VALUE',
    );
  });

  it('aggregates per 1m bucket, pages raw rows in time order and answers latest per tag', async () => {
    const sim = await start();
    const at = (s: number): string => new Date(Date.UTC(2024, 0, 1, 0, 0, s)).toISOString();
    const pts = [
      { s: 5, v: 1 },
      { s: 20, v: 3 },
      { s: 40, v: 2 },
      { s: 65, v: 10 },
      { s: 100, v: 20 },
    ].map(({ s, v }) => ({ asset_id: 'a', tag_name: 'flow', timestamp: at(s), value: v, quality: 'good' }));
    pts.push({ asset_id: 'a', tag_name: 'level', timestamp: at(30), value: 7, quality: 'uncertain' });
    expect((await call(sim, sim.defaultKey, 'POST', '/telemetry/ingest', { data: pts.reverse() })).status).toBe(200);

    const agg = async (aggregation: string): Promise<unknown[]> =>
      data<{ timestamp: string; value: unknown }[]>(
        await call(
          sim,
          sim.defaultKey,
          'GET',
          `/telemetry?asset_id=a&tag_name=flow&aggregation=${aggregation}&interval=1m`,
        ),
      ).map((r) => [r.timestamp, r.value]);
    expect(await agg('avg')).toEqual([
      [at(0), 2],
      [at(60), 15],
    ]);
    expect(await agg('min')).toEqual([
      [at(0), 1],
      [at(60), 10],
    ]);
    expect(await agg('max')).toEqual([
      [at(0), 3],
      [at(60), 20],
    ]);
    expect(await agg('sum')).toEqual([
      [at(0), 6],
      [at(60), 30],
    ]);
    expect(await agg('count')).toEqual([
      [at(0), 3],
      [at(60), 2],
    ]);
    const noInterval = await call(sim, sim.defaultKey, 'GET', '/telemetry?aggregation=avg');
    expect(noInterval.status).toBe(400);

    const raw = await call(sim, sim.defaultKey, 'GET', `/telemetry?asset_id=a&per_page=2&page=2&start=${at(10)}`);
    expect(meta(raw)).toEqual({ page: 2, per_page: 2, total: 5 });
    expect(data<{ timestamp: string }[]>(raw).map((r) => r.timestamp)).toEqual([at(40), at(65)]);

    const latest = await call(sim, sim.defaultKey, 'GET', '/telemetry/latest?asset_id=a');
    expect(data(latest)).toEqual([
      { timestamp: at(100), asset_id: 'a', tag_name: 'flow', value: 20, quality: 'good' },
      { timestamp: at(30), asset_id: 'a', tag_name: 'level', value: 7, quality: 'uncertain' },
    ]);
  });
});

describe('cloud simulator: resources', () => {
  it('does device CRUD with 409 on a taken name and 404 after delete', async () => {
    const sim = await start();
    const k = sim.defaultKey;
    const created = await call(sim, k, 'POST', '/devices', { name: 'Press 4', type: 'modbus', external_id: 'x1' });
    expect(created.status).toBe(201);
    const id = data<{ id: string }>(created).id;
    const dup = await call(sim, k, 'POST', '/devices', { name: 'Press 4', type: 'opcua' });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ error: { code: 'CONFLICT', details: { existing_id: id } } });
    const bad = await call(sim, k, 'POST', '/devices', { name: '', type: 'fax' });
    expect(bad.status).toBe(400);
    const updated = await call(sim, k, 'PUT', `/devices/${id}`, { name: 'Press 4b', type: 'modbus' });
    expect(data(updated)).toMatchObject({ id, name: 'Press 4b', status: 'unknown' });
    expect(data(await call(sim, k, 'GET', `/devices/${id}`))).toMatchObject({ name: 'Press 4b' });
    expect(sim.devices().map((d) => d.name)).toEqual(['Press 4b']);
    expect(data(await call(sim, k, 'DELETE', `/devices/${id}`))).toEqual({ id, deleted: true });
    const gone = await call(sim, k, 'GET', `/devices/${id}`);
    expect(gone.status).toBe(404);
    expect(errorCode(gone)).toBe('NOT_FOUND');
    expect((await call(sim, k, 'DELETE', `/devices/${id}`)).status).toBe(404);
  });

  it('creates, reads and updates dashboards', async () => {
    const sim = await start();
    const k = sim.defaultKey;
    const body = {
      name: 'Overview',
      widgets: [{ type: 'trend', title: 'Temp', series: [{ asset_id: 'a', tag_name: 't' }], range: 'PT1H' }],
    };
    const created = await call(sim, k, 'POST', '/dashboards', body);
    expect(created.status).toBe(201);
    const id = data<{ id: string }>(created).id;
    const updated = await call(sim, k, 'PUT', `/dashboards/${id}`, { ...body, name: 'Overview 2' });
    expect(data(updated)).toMatchObject({ id, name: 'Overview 2' });
    expect(data(await call(sim, k, 'GET', `/dashboards/${id}`))).toMatchObject({ name: 'Overview 2' });
    expect(meta(await call(sim, k, 'GET', '/dashboards'))).toEqual({ page: 1, per_page: 20, total: 1 });
    expect((await call(sim, k, 'GET', '/dashboards/nope')).status).toBe(404);
  });

  it('creates alert rules with defaults and filters events by status, severity and since', async () => {
    const sim = await start({ seedData: true });
    const k = sim.defaultKey;
    const rule = await call(sim, k, 'POST', '/alerts', {
      name: 'Level low',
      severity: 'info',
      conditions: [{ tag_name: 'level', operator: '<', threshold: 5 }],
    });
    expect(rule.status).toBe(201);
    expect(data(rule)).toMatchObject({ enabled: true, combinator: 'AND', conditions: [{ kind: 'threshold' }] });
    expect(meta(await call(sim, k, 'GET', '/alerts'))).toMatchObject({ total: 3 });
    sim.addAlertEvent({ rule_id: 'r', rule_name: 'Level low', severity: 'info', triggered_at: '2020-01-01T00:00:00Z' });
    const all = await call(sim, k, 'GET', '/alerts/events');
    expect(meta(all).total).toBe(3);
    const critical = await call(sim, k, 'GET', '/alerts/events?severity=critical');
    expect(data<{ status: string }[]>(critical).map((e) => e.status)).toEqual(['resolved']);
    const triggered = await call(sim, k, 'GET', '/alerts/events?status=triggered');
    expect(data<{ rule_name: string }[]>(triggered).map((e) => e.rule_name)).toEqual([
      'Vibration anomaly',
      'Level low',
    ]);
    const since = await call(sim, k, 'GET', '/alerts/events?since=2021-01-01T00:00:00Z');
    expect(meta(since).total).toBe(2);
    expect((await call(sim, k, 'GET', '/alerts/events?severity=loud')).status).toBe(400);
  });

  it('trains a model on clock time and serves deterministic predictions', async () => {
    const clock = scaledClock(60);
    const sim = await start({ clock });
    const k = sim.defaultKey;
    const started = await call(sim, k, 'POST', '/ml/training', pumpTraining);
    expect(started.status).toBe(202);
    const job = data<{ id: string; status: string; progress: number; model_id: string | null }>(started);
    expect(job).toMatchObject({ status: 'queued', progress: 0, model_id: null });
    let last = job;
    await waitFor(async () => {
      last = data(await call(sim, k, 'GET', `/ml/training/${job.id}`));
      return last.status === 'completed';
    });
    expect(last.progress).toBe(1);
    const models = data<{ id: string; status: string }[]>(await call(sim, k, 'GET', '/ml/models'));
    expect(models).toEqual([expect.objectContaining({ id: last.model_id, status: 'ready' })]);

    const startAt = '2024-03-01T00:30:00.000Z';
    const preds = await call(
      sim,
      k,
      'GET',
      `/ml/predictions?asset_id=pump-1&start=${startAt}&end=2024-03-01T06:00:00.000Z`,
    );
    expect(meta(preds).total).toBe(5);
    const rows = data<{ timestamp: string; anomaly_score: number; is_anomaly: boolean; model_id: string }[]>(preds);
    const firstHour = Date.UTC(2024, 2, 1, 1);
    rows.forEach((p, i) => {
      const t = firstHour + i * 3_600_000;
      expect(p).toMatchObject({ timestamp: new Date(t).toISOString(), model_id: last.model_id });
      expect(p.anomaly_score).toBe(anomalyScore('pump-1', t));
      expect(p.is_anomaly).toBe(p.anomaly_score > 0.8);
    });
    expect((await call(sim, k, 'GET', '/ml/predictions?asset_id=nobody')).body).toMatchObject({ data: [] });
    expect((await call(sim, k, 'GET', '/ml/training/none')).status).toBe(404);
  });
});

describe('cloud simulator: faults and persistence', () => {
  it('injects 5xx, partial failures, 429s, drops and outages', async () => {
    const sim = await start({ seed: 7 });
    const k = sim.defaultKey;
    sim.setFaults({ error5xxRate: 1 });
    const failed = await call(sim, k, 'POST', '/telemetry/ingest', { data: [point(1)] }, { 'idempotency-key': 'f-1' });
    expect([500, 503]).toContain(failed.status);
    if (failed.status === 503) expect(Number(failed.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(sim.points()).toHaveLength(0);

    sim.setFaults({ error5xxAfterApply: 1 });
    const partial = await call(sim, k, 'POST', '/telemetry/ingest', { data: [point(2)] }, { 'idempotency-key': 'f-2' });
    expect(partial.status).toBe(500);
    expect(sim.points().map((p) => p.value)).toEqual([2]);
    sim.setFaults({ error5xxRate: 0 });
    // The retry with the same key is answered from the idempotency store: stored once.
    const retry = await call(sim, k, 'POST', '/telemetry/ingest', { data: [point(2)] }, { 'idempotency-key': 'f-2' });
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(sim.stats()).toMatchObject({ injected5xx: 2, pointsStored: 1, duplicatePoints: 0 });

    sim.setFaults({ rate429: 1 });
    const limited = await call(sim, k, 'GET', '/devices');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(sim.stats()).toMatchObject({ injected429: 1, rateLimited: 0 });

    sim.setFaults({ rate429: 0, dropRate: 1 });
    await expect(call(sim, k, 'GET', '/devices')).rejects.toThrow();
    expect(sim.stats().dropped).toBe(1);

    sim.setFaults({ dropRate: 0, down: true });
    await expect(call(sim, k, 'GET', '/devices')).rejects.toThrow();
    sim.setFaults({ down: false });
    expect((await call(sim, k, 'GET', '/devices')).status).toBe(200);
  });

  it('keeps keys, points, devices and idempotency answers across a restart on the same file', async () => {
    const dir = tempDir('cloud-sim-');
    dirs.push(dir);
    const dbPath = join(dir.path, 'cloud.sqlite');
    const keys = [{ key: 'te_persist', tier: 'starter' as const, scopes: ['admin' as const] }];
    const first = await start({ dbPath, keys });
    await call(first, 'te_persist', 'POST', '/telemetry/ingest', { data: [point(1)] }, { 'idempotency-key': 'p-1' });
    await call(first, 'te_persist', 'POST', '/devices', { name: 'Kiln', type: 'opcua' });
    await first.close();
    running = running.filter((s) => s !== first);

    const second = await start({ dbPath, keys });
    expect(second.points()).toHaveLength(1);
    expect(second.devices().map((d) => d.name)).toEqual(['Kiln']);
    const replay = await call(
      second,
      'te_persist',
      'POST',
      '/telemetry/ingest',
      { data: [point(1)] },
      {
        'idempotency-key': 'p-1',
      },
    );
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(second.points()).toHaveLength(1);
  });
});
