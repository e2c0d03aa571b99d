import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ModbusDeviceInput } from '../../main/domain/device/device-schema.js';
import { dialects, type CloudSim, type Exchange } from '../sim/cloud/index.js';
import { localKeys, samplesOf, startSyncRig, type RigOptions, type SyncRig } from '../helpers/sync-fixture.js';
import { startAnswerProxy, type AnswerProxy } from '../helpers/answer-proxy.js';
import { waitFor } from '../helpers/wait.js';

const logLines = (r: SyncRig): string[] => {
  try {
    return readFileSync(r.logFile, 'utf8').split('\n');
  } catch {
    return [];
  }
};

/**
 * The sync against every reading of the vendor reference the simulator knows: ours, minimal (only what the
 * reference documents), strict-scopes (a telemetry-only key) and noisy (unknown fields and enum values, numeric
 * ids, epoch times, lower-case error codes). What must hold in each: at most one TwinEdge device per local
 * device however often registration fails, every sample delivered once, the cloud lists fetched whether or
 * not the service describes keys, and a state that says "offline" only when no answer came.
 */
describe.each(dialects)('TwinEdge sync in the %s dialect', (dialect) => {
  let rig: SyncRig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });
  const start = (o: RigOptions = {}): Promise<SyncRig> => startSyncRig({ dialect, ...o });

  it('registers at most one TwinEdge device per local device through failed registrations, then delivers every sample once', async () => {
    // Most requests are applied and then answered 500 for a while: creates succeed without the app knowing.
    const creates: number[] = [];
    rig = await start({
      faults: { error5xxRate: 0.6, error5xxAfterApply: 1 },
      seed: 5,
      linkByHand: false,
      onExchange: (ex) => {
        if (ex.method === 'POST' && ex.path === '/v1/devices') creates.push(ex.status);
      },
    });
    const second = rig.store.devices.save(
      ModbusDeviceInput.parse({
        name: 'Feed pump',
        protocol: 'modbus',
        settings: { host: '10.0.0.6' },
        tags: [{ name: 'FT200', unit: 'm³/h', area: 'holding', address: 0, dataType: 'float32' }],
      }),
    );
    rig.sync.devicesChanged();
    // Creates that were applied and answered 500 (the app never learnt of them), or refused for the scope.
    await waitFor(
      () => creates.includes(500) || creates.filter((s) => s === 403).length >= 2,
      60_000,
      'creates to fail after being applied',
    );
    rig.sim.setFaults({ error5xxRate: 0 });
    const states = (): string[] => rig!.sync.status().devices.map((d) => d.state);
    if (dialect === 'strict-scopes') {
      // The key may not register devices: nothing is created, and the engineer links each one by hand.
      await waitFor(() => states().every((s) => s === 'needs_link'), 30_000, 'both devices to need a link');
      expect(rig.sync.status().summary).toMatch(/^TwinEdge answered, but .*403.*write:assets/);
      for (const d of [rig.device, second]) {
        const asset = rig.sim.createDevice({ name: `${d.config.name} (TwinEdge)`, type: 'modbus' });
        await rig.sync.linkDevice(d.id, asset.id);
      }
    }
    await waitFor(() => states().every((s) => s === 'synced' || s === 'linked'), 60_000, 'both devices to upload');
    expect(rig.sim.stats().devicesCreated).toBe(dialect === 'strict-scopes' ? 0 : 2);
    expect(rig.sim.devices()).toHaveLength(2);

    rig.write([
      ...samplesOf(rig.device, Date.UTC(2026, 10, 30), 3000),
      ...samplesOf(second, Date.UTC(2026, 10, 30), 300),
    ]);
    await rig.drained(60_000);
    const byAsset = new Map(rig.store.sync.links().map((l) => [l.cloudId, l.deviceId]));
    const remote = rig.sim
      .points()
      .map((p) => `${byAsset.get(p.asset_id) ?? '?'}/${p.tag_name}@${p.timestamp}`)
      .sort();
    const local = [rig.device, second].flatMap((d) => localKeys(rig!.store, d).map((k) => `${d.id}/${k}`)).sort();
    expect(remote).toEqual(local);
    expect(rig.sim.stats().duplicatePoints).toBe(0);
    // Every request was answered: never "offline", never "Cannot reach".
    expect(rig.statuses.filter((s) => s.state === 'offline')).toEqual([]);
    expect(rig.statuses.some((s) => s.summary.includes('Cannot reach'))).toBe(false);
    // The trouble was said, once per change of state, as a WARN.
    const problems = logLines(rig).filter((l) => /WARN.*Cloud sync: (\w+ → )?problem\. TwinEdge answered, but/.test(l));
    expect(problems.length).toBeGreaterThan(0);
  }, 180_000);

  it('asks for alerts, dashboards and models whether or not the service describes keys', async () => {
    const seen: Exchange[] = [];
    rig = await start({ onExchange: (ex) => seen.push(ex) });
    const asked = (path: string): Exchange | undefined => seen.find((e) => e.method === 'GET' && e.path === path);
    await waitFor(() => asked('/v1/ml/models') !== undefined, 10_000, 'the models list to be asked for');
    expect(asked('/v1/auth/key')?.status).toBe(dialect === 'minimal' || dialect === 'strict-scopes' ? 404 : 200);
    for (const path of ['/v1/alerts', '/v1/alerts/events', '/v1/dashboards']) expect(asked(path)).toBeDefined();
    if (dialect === 'strict-scopes') {
      // Refused one list, not the key: uploads are not stopped for it.
      expect(asked('/v1/alerts')?.status).toBe(403);
      expect(rig.sync.status().state).not.toBe('unauthorized');
    } else {
      const alerts = await rig.sync.alerts(false);
      expect(alerts.error).toBeNull();
      expect(alerts.rules.length + alerts.events.length).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('TwinEdge answers the simulator does not give', () => {
  let rig: SyncRig | undefined;
  let proxy: AnswerProxy | undefined;
  afterEach(async () => {
    await rig?.close();
    await proxy?.close();
    rig = undefined;
    proxy = undefined;
  });
  /** A rig whose app talks to the simulator through a proxy that changes some answers. */
  type Change = Parameters<typeof startAnswerProxy>[1];
  const viaProxy = async (change: Change | ((sim: CloudSim) => Change), o: RigOptions = {}): Promise<SyncRig> =>
    startSyncRig({
      ...o,
      via: async (sim) => {
        proxy = await startAnswerProxy(sim.url, typeof change === 'function' ? change(sim) : change);
        return proxy.url;
      },
    });

  it('an ingest answer of an unknown shape is a delivery, said once as a WARN, and nothing is sent twice', async () => {
    rig = await viaProxy({
      rewrite: (req, res) =>
        req.method === 'POST' && req.url.startsWith('/v1/telemetry')
          ? { ...res, body: JSON.stringify({ ok: true, batch: { stored: 'yes' } }) }
          : res,
    });
    for (let i = 0; i < 5; i++) {
      rig.write(samplesOf(rig.device, Date.UTC(2026, 10, 30) + i * 1_000_000, 2000));
      await rig.drained(30_000);
    }
    expect(rig.sim.stats().pointsStored).toBe(10_000);
    expect(rig.sim.stats().ingestRequests).toBe(5);
    expect(rig.sync.status().uploadedTotal).toBe(10_000);
    const warned = logLines(rig).filter((l) => l.includes('in a shape this version does not read'));
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatch(/WARN.*\{batch:object,ok:boolean\}/);
  });

  it('a create answered unreadably is looked up, never created again', async () => {
    rig = await viaProxy(
      {
        // The device is created, but the answer carries no id; the list does not carry external ids.
        rewrite: (req, res) => {
          if (req.method === 'POST' && req.url === '/v1/devices') return { ...res, body: '{"data":{"created":true}}' };
          if (req.method === 'GET' && req.url.startsWith('/v1/devices'))
            return { ...res, body: res.body.replace(/"external_id":"[^"]*",?/g, '') };
          return res;
        },
      },
      { dialect: 'minimal' },
    );
    await rig.ready(20_000);
    expect(rig.sim.stats().devicesCreated).toBe(1);
    const posts = proxy!.seen.filter((r) => r.method === 'POST' && r.url === '/v1/devices');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(rig.sync.status().devices[0]?.cloudId).toBe(rig.sim.devices()[0]?.id);
  });

  it('an update answered unreadably keeps the device uploading to its asset, and says why', async () => {
    let garble = false;
    rig = await viaProxy({
      rewrite: (req, res) =>
        garble && /^\/v1\/devices\/[^/?]+/.test(req.url) ? { ...res, body: '{"data":{"ok":1}}' } : res,
    });
    await rig.ready();
    const asset = rig.sync.status().devices[0]?.cloudId;
    garble = true;
    const d = rig.store.devices.get(rig.device.id)!;
    rig.store.devices.save({ ...d.config, id: d.id, name: 'Boiler PLC renamed' });
    rig.sync.devicesChanged();
    await waitFor(() => rig!.sync.status().devices[0]?.state === 'error', 10_000, 'the update to fail');
    expect(rig.sync.status().devices[0]).toMatchObject({
      cloudId: asset,
      message: expect.stringContaining('does not understand') as string,
    });
    rig.write(samplesOf(rig.device, Date.UTC(2026, 10, 30), 200));
    await rig.drained();
    expect(new Set(rig.sim.points().map((p) => p.asset_id))).toEqual(new Set([asset]));
  });

  it('a batch refused with a status nobody documents goes to Rejected points after 3 tries, never resent for ever', async () => {
    rig = await viaProxy({
      answer: (req) =>
        req.method === 'POST' && req.url.startsWith('/v1/telemetry')
          ? { status: 410, body: JSON.stringify({ error: { code: 'gone', message: 'this tenant is archived' } }) }
          : undefined,
    });
    await rig.ready();
    rig.write(samplesOf(rig.device, Date.UTC(2026, 10, 30), 500));
    await rig.drained(30_000);
    const ingests = proxy!.seen.filter((r) => r.method === 'POST' && r.url.startsWith('/v1/telemetry'));
    expect(ingests).toHaveLength(3);
    // The same batch each time, under one key.
    expect(new Set(ingests.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    expect(rig.sync.status().rejectedTotal).toBe(500);
    expect(rig.sync.rejections(1)[0]).toMatchObject({
      code: 'GONE',
      message: expect.stringContaining('archived') as string,
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(proxy!.seen.filter((r) => r.method === 'POST' && r.url.startsWith('/v1/telemetry'))).toHaveLength(3);
    expect(logLines(rig).some((l) => /WARN.*refused a batch of 500 points 3 time/.test(l))).toBe(true);
  });

  it('a redirect is not followed with the key, and the state says where it pointed', async () => {
    rig = await viaProxy((sim) => ({
      answer: (req) => ({ status: 307, headers: { location: `${sim.url}${req.url.slice(3)}` }, body: '' }),
    }));
    rig.write(samplesOf(rig.device, Date.UTC(2026, 10, 30), 100));
    await waitFor(() => rig!.sync.status().state === 'problem', 10_000, 'the problem state');
    // The simulator (where the redirect pointed) never saw a request with the key.
    expect(rig.sim.stats().requests).toBe(0);
    expect(rig.sync.status().summary).toMatch(/redirects to 127\.0\.0\.1:\d+; the API key is not sent there/);
    expect(rig.store.outbox.current.samples).toBe(100);
  });

  it('the key goes only to the host it was entered for', async () => {
    rig = await startSyncRig({ baseUrlIn: 'settings' });
    await rig.ready();
    const { freePort } = await import('../helpers/free-port.js');
    const other = `http://127.0.0.1:${await freePort()}/v1`;
    const status = rig.sync.configure({ baseUrl: other });
    expect(status.state).toBe('off');
    expect(status.summary).toMatch(/key was entered for 127\.0\.0\.1:\d+.*Enter the key again/);
    await expect(rig.sync.testKey()).resolves.toMatchObject({ ok: false });
    rig.write(samplesOf(rig.device, Date.UTC(2026, 10, 30), 100));
    await new Promise((r) => setTimeout(r, 300));
    expect(rig.store.outbox.current.samples).toBe(100);
    // Back to the host it was entered for: it is used again.
    const back = rig.sync.configure({ baseUrl: rig.sim.url });
    expect(back.state).not.toBe('off');
    await rig.drained();
  });

  it('refuses a plain-http address that is not this computer, and an address with a password in it', async () => {
    const { SyncConfigureInput } = await import('../../main/domain/sync/sync-configure-input.js');
    const problem = (baseUrl: string): string | undefined =>
      SyncConfigureInput.safeParse({ baseUrl }).error?.issues[0]?.message;
    expect(problem('http://twinedge.plant.example/v1')).toMatch(/plain http sends the API key unencrypted/);
    expect(problem('https://u:p@twinedge.example/v1')).toMatch(/user name or password/);
    expect(problem('https://twinedge.example/v1')).toBeUndefined();
    expect(problem('http://127.0.0.1:8480/v1')).toBeUndefined();
    expect(problem('http://localhost:8480/v1')).toBeUndefined();
  });
});
