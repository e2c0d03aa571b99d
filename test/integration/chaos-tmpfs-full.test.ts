import { execFileSync } from 'node:child_process';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../main/app/create-app.js';
import { StatusCodes } from '../../main/domain/sample/status-codes.js';
import { EnvSecretStore } from '../../main/secrets/env-store.js';
import { Store } from '../../main/store/store.js';
import { GeneratorCollector } from '../helpers/generator-collector.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { holdingFloats } from '../helpers/device.js';
import { lineLogger } from '../helpers/line-logger.js';

/**
 * A real full disk: the data dir is a 16 MiB tmpfs (room for SQLite's default 4 MiB write-ahead log), filled to the last byte by a filler file (removing it is
 * "space returns"). Needs root for mount; where mounting is refused the tests are skipped and say why.
 */
const TAGS = 10;
const STEP_MS = 10;

const tryMount = (dir: string): string | null => {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', dir], { stdio: 'pipe' });
    return null;
  } catch (err) {
    return err instanceof Error ? err.message.split('\n')[0]! : String(err);
  }
};
const probe = tempDir('twinedge-tmpfs-probe-');
const mountRefused = tryMount(probe.path);
if (!mountRefused) execFileSync('umount', [probe.path]);
probe.remove();
if (mountRefused) console.warn(`chaos-tmpfs-full skipped: mount -t tmpfs was refused here (${mountRefused})`);

/**
 * Appends zeros until the file system says ENOSPC. The store's write-ahead log is truncated first (in the same
 * tick, so no write comes between): otherwise small transactions still fit in the log's already allocated space.
 */
const fill = (file: string, app: App, truncateLog = true): void => {
  if (truncateLog) app.store!.database.pragma('wal_checkpoint(TRUNCATE)');
  const fd = openSync(file, 'a');
  const chunk = Buffer.alloc(16 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOSPC') throw err;
  }
  // The last bytes: smaller writes until not even one fits.
  try {
    for (;;) writeSync(fd, Buffer.alloc(512));
  } catch {
    // full
  }
  closeSync(fd);
};

const lines: string[] = [];
const log = lineLogger(lines);

const produced = new Map<number, number>();
const totalProduced = (): number => [...produced.values()].reduce((a, b) => a + b, 0);

const startApp = async (
  dataDir: string,
  extra: { sampleBufferLimit?: number; stderr?: (l: string) => void; storeReserveBytes?: number },
) => {
  produced.clear();
  lines.length = 0;
  const app = await createApp({
    dataDir,
    shell: 'browser',
    version: 'test',
    logger: log,
    statusIntervalMs: 100,
    demo: { enabled: false },
    secretStore: new EnvSecretStore({}),
    storeCheckDelayMs: 60_000,
    storeReserveBytes: 1024 * 1024,
    collectorFactory: (device, events) => new GeneratorCollector(device, events, { stepMs: STEP_MS, produced }),
    ...extra,
  });
  const saved = await app.router.invoke('devices.save', {
    name: 'Fast PLC',
    protocol: 'modbus',
    settings: { host: '127.0.0.1', port: 1 },
    tags: holdingFloats(TAGS),
  });
  expect(saved.ok).toBe(true);
  return app;
};

const stored = (path: string): { good: number; markers: { tagId: number; ts: number }[] } => {
  const s = Store.open(path);
  try {
    const db = s.database;
    const good = (db.prepare('SELECT count(*) AS n FROM samples WHERE quality = 0').get() as { n: number }).n;
    const markers = db
      .prepare('SELECT tag_id AS tagId, ts FROM samples WHERE quality = ? ORDER BY tag_id, ts')
      .all(StatusCodes.BadDataLost) as { tagId: number; ts: number }[];
    return { good, markers };
  } finally {
    s.close();
  }
};

