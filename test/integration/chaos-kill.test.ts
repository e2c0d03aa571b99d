import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../main/log/logger.js';
import { EnvSecretStore, secretEnvName } from '../../main/secrets/env-store.js';
import { Store } from '../../main/store/store.js';
import { scopes } from '../../main/domain/cloud/account.js';
import { API_KEY_SECRET, SyncService } from '../../main/sync/sync-service.js';
import { dialects, startCloudSim, type CloudSim, type Dialect } from '../sim/cloud/index.js';
import { Rng } from '../helpers/contract-fuzz.js';
import { freePort } from '../helpers/free-port.js';
import { linkInStore, storedAndCloudKeys, TEST_KEY } from '../helpers/sync-fixture.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const root = new URL('../..', import.meta.url).pathname;
const script = join(root, 'test/fixtures/sync-app.ts');

/** Kills per dialect: ours gets the long run, the other readings a shorter one each. */
const killsIn = (dialect: Dialect): number => (dialect === 'ours' ? 10 : 4);
/** The generator device: GEN_TAGS samples every GEN_STEP_MS (2,000 samples/s) on top of the demo plant. */
const GEN_TAGS = 40;
const GEN_STEP_MS = 20;

/** One life of the child app: what it said it committed. */
interface Run {
  /** Generator start: source times are t0 + k * step, k = 0, 1, 2... with no gaps. */
  t0: number | null;
  /** Per tag id, the newest source time the child reported as committed. */
  committed: Map<number, number>;
}

const startApp = async (dataDir: string, url: string, run: Run): Promise<ChildProcess> => {
  const [opcua, modbus] = [await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', script, dataDir, url, String(opcua), String(modbus), String(GEN_TAGS), String(GEN_STEP_MS)],
    {
      cwd: root,
      env: { ...process.env, [secretEnvName(API_KEY_SECRET)]: TEST_KEY },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let partial = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (b: Buffer) => {
      // Only whole lines count: a line cut by the kill was not fully reported.
      const lines = (partial + b.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'READY') resolve();
        else if (line.startsWith('G ')) run.t0 = Number(line.split(' ')[1]);
        else if (line.startsWith('C ')) {
          for (const pair of line.slice(2).split(',')) {
            const [tag, ts] = pair.split('=').map(Number) as [number, number];
            run.committed.set(tag, Math.max(ts, run.committed.get(tag) ?? 0));
          }
        } else out += `${line}\n`;
      }
    });
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

/**
 * Checks what a killed child reported: every reported sample is stored and, for the generator, every sample
 * before it too (a committed batch implies all earlier ones). Returns how many committed samples were checked.
 */
const checkCommitted = (store: Store, run: Run, generatorTags: ReadonlySet<number>): number => {
  let checked = 0;
  for (const [tag, ts] of run.committed) {
    if (generatorTags.has(tag) && run.t0 !== null) {
      const expected = (ts - run.t0) / GEN_STEP_MS + 1;
      const stored = store.samples.history(tag, run.t0, ts, 100_000_000).ts.length;
      expect(stored, `generator tag ${tag}: samples from ${run.t0} to ${ts}`).toBe(expected);
      checked += expected;
    } else {
      expect(store.samples.history(tag, ts, ts, 10).ts, `tag ${tag} at ${ts}`).toEqual([ts]);
      checked++;
    }
  }
  return checked;
};

/** kill -9 of the app at random moments during heavy ingest and upload: store intact, nothing lost, nothing twice. */
describe.each(dialects)('chaos: kill -9 during heavy ingest with store and forward (%s dialect)', (dialect) => {
  let sim: CloudSim;
  const dir = tempDir('twinedge-crash-');
  afterAll(async () => {
    await sim?.close();
    dir.remove();
  });
  const KILLS = killsIn(dialect);

  it(`survives ${KILLS} kills: integrity ok, no committed sample lost, none uploaded twice`, async () => {
    // Latency keeps a request in flight most of the time, so kills land mid-upload.
    sim = await startCloudSim({
      keys: [{ key: TEST_KEY, tier: 'enterprise', scopes: [...scopes], name: 'crash test' }],
      faults: { latencyMs: 60, latencyJitterMs: 60 },
      seed: 3,
      dialect,
    });
    const rng = new Rng(11);
    const storePath = join(dir.path, 'twinedge.sqlite');
    const runs: Run[] = [];
    const delays: number[] = [];
    let checked = 0;
    let generatorTags = new Set<number>();
    for (let round = 0; round < KILLS; round++) {
      const run: Run = { t0: null, committed: new Map() };
      runs.push(run);
      const child = await startApp(dir.path, sim.url, run);
      const before = sim.stats().ingestRequests;
      // With a telemetry-only key nothing uploads until the devices are linked (after the first life).
      const linking = dialect === 'strict-scopes' && round === 0;
      if (!linking) await waitFor(() => sim.stats().ingestRequests > before + 2, 30_000, 'uploads to flow');
      await waitFor(() => run.committed.size > GEN_TAGS, 30_000, 'generator samples to be committed');
      const delay = Math.round(100 + rng.next() * 1400);
      delays.push(delay);
      await new Promise((r) => setTimeout(r, delay));
      await killed(child);

      const store = Store.open(storePath);
      try {
        expect(store.database.pragma('integrity_check', { simple: true })).toBe('ok');
        const gen = store.devices.list().find((d) => d.config.name === 'Chaos generator');
        generatorTags = new Set(gen?.tags.map((t) => t.id));
        expect(generatorTags.size).toBe(GEN_TAGS);
        checked += checkCommitted(store, run, generatorTags);
        if (linking) linkInStore(store, sim);
      } finally {
        store.close();
      }
    }
    expect(sim.stats().ingestRequests).toBeGreaterThan(3 * (dialect === 'strict-scopes' ? KILLS - 1 : KILLS));

    // Drain what is left with the same code, no collectors running, then compare both sides.
    const store = Store.open(storePath);
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
        90_000,
        'the backlog to drain',
      );
      expect(store.database.pragma('integrity_check', { simple: true })).toBe('ok');
      // Every run's committed samples are still there after all the later kills.
      for (const run of runs) checkCommitted(store, run, generatorTags);
      const { local, remote } = storedAndCloudKeys(store, sim);
      console.log(
        `kill -9 chaos (${dialect}): ${KILLS} kills after ${delays.join('/')} ms, ${checked} committed samples checked, ` +
          `${local.length} samples stored, ${remote.length} in TwinEdge, ${sim.stats().ingestRequests} ingest requests, ` +
          `${sim.stats().duplicatePoints} duplicates`,
      );
      expect(local.length).toBeGreaterThan(KILLS * 1000);
      expect(sim.stats().duplicatePoints).toBe(0);
      expect(remote.length).toBe(new Set(remote).size);
      expect(remote.sort()).toEqual(local.sort());
      expect(store.sync.rejections(10)).toEqual([]);
      // Registration interrupted by kills never made twins: at most one TwinEdge device per local device.
      expect(sim.stats().devicesCreated).toBeLessThanOrEqual(
        dialect === 'strict-scopes' ? 0 : store.devices.list().length,
      );
    } finally {
      await sync.stop();
      store.close();
    }
  }, 240_000);
});
