import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../main/app/create-app.js';
import type { CallName, WireResult } from '../../main/contract/wire.js';
import type { CallOutput } from '../../main/contract/contract.js';
import type { DeviceView } from '../../main/domain/device/device-view.js';
import { createLogger } from '../../main/log/logger.js';
import { EnvSecretStore, secretEnvName } from '../../main/secrets/env-store.js';
import { scopes } from '../../main/domain/cloud/account.js';
import { TwinEdgeClient } from '../../main/sync/client/twinedge-client.js';
import { API_KEY_SECRET } from '../../main/sync/sync-service.js';
import { startCloudSim, type CloudSim } from '../sim/cloud/index.js';
import { TEST_KEY } from '../helpers/sync-fixture.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/**
 * Trends in the whole app with the local TwinEdge API: a range older than local history filled from TwinEdge and
 * marked, trend views saved as dashboards and opened back, and prediction overlays, all through the router.
 */
describe('trends in the app with TwinEdge', () => {
  let sim: CloudSim;
  let app: App;
  let device: DeviceView;
  const dir = tempDir('twinedge-trends-app-');
  const now = Date.now();
  const localFrom = Math.floor((now - 2 * DAY) / HOUR) * HOUR;
  const cloudFrom = Math.floor((now - 40 * DAY) / DAY) * DAY;

  const call = async <K extends CallName>(name: K, input: unknown): Promise<CallOutput<K>> => {
    const r = (await app.router.invoke(name, input)) as WireResult<CallOutput<K>>;
    if (!r.ok) throw new Error(`${name}: ${r.error.code}: ${r.error.message}`);
    return r.value;
  };

  beforeAll(async () => {
    sim = await startCloudSim({ keys: [{ key: TEST_KEY, tier: 'enterprise', scopes: [...scopes], name: 'trends' }] });
    app = await createApp({
      dataDir: dir.path,
      shell: 'browser',
      version: 'test',
      logger: createLogger({ console: false }),
      demo: { enabled: false },
      secretStore: new EnvSecretStore({ [secretEnvName(API_KEY_SECRET)]: TEST_KEY }),
      sync: { baseUrl: sim.url, refreshMs: 3_600_000 },
    });
    device = await call('devices.save', {
      name: 'Line 2 PLC',
      protocol: 'modbus',
      enabled: false,
      settings: { host: '10.0.0.9' },
      tags: [
        { name: 'FT-201', unit: 'm³/h', area: 'holding', address: 0, dataType: 'float32' },
        { name: 'PT-202', unit: 'bar', area: 'holding', address: 2, dataType: 'float32' },
      ],
    });
    await waitFor(
      async () => (await call('sync.status', {})).devices.every((d) => d.state === 'synced'),
      20_000,
      'device registration',
    );
    const assetId = (await call('sync.status', {})).devices[0]?.cloudId ?? '';
    // TwinEdge holds 38 days from before this workstation's history (hourly, value = day of the range).
    const api = new TwinEdgeClient({ baseUrl: sim.url, apiKey: TEST_KEY, maxRetries: 0 });
    const old = Array.from({ length: 38 * 24 }, (_, i) => ({
      timestamp: new Date(cloudFrom + i * HOUR).toISOString(),
      asset_id: assetId,
      tag_name: 'FT-201',
      value: 100 + Math.floor(i / 24),
      quality: 'good' as const,
    }));
    await api.ingest(old, { idempotencyKey: 'old-history' });
    // Locally: the last two days, every minute.
    const tag = device.tags[0]?.id ?? 0;
    app.store?.writeSamples(
      Array.from({ length: 2 * 1440 }, (_, i) => ({ tagId: tag, ts: localFrom + i * MIN, value: 7, quality: 0 })),
      null,
    );
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    await sim?.close();
    dir.remove();
  });

  it('fills the part of the range older than local history from TwinEdge, marked as such', async () => {
    const tagId = device.tags[0]?.id ?? 0;
    const q = { tagIds: [tagId], from: cloudFrom, to: now, pixels: 400 };
    const local = (await call('history.query', q)).series[0];
    expect(local?.cloudUntil).toBeNull();
    expect(local?.values.filter((v) => v !== null).every((v) => v === 7)).toBe(true);

    const filled = (await call('history.query', { ...q, cloud: true })).series[0];
    if (!filled) throw new Error('no series');
    expect(filled.cloudNote).toBeNull();
    // TwinEdge up to the first local bucket, which may start before the first local sample and is local.
    const until = filled.cloudUntil ?? 0;
    expect(until).toBeLessThanOrEqual(localFrom);
    expect(until).toBeGreaterThan(localFrom - (filled.bucketMs ?? 0));
    const cloudPart = filled.ts.flatMap((t, i) => (t < until && filled.values[i] !== null ? [i] : []));
    expect(cloudPart.length).toBeGreaterThan(30);
    // TwinEdge's values are 100..137 by day; the local ones are 7.
    for (const i of cloudPart) {
      expect(filled.values[i]).toBeGreaterThanOrEqual(100);
      expect(filled.max?.[i]).toBeLessThanOrEqual(137);
    }
    const localPart = filled.ts.flatMap((t, i) => (t >= until && filled.values[i] !== null ? [i] : []));
    expect(localPart.length).toBeGreaterThan(0);
    expect(localPart.every((i) => filled.values[i] === 7)).toBe(true);
  });

  it('saves a view as a TwinEdge dashboard and opens that dashboard as a new view', async () => {
    const view = await call('views.save', {
      name: 'Line 2',
      tagIds: device.tags.map((t) => t.id),
      axes: [
        { unit: 'm³/h', min: null, max: null },
        { unit: 'bar', min: 0, max: 10 },
      ],
      range: { kind: 'relative', minutes: 1440 },
      follow: true,
    });
    const saved = await call('views.toDashboard', { id: view.id });
    expect(saved.dashboardId).toMatch(/.+/);
    const api = new TwinEdgeClient({ baseUrl: sim.url, apiKey: TEST_KEY, maxRetries: 0 });
    const dashboard = await api.getDashboard(saved.dashboardId ?? '');
    expect(dashboard.widgets[0]).toMatchObject({ type: 'trend', range: 'P1D' });
    expect(dashboard.widgets[0]?.series.map((s) => s.tag_name)).toEqual(['FT-201', 'PT-202']);

    // Saving again updates the same dashboard.
    expect((await call('views.toDashboard', { id: view.id })).dashboardId).toBe(saved.dashboardId);
    expect((await api.listDashboards({ per_page: 100 })).items).toHaveLength(1);

    const opened = await call('views.fromDashboard', { dashboardId: saved.dashboardId ?? '' });
    expect(opened.missing).toEqual([]);
    expect(opened.view).toMatchObject({
      name: 'Line 2 (2)',
      tagIds: view.tagIds,
      range: { kind: 'relative', minutes: 1440 },
      follow: true,
      dashboardId: saved.dashboardId,
    });
    expect((await call('views.list', {})).map((v) => v.name)).toEqual(['Line 2', 'Line 2 (2)']);

    const unknown = await app.router.invoke('views.fromDashboard', { dashboardId: 'dash-missing' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const noView = await app.router.invoke('views.toDashboard', { id: 999 });
    expect(noView).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('says why there are no prediction overlays', async () => {
    const r = await call('history.predictions', { tagIds: [device.tags[0]?.id ?? 0], from: now - DAY, to: now });
    expect(r.overlays).toEqual([]);
    expect(r.note).toBe('TwinEdge has no predictions for these tags in this range.');
  });
});
