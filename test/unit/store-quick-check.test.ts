import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { closeSync, copyFileSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HISTORY_TABLES, quickCheck } from '../../main/store/integrity-check.js';
import { Store } from '../../main/store/store.js';
import { tempDir } from '../helpers/temp-dir.js';

const LARGE = 10 * 1024 ** 3;

/** The bounded quick_check at open: whole file when small; on a large store every table but the history ones. */
describe('quick check at open', () => {
  const dir = tempDir('twinedge-qc-');
  const original = join(dir.path, 'store.sqlite');
  let pages: { settings: number; samples: number; pageSize: number };

  beforeAll(() => {
    const store = Store.open(original);
    for (let i = 0; i < 200; i++) store.settings.set(`k${i}`, { text: 'x'.repeat(200), i });
    const batch = Array.from({ length: 50_000 }, (_, i) => ({ tagId: 1 + (i % 5), ts: i, value: i, quality: 0 }));
    store.writeSamples(batch, null);
    const db = store.database;
    const page = (name: string): number =>
      (
        db.prepare("SELECT max(pageno) AS p FROM dbstat WHERE name = ? AND pagetype = 'leaf'").get(name) as {
          p: number;
        }
      ).p;
    pages = {
      settings: page('settings'),
      samples: page('samples'),
      pageSize: db.pragma('page_size', { simple: true }) as number,
    };
    store.close();
  });
  afterAll(() => dir.remove());

  const damaged = (name: string, page: number): Database.Database => {
    const file = join(dir.path, `${name}.sqlite`);
    copyFileSync(original, file);
    const fd = openSync(file, 'r+');
    writeSync(fd, randomBytes(pages.pageSize), 0, pages.pageSize, (page - 1) * pages.pageSize);
    closeSync(fd);
    return new Database(file, { readonly: true });
  };

  it('finds damage in a configuration table of a large store', () => {
    const db = damaged('settings', pages.settings);
    try {
      expect(quickCheck(db, LARGE).ok).toBe(false);
    } finally {
      db.close();
    }
  });

  it('leaves a large store’s history pages to the background check, and checks them on a small one', () => {
    const db = damaged('samples', pages.samples);
    try {
      expect(quickCheck(db, LARGE).ok).toBe(true);
      const small = quickCheck(db, 1024 * 1024);
      expect(small.ok).toBe(false);
      expect(small.kind).toBe('quick');
      expect(small.problems.length).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });

  it('names only tables the store has, and every table that grows with history', () => {
    const db = new Database(original, { readonly: true });
    try {
      const tables = new Set(
        (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all() as { name: string }[]).map(
          (r) => r.name,
        ),
      );
      expect([...HISTORY_TABLES].filter((t) => !tables.has(t))).toEqual([]);
      // The outbox grows through an outage and server events with the server's event rate: both are history.
      expect(HISTORY_TABLES.has('sync_outbox') && HISTORY_TABLES.has('server_events')).toBe(true);
    } finally {
      db.close();
    }
  });
});
