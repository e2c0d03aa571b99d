import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scopes } from '../../main/domain/cloud/account.js';
import { TwinEdgeApiError } from '../../main/sync/client/api-error.js';
import { TwinEdgeClient } from '../../main/sync/client/twinedge-client.js';
import { scaledClock, systemClock } from '../../main/sync/clock.js';
import { loadOpenApiDocument, validateExchange, type Exchange } from '../helpers/openapi.js';
import { startCloudSim, type CloudSim } from '../sim/cloud/index.js';

const KEY = 'te_contract_4d3c2b1a0f9e8d7c6b5a49382716';

/** The typed client against the local TwinEdge API: every call, every exchange checked against the OpenAPI document. */
describe('the TwinEdge client against the OpenAPI document', () => {
  let sim: CloudSim;
  const exchanges: Exchange[] = [];
  const problems: string[] = [];
  // Training jobs finish within 30 s of API time: 100x makes that a third of a second.
  const clock = scaledClock(100);
  let client: TwinEdgeClient;

  beforeAll(async () => {
    sim = await startCloudSim({
      clock,
      seedData: true,
      keys: [{ key: KEY, tier: 'professional', scopes: [...scopes], name: 'contract' }],
      onExchange: (ex) => {
        exchanges.push(ex);
        problems.push(...validateExchange(ex));
      },
    });
    client = new TwinEdgeClient({ baseUrl: sim.url, apiKey: KEY, clock, timeoutClock: systemClock, maxRetries: 0 });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('makes every documented call with documented requests and gets documented answers', async () => {
    const key = await client.keyInfo();
    expect(key).toMatchObject({ tier: 'professional', last4: KEY.slice(-4) });

    const device = await client.createDevice({ name: 'Boiler PLC', type: 'modbus', metadata: { unit_id: 1 } });
    expect((await client.getDevice(device.id)).name).toBe('Boiler PLC');
    const renamed = await client.updateDevice(device.id, { name: 'Boiler PLC 1', type: 'modbus' });
    expect(renamed.name).toBe('Boiler PLC 1');
    expect((await client.listDevices({ per_page: 100 })).items.map((d) => d.id)).toContain(device.id);

    const t0 = Date.UTC(2026, 10, 30, 10);
    const points = Array.from({ length: 120 }, (_, i) => ({
      asset_id: device.id,
      tag_name: 'TT101',
      timestamp: new Date(t0 + i * 1000).toISOString(),
      value: i,
      quality: 'good' as const,
    }));
    const ingest = await client.ingest(points, { idempotencyKey: 'contract-1' });
    expect(ingest).toMatchObject({ accepted: 120, rejected: [], understood: true });
    const raw = await client.queryTelemetry({ asset_id: device.id, tag_name: 'TT101', per_page: 100 });
    expect(raw.meta.total).toBe(120);
    const avg = await client.queryTelemetry({
      asset_id: device.id,
      tag_name: 'TT101',
      start: new Date(t0).toISOString(),
      end: new Date(t0 + 120_000).toISOString(),
      aggregation: 'avg',
      interval: '1m',
    });
    expect(avg.items.map((r) => r.value)).toEqual([29.5, 89.5]);
    expect((await client.latestTelemetry({ asset_id: device.id }))[0]).toMatchObject({ value: 119 });

    const dash = await client.createDashboard({
      name: 'Boiler overview',
      widgets: [
        { type: 'trend', title: 'Temperatures', series: [{ asset_id: device.id, tag_name: 'TT101' }], range: 'PT1H' },
      ],
    });
    expect((await client.getDashboard(dash.id)).widgets).toHaveLength(1);
    await client.updateDashboard(dash.id, { name: 'Boiler overview (8 h)', widgets: [] });
    expect((await client.listDashboards()).items.some((d) => d.name === 'Boiler overview (8 h)')).toBe(true);

    const rule = await client.createAlertRule({
      name: 'Boiler over temperature',
      severity: 'critical',
      conditions: [{ tag_name: 'TT101', operator: '>', threshold: 95, duration_seconds: 30 }],
    });
    expect((await client.listAlertRules({ per_page: 100 })).items.map((r) => r.id)).toContain(rule.id);
    const events = await client.listAlertEvents({ severity: 'critical' });
    expect(events.items.every((e) => e.severity === 'critical')).toBe(true);

    const models = await client.listModels();
    expect(models.items.length).toBeGreaterThan(0);
    const job = await client.startTraining({
      name: 'Boiler anomalies',
      model_type: 'anomaly_detection',
      asset_id: device.id,
      tag_names: ['TT101'],
      start: new Date(t0).toISOString(),
      end: new Date(t0 + 120_000).toISOString(),
    });
    expect(job.status).toBe('queued');
    let done = job;
    while (done.status !== 'completed' && done.status !== 'failed') {
      await clock.sleep(2000);
      done = await client.getTrainingJob(job.id);
    }
    expect(done).toMatchObject({ status: 'completed', progress: 1 });
    const predictions = await client.predictions({
      asset_id: device.id,
      model_id: done.model_id ?? undefined,
      start: new Date(t0).toISOString(),
      end: new Date(t0 + 6 * 3_600_000).toISOString(),
    });
    expect(predictions.items.length).toBeGreaterThan(0);
    expect(predictions.items.every((p) => p.anomaly_score >= 0 && p.anomaly_score <= 1)).toBe(true);

    await client.deleteDevice(device.id);
    const gone = await client.getDevice(device.id).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(TwinEdgeApiError);
    expect((gone as TwinEdgeApiError).status).toBe(404);

    expect(problems).toEqual([]);
    // Every operation of the document was exercised.
    const doc = loadOpenApiDocument() as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((m) => ['get', 'post', 'put', 'delete'].includes(m))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    const template = (path: string): string =>
      path.replace(/^\/v1/, '').replace(/^\/(devices|dashboards|ml\/training)\/[^/]+$/, '/$1/{id}');
    const seen = new Set(exchanges.map((e) => `${e.method} ${template(e.path)}`));
    // POST /telemetry is the documented alias of /telemetry/ingest; the client uses it only on a 404.
    expect(documented.filter((op) => !seen.has(op) && op !== 'POST /telemetry')).toEqual([]);
  });

  it('gets documented errors: unknown key, missing scope, validation, not found, too large', async () => {
    const before = problems.length;
    const stranger = new TwinEdgeClient({ baseUrl: sim.url, apiKey: 'te_nobody_000000000000', maxRetries: 0 });
    expect((await stranger.listDevices().catch((e: unknown) => e)) as TwinEdgeApiError).toMatchObject({
      status: 401,
      code: 'UNAUTHORIZED',
    });
    const readOnly = new TwinEdgeClient({
      baseUrl: sim.url,
      apiKey: sim.addKey('trial', ['read:assets']),
      maxRetries: 0,
    });
    expect(
      (await readOnly.createDevice({ name: 'x', type: 'modbus' }).catch((e: unknown) => e)) as TwinEdgeApiError,
    ).toMatchObject({
      status: 403,
      code: 'FORBIDDEN',
    });
    expect((await client.listDevices({ per_page: 500 }).catch((e: unknown) => e)) as TwinEdgeApiError).toMatchObject({
      status: 400,
      code: 'VALIDATION_ERROR',
    });
    const big = Array.from({ length: 10_001 }, (_, i) => ({
      asset_id: 'a',
      tag_name: 't',
      timestamp: new Date(Date.UTC(2026, 10, 30) + i).toISOString(),
      value: i,
      quality: 'good' as const,
    }));
    expect(
      (await client.ingest(big, { idempotencyKey: 'too-big' }).catch((e: unknown) => e)) as TwinEdgeApiError,
    ).toMatchObject({
      status: 413,
    });
    expect(problems.slice(before)).toEqual([]);
  });
});
