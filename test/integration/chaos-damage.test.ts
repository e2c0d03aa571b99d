import { createHash, randomBytes } from 'node:crypto';
import { closeSync, copyFileSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../main/app/create-app.js';
import type { Sample } from '../../main/domain/sample/sample.js';
import { silentLogger } from '../../main/log/logger.js';
import { EnvSecretStore } from '../../main/secrets/env-store.js';
import type { StoreCheck } from '../../main/domain/store-check.js';
import { GeneratorCollector } from '../helpers/generator-collector.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { holdingFloats } from '../helpers/device.js';

const PAGE = 4096;
const TAGS = 10;

const hash = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Overwrites `length` bytes at `offset` with random bytes (a torn write, a bad sector). */
const damage = (file: string, offset: number, length: number): void => {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, randomBytes(length), 0, length, offset);
  } finally {
    closeSync(fd);
  }
};

const start = (dataDir: string): Promise<App> =>
  createApp({
    dataDir,
    shell: 'browser',
    version: 'test',
    logger: silentLogger,
    statusIntervalMs: 100,
    demo: { enabled: false },
    secretStore: new EnvSecretStore({}),
    storeCheckDelayMs: 60_000,
    storeReserveBytes: 0,
    collectorFactory: (device, events) => new GeneratorCollector(device, events, { stepMs: 20 }),
  });

const count = (app: App): number =>
  (app.store!.database.prepare('SELECT count(*) AS n FROM samples').get() as { n: number }).n;

/**
 * Bytes overwritten in copies of a real store (written by the app, about 3 MB): at open, and under a running app.
 */
describe('chaos: a damaged store file', () => {
  const root = tempDir('twinedge-damage-');
  const original = join(root.path, 'original', 'twinedge.sqlite');
  let app: App | undefined;

  beforeAll(async () => {
    mkdirSync(join(root.path, 'original'));
    const a = await start(join(root.path, 'original'));
    const saved = await a.router.invoke('devices.save', {
      name: 'Line 1',
      protocol: 'modbus',
      settings: { host: '127.0.0.1', port: 1 },
      tags: holdingFloats(TAGS),
    });
    expect(saved.ok).toBe(true);
    // A day of history, written the way the app writes it.
    const ids = a.store!.devices.list()[0]!.tags.map((t) => t.id);
    const t0 = Date.now() - 86_400_000;
    for (let k = 0; k < 10; k++) {
      const batch: Sample[] = [];
      for (const tagId of ids)
        for (let i = 0; i < 1000; i++) batch.push({ tagId, ts: t0 + (k * 1000 + i) * 8000, value: i, quality: 0 });
      a.store!.writeSamples(batch, null);
    }
    await a.stop();
    expect(statSync(original).size).toBeGreaterThan(1_000_000);
  });
  afterAll(async () => {
    await app?.stop();
    root.remove();
  });

  const copy = (name: string): { dir: string; file: string } => {
    const dir = join(root.path, name);
    mkdirSync(dir);
    const file = join(dir, 'twinedge.sqlite');
    copyFileSync(original, file);
    return { dir, file };
  };

  const openDamaged = async (name: string, offset: number, length: number): Promise<string> => {
    const { dir, file } = copy(name);
    damage(file, offset, length);
    const before = hash(file);
    app = await start(dir);
    const message = app.status().storeError ?? '';
    expect(app.store).toBeNull();
    // Recording stops, the app keeps answering, and the file is exactly as it was.
    const list = await app.router.invoke('devices.list', {});
    expect(list.ok).toBe(false);
    await app.stop();
    app = undefined;
    expect(hash(file)).toBe(before);
    return message;
  };

  it('64 KiB of random bytes in the middle: refused at open with the store banner, file untouched', async () => {
    const size = statSync(original).size;
    const message = await openDamaged('middle', Math.floor(size / 2 / PAGE) * PAGE, 64 * 1024);
    expect(message).toMatch(/^The data store .*twinedge\.sqlite is damaged .*TwinEdge has not changed the file/);
  });

  it('pages 2-3 overwritten (the header intact): the store banner, not a demo or query error', async () => {
    const message = await openDamaged('pages-2-3', PAGE, 2 * PAGE);
    expect(message).toMatch(/^The data store .*twinedge\.sqlite is damaged/);
  });

  it('pages 1-3 overwritten: the store banner', async () => {
    const message = await openDamaged('pages-1-3', 0, 3 * PAGE);
    expect(message).toMatch(/^The data store .*twinedge\.sqlite is damaged/);
  });

  it('damage under a running app: the check from Settings finds it, writing stops, the banner says so', async () => {
    const { dir, file } = copy('running');
    app = await start(dir);
    const first = await app.router.invoke('storeCheck.run', {});
    expect(first.ok && (first.value as StoreCheck).ok).toBe(true);
    await waitFor(() => app!.status().devices.some((d) => d.samples > 0), 10_000, 'recording');
    app.store!.database.pragma('wal_checkpoint(TRUNCATE)');
    const size = statSync(file).size;
    damage(file, Math.floor(size / 2 / PAGE) * PAGE, 64 * 1024);
    const result = await app.router.invoke('storeCheck.run', {});
    expect(result.ok).toBe(true);
    const check = (result as { ok: true; value: StoreCheck }).value;
    expect(check.kind).toBe('full');
    expect(check.ok).toBe(false);
    expect(check.problems.length).toBeGreaterThan(0);
    expect(app.status().storeError).toMatch(
      /^The data store .*twinedge\.sqlite is damaged .*found while checking it\. TwinEdge has stopped writing to it/,
    );
    const status = await app.router.invoke('storeCheck.get', {});
    expect(status.ok && status.value).toMatchObject({ running: false, last: { ok: false, kind: 'full' } });
    // No more writes: samples keep coming from the device but the store does not change.
    const stored = count(app);
    const samples = app.status().devices[0]!.samples;
    await waitFor(() => app!.status().devices[0]!.samples > samples + 50, 10_000, 'samples to keep coming');
    expect(count(app)).toBe(stored);
    const saved = await app.router.invoke('settings.update', { trendWindowMinutes: 42 });
    expect(saved.ok).toBe(false);
  });
});
