import { afterAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../main/app/create-app.js';
import type { DeviceView } from '../../main/domain/device/device-view.js';
import type { SampleTuple } from '../../main/domain/sample/sample-tuple.js';
import { silentLogger } from '../../main/log/logger.js';
import { EnvSecretStore, secretEnvName } from '../../main/secrets/env-store.js';
import { scopes } from '../../main/domain/cloud/account.js';
import { API_KEY_SECRET } from '../../main/sync/sync-service.js';
import { startCloudSim, type CloudSim } from '../sim/cloud/index.js';
import { Rng } from '../helpers/contract-fuzz.js';
import { freePort } from '../helpers/free-port.js';
import { startOpcUaServer, type OpcUaServerProcess } from '../helpers/opcua-server.js';
import { startPyModbus, type PyModbus } from '../helpers/pymodbus.js';
import { storedAndCloudKeys, TEST_KEY } from '../helpers/sync-fixture.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const CYCLES = 2;
const FLAPS = 6;

const invoke = async <T>(app: App, name: string, input: unknown): Promise<T> => {
  const r = await app.router.invoke(name, input);
  if (!r.ok) throw new Error(`${name}: ${r.error.code}: ${r.error.message}`);
  return r.value as T;
};

/** Servers killed and restarted, TwinEdge flapping: the app recovers by itself, uploads everything once. */
describe('chaos: OPC UA and Modbus servers restarted, TwinEdge flapping', () => {
  const dir = tempDir('twinedge-restart-');
  const pki = tempDir('twinedge-restart-pki-');
  let sim: CloudSim | undefined;
  let app: App | undefined;
  let opcua: OpcUaServerProcess | undefined;
  let modbus: PyModbus | undefined;
  afterAll(async () => {
    await app?.stop();
    await opcua?.kill();
    await modbus?.stop();
    await sim?.close();
    dir.remove();
    pki.remove();
  });

  it('devices report the loss and reconnect by themselves, samples resume, uploads resume without duplicates', async () => {
    const [uaPort, mbPort] = [await freePort(), await freePort()];
    opcua = await startOpcUaServer(uaPort, pki.path, { variables: 4, updateMs: 100 });
    modbus = await startPyModbus(mbPort);
    sim = await startCloudSim({
      keys: [{ key: TEST_KEY, tier: 'enterprise', scopes: [...scopes], name: 'restart test' }],
      seed: 5,
    });
    const cloud = sim;
    app = await createApp({
      dataDir: dir.path,
      shell: 'browser',
      version: 'test',
      logger: silentLogger,
      statusIntervalMs: 100,
      demo: { enabled: false },
      secretStore: new EnvSecretStore({ [secretEnvName(API_KEY_SECRET)]: TEST_KEY }),
      sync: {
        baseUrl: cloud.url,
        refreshMs: 3_600_000,
        uploader: { maxPoints: 500, liveIntervalMs: 100, backoff: { baseMs: 50, capMs: 500 } },
      },
    });
    const a = app;
    const ua = await invoke<DeviceView>(a, 'devices.save', {
      name: 'Line 1 OPC UA',
      protocol: 'opcua',
      settings: { endpointUrl: `opc.tcp://127.0.0.1:${uaPort}`, publishingIntervalMs: 100, reconnectMaxDelayMs: 500 },
      tags: Array.from({ length: 4 }, (_, i) => ({ name: `V${i}`, nodeId: `ns=1;s=V${i}`, samplingIntervalMs: 100 })),
    });
    const mb = await invoke<DeviceView>(a, 'devices.save', {
      name: 'Line 1 PLC',
      protocol: 'modbus',
      settings: { host: '127.0.0.1', port: mbPort, pollIntervalMs: 100, timeoutMs: 300, reconnectMaxDelayMs: 500 },
      tags: [
        { name: 'HR9', area: 'holding', address: 9, dataType: 'uint16' },
        { name: 'HR20', area: 'holding', address: 20, dataType: 'uint16' },
      ],
    });
    const state = (id: number): string | undefined => a.status().devices.find((d) => d.deviceId === id)?.state;
    const newest = async (device: DeviceView): Promise<number> => {
      const latest = await invoke<SampleTuple[]>(a, 'samples.latest', { tagIds: device.tags.map((t) => t.id) });
      return Math.max(0, ...latest.filter((s) => s[3] === 0).map((s) => s[1]));
    };
    const bothCollect = async (after: number, what: string): Promise<void> => {
      await waitFor(() => state(ua.id) === 'connected' && state(mb.id) === 'connected', 60_000, `${what}: connected`);
      await waitFor(
        async () => (await newest(ua)) > after && (await newest(mb)) > after,
        60_000,
        `${what}: good samples from both`,
      );
    };
    await bothCollect(0, 'first start');
    await waitFor(() => cloud.stats().ingestRequests > 2, 30_000, 'uploads to flow');

    const seen: string[] = [];
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      // A PLC losing power, a gateway restarted, TwinEdge unreachable, all at once.
      await opcua.kill();
      await modbus.stop();
      cloud.setFaults({ down: true });
      await waitFor(
        () => state(ua.id) !== 'connected' && state(mb.id) !== 'connected',
        30_000,
        'both devices to report the loss',
      );
      const lost = a.status().devices.filter((d) => d.deviceId === ua.id || d.deviceId === mb.id);
      for (const d of lost) {
        seen.push(`${d.state} (${d.message ?? ''})`);
        expect(d.message ?? '', `device ${d.deviceId} says why`).not.toBe('');
      }
      await new Promise((r) => setTimeout(r, 1000));
      const restartedAt = Date.now();
      opcua = await startOpcUaServer(uaPort, pki.path, { variables: 4, updateMs: 100 });
      modbus = await startPyModbus(mbPort);
      cloud.setFaults({ down: false });
      await bothCollect(restartedAt, `after restart ${cycle + 1}`);
    }

    // TwinEdge flapping: outages of a few hundred ms, seeded.
    const rng = new Rng(17);
    const uploadsBefore = cloud.stats().ingestRequests;
    for (let i = 0; i < FLAPS; i++) {
      cloud.setFaults({ down: true });
      await new Promise((r) => setTimeout(r, rng.int(200, 800)));
      cloud.setFaults({ down: false });
      await new Promise((r) => setTimeout(r, rng.int(100, 500)));
    }
    await waitFor(() => cloud.stats().ingestRequests > uploadsBefore + 3, 30_000, 'uploads to resume after flapping');

    // Stop collecting, let the backlog drain, compare both sides.
    for (const d of [ua, mb]) await invoke(a, 'devices.save', { ...d.config, enabled: false });
    const store = a.store!;
    await waitFor(
      () => store.outbox.current.samples === 0 && store.sync.inflight() === null,
      60_000,
      'the backlog to drain',
    );
    const { local, remote } = storedAndCloudKeys(store, cloud);
    console.log(
      `restart chaos: ${CYCLES} server kill/restart cycles (states seen while down: ${[...new Set(seen)].join('; ')}), ` +
        `${FLAPS} TwinEdge flaps, ${local.length} samples stored, ${remote.length} in TwinEdge, ` +
        `${cloud.stats().ingestRequests} ingest requests, ${cloud.stats().duplicatePoints} duplicates`,
    );
    expect(store.database.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(cloud.stats().duplicatePoints).toBe(0);
    expect(remote.length).toBe(new Set(remote).size);
    expect(remote.sort()).toEqual(local.sort());
    expect(store.sync.rejections(10)).toEqual([]);
  }, 180_000);
});
