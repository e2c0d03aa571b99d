import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../main/app/create-app.js';
import type { CallName } from '../../main/contract/wire.js';
import type { CallOutput } from '../../main/contract/contract.js';
import type { Logger } from '../../main/log/logger.js';
import type { Store } from '../../main/store/store.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const call = async <K extends CallName>(app: App, name: K, input: unknown = {}): Promise<CallOutput<K>> => {
  const r = await app.router.invoke(name, input);
  if (!r.ok) throw new Error(`${name}: ${r.error.code}: ${r.error.message}`);
  return r.value as CallOutput<K>;
};

const samplesOf = (store: Store, tagIds: readonly number[]): number => {
  const stmt = store.database.prepare('SELECT count(*) AS n FROM samples WHERE tag_id = ?');
  return tagIds.reduce((n, id) => n + (stmt.get(id) as { n: number }).n, 0);
};

/** Tags still queued for purging in a closed store file. */
const queuedIn = (dataDir: string): number => {
  const db = new Database(join(dataDir, 'twinedge.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM tag_purge').get() as { n: number }).n;
  } finally {
    db.close();
  }
};

/** Deleting a device through the router: gone from the lists at once, its samples in background steps. */
describe('device delete through the app', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const f of cleanup.reverse()) await f();
    cleanup.length = 0;
  });

  it('answers at once, keeps answering calls while the samples go, and stops and resumes the purge', async () => {
    const dir = tempDir();
    cleanup.push(() => dir.remove());
    const lines: string[] = [];
    const log: Logger = {
      debug: () => {},
      info: (m) => lines.push(m),
      warn: (m) => lines.push(m),
      error: (m) => lines.push(m),
    };
    const start = (): Promise<App> =>
      createApp({ dataDir: dir.path, shell: 'browser', version: 'test', logger: log, demo: { enabled: false } });
    let app = await start();
    const tag = (name: string, address: number) => ({ name, area: 'holding', address, dataType: 'uint16' });
    const device = (name: string, tags: ReturnType<typeof tag>[]) =>
      call(app, 'devices.save', { name, protocol: 'modbus', enabled: false, settings: { host: '127.0.0.1' }, tags });
    const gone = await device('Packaging line', [tag('Count', 0), tag('Speed', 1)]);
    const keep = await device('Boiler', [tag('Level', 0)]);
    const store = app.store;
    if (!store) throw new Error('no store');
    const goneIds = gone.tags.map((t) => t.id);
    const t0 = Date.UTC(2026, 10, 1);
    // 2 x 100,000 samples to delete (the default step is 10,000 rows), 1,000 to keep.
    for (const tagId of goneIds) {
      for (let i = 0; i < 100_000; i += 10_000) {
        store.writeSamples(
          Array.from({ length: 10_000 }, (_, k) => ({ tagId, ts: t0 + (i + k) * 1000, value: k, quality: 0 })),
          null,
        );
        await new Promise((resolve) => setImmediate(resolve)); // the fill is not what the stall monitor measures
      }
    }
    const keepId = keep.tags[0]?.id ?? 0;
    store.writeSamples(
      Array.from({ length: 1000 }, (_, k) => ({ tagId: keepId, ts: t0 + k * 1000, value: k, quality: 0 })),
      null,
    );

    await call(app, 'devices.delete', { id: gone.id });
    // The call itself deleted at most one step's rows (before: all 200,000 in the call, in one statement).
    expect(samplesOf(store, goneIds)).toBeGreaterThanOrEqual(200_000 - 10_000);
    expect((await call(app, 'devices.list')).map((d) => d.config.name)).toEqual(['Boiler']);
    expect((await call(app, 'tags.list')).map((t) => t.id)).toEqual([keepId]);
    // Calls are answered between steps while the purge runs.
    let answered = 0;
    while (store.tagPurge.pending() > 0 && answered < 3) {
      await call(app, 'status.get');
      answered++;
    }
    expect(answered).toBeGreaterThan(0);

    // Stopped mid-way: what is left stays queued and goes at the next start.
    await app.stop();
    const left = queuedIn(dir.path);
    // 200,000 rows take 20 steps or more, one per event-loop turn: far more turns than the calls and the stop took.
    expect(left).toBeGreaterThan(0);
    app = await start();
    cleanup.push(() => app.stop());
    const again = app.store;
    if (!again) throw new Error('no store');
    expect(again.tagPurge.pending()).toBe(left);
    await waitFor(() => again.tagPurge.pending() === 0, 20_000, 'the purge to finish');
    expect(samplesOf(again, goneIds)).toBe(0);
    expect(samplesOf(again, [keepId])).toBe(1000);
    expect(lines.some((l) => /Packaging line" deleted; its stored samples are being removed/.test(l))).toBe(true);
    expect(lines.some((l) => /Stored data of deleted tags removed \(\d+ rows in \d+ steps\)/.test(l))).toBe(true);
  });
});
