import { afterAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../main/app/create-app.js';
import { silentLogger } from '../../main/log/logger.js';
import { EnvSecretStore } from '../../main/secrets/env-store.js';
import { Store } from '../../main/store/store.js';
import { GeneratorCollector } from '../helpers/generator-collector.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { holdingFloats } from '../helpers/device.js';

const TAGS = 20;
const STEP_MS = 10;

/** What the generator handed over, per tag. */
const produced = new Map<number, number>();
const totalProduced = (): number => [...produced.values()].reduce((a, b) => a + b, 0);

const count = (store: Store): number =>
  (store.database.prepare('SELECT count(*) AS n FROM samples').get() as { n: number }).n;

/**
 * Disk full, played with SQLite's page cap on the app's own connection (PRAGMA max_page_count): writes fail
 * with SQLITE_FULL exactly as on a full disk, and raising the cap is "space returns".
 */
describe('chaos: the store runs out of space', () => {
  const dir = tempDir('twinedge-full-');
  let app: App | undefined;
  afterAll(async () => {
    await app?.stop();
    dir.remove();
  });

  it('says so in plain words, holds samples in memory, stays intact and stores them all when space returns', async () => {
    app = await createApp({
      dataDir: dir.path,
      shell: 'browser',
      version: 'test',
      logger: silentLogger,
      statusIntervalMs: 100,
      demo: { enabled: false },
      secretStore: new EnvSecretStore({}),
      collectorFactory: (device, events) => new GeneratorCollector(device, events, { stepMs: STEP_MS, produced }),
    });
    const saved = await app.router.invoke('devices.save', {
      name: 'Fast PLC',
      protocol: 'modbus',
      settings: { host: '127.0.0.1', port: 1 },
      tags: holdingFloats(TAGS),
    });
    expect(saved.ok).toBe(true);
    const store = app.store!;
    const db = store.database;
    await waitFor(() => count(store) > 2000, 20_000, 'samples to be stored');

    // "The disk fills up": no page beyond those the file has now.
    const pages = db.pragma('page_count', { simple: true }) as number;
    const defaultCap = db.pragma('max_page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    await waitFor(() => app!.status().storeError !== null, 20_000, 'the store to refuse writes');
    const message = app.status().storeError ?? '';
    expect(message).toMatch(
      /^Samples are not being recorded: The data store .*twinedge\.sqlite cannot grow: the disk is full while storing samples\.$/,
    );
    const storedWhenFull = count(store);
    const producedWhenFull = totalProduced();
    // Samples keep coming and are held, not stored: the store does not grow meanwhile.
    await waitFor(
      () => totalProduced() > producedWhenFull + 10 * TAGS * 20,
      20_000,
      'samples to keep coming while the store is full',
    );
    expect(count(store)).toBe(storedWhenFull);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const heldStatus = app.status();
    expect(heldStatus.storeError).toBe(message);
    // Reads still work while writes are refused.
    const list = await app.router.invoke('devices.list', {});
    expect(list.ok).toBe(true);

    // "Space returns": writes resume by themselves, the banner goes away, nothing was dropped.
    db.pragma(`max_page_count = ${defaultCap}`);
    await waitFor(() => app!.status().storeError === null, 20_000, 'writes to resume');
    await waitFor(() => count(store) > storedWhenFull + 10 * TAGS * 20, 20_000, 'held samples to be stored');
    await app.stop();
    const reopened = Store.open(store.path);
    try {
      expect(reopened.database.pragma('integrity_check', { simple: true })).toBe('ok');
      const device = reopened.devices.list()[0]!;
      const perTag = device.tags.map((t) => produced.get(t.id) ?? 0);
      const stored = device.tags.map((t) => reopened.samples.history(t.id, 0, Number.MAX_SAFE_INTEGER, 1e8).ts.length);
      console.log(
        `disk full: refused writes at ${storedWhenFull} samples (${pages} pages), ` +
          `${perTag.reduce((a, b) => a + b, 0)} produced, ${stored.reduce((a, b) => a + b, 0)} stored after space returned`,
      );
      expect(stored).toEqual(perTag);
    } finally {
      reopened.close();
    }
  }, 90_000);
});