describe.skipIf(mountRefused !== null)('chaos: a real full disk (tmpfs data dir)', () => {
  const mounts: string[] = [];
  let app: App | undefined;
  const mountDir = (): string => {
    const d = tempDir('twinedge-tmpfs-');
    expect(tryMount(d.path)).toBeNull();
    mounts.push(d.path);
    return d.path;
  };
  afterAll(async () => {
    await app?.stop();
    for (const m of mounts) {
      try {
        execFileSync('umount', [m]);
      } catch {
        // not mounted
      }
      rmSync(m, { recursive: true, force: true });
    }
  });

  it('counts samples lost past the memory buffer, says so once, and marks the gap per tag', async () => {
    const dir = mountDir();
    app = await startApp(dir, { sampleBufferLimit: 3000 });
    const storePath = join(dir, 'twinedge.sqlite');
    await waitFor(() => totalProduced() > 2000, 20_000, 'samples to be stored');
    fill(join(dir, 'filler'), app);
    await waitFor(() => app!.status().storeError !== null, 20_000, 'the store to refuse writes');
    expect(app.status().storeError).toMatch(/cannot grow: the disk is full while storing samples/);
    // Past the buffer: 3,000 held, the rest counted as lost while the disk stays full.
    await waitFor(() => (app!.status().samplesLost?.total ?? 0) > 5000, 20_000, 'samples to be lost');
    const during = app.status().samplesLost!;
    expect(during.latest.ongoing).toBe(true);
    expect(during.latest.tags).toBe(TAGS);
    // Settings change on the full disk: plain words, no "Internal error".
    const changed = await app.router.invoke('settings.update', { trendWindowMinutes: 37 });
    expect(changed.ok).toBe(false);
    if (!changed.ok) {
      expect(changed.error.code).toBe('store_unavailable');
      expect(changed.error.message).toMatch(/twinedge\.sqlite cannot grow: the disk is full\. Nothing was changed/);
      expect(changed.error.message).not.toMatch(/Internal error/);
    }
    expect(lines.filter((l) => l.includes('Samples are being lost')).length).toBe(1);

    // Space returns: the held samples and one marker per tag are stored; the episode is reported once, ended.
    rmSync(join(dir, 'filler'));
    await waitFor(() => app!.status().storeError === null, 20_000, 'writes to resume');
    await waitFor(() => app!.status().samplesLost?.latest.ongoing === false, 20_000, 'the gap markers stored');
    const lostTotal = app.status().samplesLost!.total;
    const ended = lines.filter((l) => l.includes('while the data store could not be written'));
    expect(ended).toHaveLength(1);
    expect(ended[0]).toContain(`(${lostTotal.toLocaleString('en-US')} lost since start)`);
    await app.stop();
    app = undefined;
    const after = stored(storePath);
    console.log(
      `tmpfs full: ${totalProduced()} produced, ${after.good} stored, ${lostTotal} lost, ${after.markers.length} markers`,
    );
    expect(after.good + lostTotal).toBe(totalProduced());
    // One marker per tag, at the first lost source time: the trend shows the gap from there.
    expect(new Set(after.markers.map((m) => m.tagId)).size).toBe(TAGS);
    expect(after.markers).toHaveLength(TAGS);
  }, 90_000);

  const stopOnFullDisk = async (reserveBytes: number): Promise<{ kept: number; lost: number; stderr: string[] }> => {
    const dir = mountDir();
    const stderr: string[] = [];
    app = await startApp(dir, { stderr: (l) => stderr.push(l), storeReserveBytes: reserveBytes });
    const storePath = join(dir, 'twinedge.sqlite');
    await waitFor(() => totalProduced() > 3000, 30_000, 'samples to be stored');
    // The log keeps its allocated size (as on a disk that filled up by itself).
    fill(join(dir, 'filler'), app, false);
    await waitFor(() => app!.status().storeError !== null, 20_000, 'the store to refuse writes');
    const storedWhenFull = (app.store!.database.prepare('SELECT count(*) AS n FROM samples').get() as { n: number }).n;
    const producedWhenFull = totalProduced();
    await waitFor(() => totalProduced() > producedWhenFull + 3000, 20_000, 'a backlog to be held');
    await app.stop();
    app = undefined;
    const report = lines.find((l) => /^(ERROR|INFO) Stopping: /.test(l) && l.includes('held in memory'));
    expect(report, lines.join('\n')).toBeDefined();
    const lost = /Stopping: ([\d,]+) samples held in memory could not be stored/.exec(report!)?.[1];
    const lostCount = lost ? Number(lost.replace(/,/g, '')) : 0;
    rmSync(join(dir, 'filler'));
    const after = stored(storePath);
    console.log(
      `stop on a full disk (reserve ${reserveBytes} B): ${totalProduced()} produced, ${storedWhenFull} stored ` +
        `when the disk filled, ${after.good} stored after stop, ${lostCount} reported lost`,
    );
    // Nothing unaccounted for: every sample produced is stored or was reported lost.
    expect(after.good + lostCount).toBe(totalProduced());
    return { kept: after.good - storedWhenFull, lost: lostCount, stderr };
  };

  it('at stop on a full disk releases its reserve and stores the samples held in memory', async () => {
    const r = await stopOnFullDisk(1024 * 1024);
    expect(r.lost).toBe(0);
    expect(r.kept).toBeGreaterThan(3000);
    expect(lines).toContain('WARN Stopping on a full disk: released the room kept for this beside the data store.');
  }, 90_000);

  it('at stop on a full disk without a reserve reports the samples lost, in the log and on stderr', async () => {
    const r = await stopOnFullDisk(0);
    expect(r.lost).toBeGreaterThan(3000);
    const line = lines.find((l) => l.startsWith('ERROR Stopping: '))!;
    expect(line).toMatch(/could not be stored and are lost \(.*the disk is full while storing samples\)/);
    expect(r.stderr).toEqual([line.replace(/^ERROR /, '')]);
  }, 90_000);
});
