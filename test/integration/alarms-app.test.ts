import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../main/app/create-app.js';
import type { CallName, WireResult } from '../../main/contract/wire.js';
import type { CallOutput } from '../../main/contract/contract.js';
import type { SampleTuple } from '../../main/domain/sample/sample-tuple.js';
import { createLogger } from '../../main/log/logger.js';
import { EnvSecretStore, secretEnvName } from '../../main/secrets/env-store.js';
import { scopes } from '../../main/domain/cloud/account.js';
import { TwinEdgeClient } from '../../main/sync/client/twinedge-client.js';
import { API_KEY_SECRET } from '../../main/sync/sync-service.js';
import { startCloudSim, type CloudSim } from '../sim/cloud/index.js';
import { freePort } from '../helpers/free-port.js';
import { TEST_KEY } from '../helpers/sync-fixture.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

/** Alarms in the whole app: default demo rules, and rules pushed to and pulled from the local TwinEdge API. */
describe('alarms in the app', () => {
  let sim: CloudSim;
  let app: App;
  const dir = tempDir('twinedge-alarms-app-');

  const call = async <K extends CallName>(name: K, input: unknown): Promise<CallOutput<K>> => {
    const r = (await app.router.invoke(name, input)) as WireResult<CallOutput<K>>;
    if (!r.ok) throw new Error(`${name}: ${r.error.code}: ${r.error.message}`);
    return r.value;
  };

  beforeAll(async () => {
    sim = await startCloudSim({ keys: [{ key: TEST_KEY, tier: 'enterprise', scopes: [...scopes], name: 'alarms' }] });
    app = await createApp({
      dataDir: dir.path,
      shell: 'browser',
      version: 'test',
      logger: createLogger({ console: false }),
      demo: { enabled: true, opcuaPort: await freePort(), modbusPort: await freePort() },
      secretStore: new EnvSecretStore({ [secretEnvName(API_KEY_SECRET)]: TEST_KEY }),
      sync: { baseUrl: sim.url, refreshMs: 3_600_000 },
    });
  });
  afterAll(async () => {
    await app?.stop();
    await sim?.close();
    dir.remove();
  });

  it('installs the default demo rules once, on the demo Modbus device', async () => {
    const rules = await call('alarms.rules', {});
    expect(rules.length).toBeGreaterThan(5);
    expect(rules.every((r) => r.source === 'demo')).toBe(true);
    expect(rules.some((r) => r.name === 'T-101 level high' && r.severity === 'warning')).toBe(true);
    expect(rules.some((r) => r.severity === 'critical' && r.conditions[0]?.kind === 'offline')).toBe(true);
    const devices = await call('devices.list', {});
    const modbus = devices.find((d) => d.config.protocol === 'modbus');
    const tagIds = new Set(modbus?.tags.map((t) => t.id));
    expect(rules.flatMap((r) => r.conditions).every((c) => c.kind === 'offline' || tagIds.has(c.tagId))).toBe(true);
  });

  it('pushes a local rule to TwinEdge and evaluates TwinEdge rules that name local tags', async () => {
    await waitFor(
      async () => (await call('sync.status', {})).devices.every((d) => d.state === 'synced'),
      20_000,
      'device registration',
    );
    const devices = await call('devices.list', {});
    const modbus = devices.find((d) => d.config.protocol === 'modbus')!;
    const level = modbus.tags.find((t) => t.name === 'T-101 level')!;
    const local = await call('alarms.saveRule', {
      name: 'T-101 level above 95 %',
      severity: 'critical',
      conditions: [{ kind: 'threshold', tagId: level.id, operator: '>', threshold: 95 }],
      onDelaySeconds: 10,
    });
    const pushed = await call('alarms.pushRule', { id: local.id });
    expect(pushed.cloudId).toMatch(/.+/);
    const api = new TwinEdgeClient({ baseUrl: sim.url, apiKey: TEST_KEY, maxRetries: 0 });
    const remote = (await api.listAlertRules({ per_page: 100 })).items.find((r) => r.id === pushed.cloudId);
    const assetId = (await call('sync.status', {})).devices.find((d) => d.deviceId === modbus.id)?.cloudId ?? '';
    expect(remote).toMatchObject({
      name: 'T-101 level above 95 %',
      severity: 'critical',
      conditions: [{ asset_id: assetId, tag_name: 'T-101 level', operator: '>', threshold: 95, duration_seconds: 10 }],
    });

    // A stale/quality rule has no TwinEdge equivalent: refused with a reason, nothing created.
    const stale = await call('alarms.saveRule', {
      name: 'Level stale',
      severity: 'warning',
      conditions: [{ kind: 'stale', tagId: level.id, afterSeconds: 30 }],
    });
    const refused = await app.router.invoke('alarms.pushRule', { id: stale.id });
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: expect.stringMatching(/no "stale"/) as string },
    });

    // Rules made in TwinEdge on our tags are pulled and evaluated here; others stay in TwinEdge.
    await api.createAlertRule({
      name: 'Inflow surge (from TwinEdge)',
      severity: 'warning',
      conditions: [{ asset_id: assetId, tag_name: 'T-101 inflow', operator: '>', threshold: 120 }],
    });
    await api.createAlertRule({
      name: 'Another site',
      severity: 'info',
      conditions: [{ asset_id: 'elsewhere', tag_name: 'Flow', operator: '>', threshold: 1 }],
    });
    await call('cloud.alerts', { refresh: true });
    const rules = await call('alarms.rules', {});
    const pulled = rules.filter((r) => r.source === 'cloud');
    expect(pulled.map((r) => r.name)).toEqual(['Inflow surge (from TwinEdge)']);
    expect(pulled[0]?.conditions).toEqual([
      {
        kind: 'threshold',
        tagId: modbus.tags.find((t) => t.name === 'T-101 inflow')!.id,
        operator: '>',
        threshold: 120,
      },
    ]);
    // Our pushed rule is not pulled back as a second copy.
    expect(rules.filter((r) => r.name === 'T-101 level above 95 %')).toHaveLength(1);
    const { source: _s, cloudId: _c, createdAt: _a, updatedAt: _u, ...config } = pulled[0]!;
    const edit = await app.router.invoke('alarms.saveRule', config);
    expect(edit).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/comes from TwinEdge/) as string },
    });
  });

  it('a text rule on the demo Modbus batch id string: "changes to" raises on the write, clears on the next text', async () => {
    const devices = await call('devices.list', {});
    const modbus = devices.find((d) => d.config.protocol === 'modbus')!;
    const batch = modbus.tags.find((t) => t.name === 'Batch ID')!;
    const rule = await call('alarms.saveRule', {
      name: 'Batch B-TEXT-42 started',
      severity: 'info',
      ackMode: 'auto',
      conditions: [{ kind: 'text', tagId: batch.id, operator: 'changes-to', text: 'B-TEXT-42' }],
    });
    const active = async () => (await call('alarms.active', {})).find((a) => a.ruleId === rule.id);
    // The engine sees the batch id's present text first (another one): saving the rule raises nothing. Collected,
    // not stored: the demo device stores on change, so a constant text is stored once per max interval.
    const saved = Date.now();
    let seen = false;
    const unsubscribe = app.events.subscribe((event, payload) => {
      if (event === 'samples.batch') {
        seen ||= (payload as { samples: SampleTuple[] }).samples.some(([id, ts]) => id === batch.id && ts > saved);
      }
    });
    await waitFor(() => seen, 15_000, 'a new batch id sample').finally(unsubscribe);
    expect(await active()).toBeUndefined();

    await call('modbus.write', { deviceId: modbus.id, tagId: batch.id, value: 'B-TEXT-42' });
    await waitFor(async () => (await active())?.state === 'active-unacked', 15_000, 'the text alarm raised');
    expect((await active())?.condition).toBe('Batch ID changes to “B-TEXT-42”');

    await call('modbus.write', { deviceId: modbus.id, tagId: batch.id, value: 'B-TEXT-43' });
    await waitFor(async () => (await active()) === undefined, 15_000, 'the text alarm cleared');
    const history = await call('alarms.history', { ruleId: rule.id });
    expect(history.map((e) => e.kind).sort()).toEqual(['cleared', 'raised']);
  });
});
