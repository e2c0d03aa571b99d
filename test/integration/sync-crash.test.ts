import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../main/log/logger.js';
import { EnvSecretStore, secretEnvName } from '../../main/secrets/env-store.js';
import { Store } from '../../main/store/store.js';
import { scopes } from '../../main/sync/api/model.js';
import { API_KEY_SECRET, SyncService } from '../../main/sync/sync-service.js';
import { startCloudSim, type CloudSim } from '../sim/cloud/index.js';
import { freePort } from '../helpers/free-port.js';
import { TEST_KEY } from '../helpers/sync-fixture.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const root = new URL('../..', import.meta.url).pathname;
const script = join(root, 'test/fixtures/sync-app.ts');

const startApp = async (dataDir: string, url: string): Promise<ChildProcess> => {
  const [opcua, modbus] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, ['--import', 'tsx', script, dataDir, url, String(opcua), String(modbus)], {
    cwd: root,
    env: { ...process.env, [secretEnvName(API_KEY_SECRET)]: TEST_KEY },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (b: Buffer): void => {
      out += b.toString();
      if (out.includes('READY')) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
    child.once('exit', (code) => reject(new Error(`app exited (${code}): ${out}`)));
  });
  return child;
};

const killed = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

/** kill -9 of the app at random moments while it collects and uploads: nothing lost, nothing twice. */
describe('store and forward across kill -9', () => {
  let sim: CloudSim;
  const dir = tempDir('twinedge-crash-');
  afterAll(async () => {
    await sim?.close();
    dir.remove();
  });

  it('loses no committed sample and uploads none twice', async () => {
    // Latency keeps a request in flight most of the time, so kills land mid-upload.
    sim = await startCloudSim({
      keys: [{ key: TEST_KEY, tier: 'enterprise', scopes: [...scopes], name: 'crash test' }],
      faults: { latencyMs: 60, latencyJitterMs: 60 },
      seed: 3,
    });
    let seed = 11;
    const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let round = 0; round < 4; round++) {
      const child = await startApp(dir.path, sim.url);
      const before = sim.stats().ingestRequests;
      await waitFor(() => sim.stats().ingestRequests > before + 2, 30_000, 'uploads to flow');
      await new Promise((r) => setTimeout(r, 200 + random() * 1200));
      await killed(child);
    }
    expect(sim.stats().ingestRequests).toBeGreaterThan(12);

    // Drain what is left with the same code, no collectors running, then compare both sides.
    const store = Store.open(join(dir.path, 'twinedge.sqlite'));
    const sync = new SyncService({
      store,
      secrets: new EnvSecretStore({ [secretEnvName(API_KEY_SECRET)]: TEST_KEY }),
      log: createLogger({ console: false }),
      onStatus: () => undefined,
      baseUrl: sim.url,
      refreshMs: 3_600_000,
      uploader: { maxPoints: 5000, liveIntervalMs: 50 },
    });
    try {
      sync.devicesChanged();
      await sync.start();
      await waitFor(
        () => store.outbox.current.samples === 0 && store.sync.inflight() === null,
        60_000,
        'the backlog to drain',
      );
      const assets = new Map(store.sync.links().map((l) => [l.cloudId, l.deviceId]));
      const local: string[] = [];
      for (const d of store.devices.list()) {
        for (const t of d.tags) {
          const h = store.samples.history(t.id, 0, Number.MAX_SAFE_INTEGER, 100_000_000);
          for (const ts of h.ts) local.push(`${d.id}/${t.name}@${new Date(ts).toISOString()}`);
        }
      }
      const remote = sim.points().map((p) => `${assets.get(p.asset_id) ?? '?'}/${p.tag_name}@${p.timestamp}`);
      expect(local.length).toBeGreaterThan(200);
      expect(sim.stats().duplicatePoints).toBe(0);
      expect(remote.length).toBe(new Set(remote).size);
      expect(remote.sort()).toEqual(local.sort());
      expect(store.sync.rejections(10)).toEqual([]);
    } finally {
      await sync.stop();
      store.close();
    }
  }, 240_000);
});
