import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeBlock } from '../../main/store/raw/block-codec.js';
import { startPeer } from '../helpers/child-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { crashExpected } from '../fixtures/compaction-data.js';

const CHILD = join(import.meta.dirname, '..', 'fixtures', 'compaction-child.ts');

interface Stored {
  tagId: number;
  ts: number;
  value: number | null;
  quality: number;
}

/** Every sample in the file: rows and decoded blocks, each with where it came from. */
const readFile = (path: string): { integrity: string; rows: Stored[]; sealed: Stored[] } => {
  const db = new Database(path);
  try {
    const integrity = db.pragma('integrity_check', { simple: true }) as string;
    const rows = db.prepare('SELECT tag_id AS tagId, ts, value, quality FROM samples').all() as Stored[];
    const blocks = db.prepare('SELECT tag_id, t0, t1, n, data FROM sample_blocks ORDER BY tag_id, t0').all() as {
      tag_id: number;
      t0: number;
      t1: number;
      n: number;
      data: Buffer;
    }[];
    const sealed: Stored[] = [];
    let prev: { tag: number; t1: number } | null = null;
    for (const b of blocks) {
      const samples = decodeBlock(b.tag_id, b.data);
      expect(samples.length).toBe(b.n);
      expect([samples[0]?.ts, samples.at(-1)?.ts]).toEqual([b.t0, b.t1]);
      if (prev && prev.tag === b.tag_id) expect(b.t0).toBeGreaterThan(prev.t1);
      prev = { tag: b.tag_id, t1: b.t1 };
      sealed.push(...samples);
    }
    return { integrity, rows, sealed };
  } finally {
    db.close();
  }
};

describe('compaction killed with SIGKILL', () => {
  let dir: ReturnType<typeof tempDir> | undefined;
  afterEach(() => dir?.remove());

  for (const [rounds, extraMs] of [
    [200, 0],
    [160, 137],
  ] as const) {
    it(`keeps every committed sample exactly once (killed after ${rounds} rounds + ${extraMs} ms)`, async () => {
      dir = tempDir();
      const path = join(dir.path, 'crash.sqlite');
      const child = await startPeer(
        'compaction child',
        process.execPath,
        ['--import', 'tsx', CHILD, path],
        new RegExp(`committed (${rounds})\\n`),
        60_000,
      );
      await new Promise((r) => setTimeout(r, extraMs));
      await child.kill();
      const printed = [...child.output().matchAll(/committed (\d+)/g)].map((m) => Number(m[1]));
      const last = Math.max(...printed);
      const { integrity, rows, sealed } = readFile(path);
      expect(integrity).toBe('ok');
      const keys = new Map<string, Stored>();
      for (const s of [...rows, ...sealed]) {
        const key = `${s.tagId}:${s.ts}`;
        expect(keys.has(key), `sample ${key} held twice`).toBe(false);
        keys.set(key, s);
      }
      // Rounds after the last print seen may have committed before the kill (their lines not yet read).
      const candidates = [0, 1, 2, 3].map((k) => crashExpected(last + k));
      const all = candidates.find((c) => c.size === keys.size) ?? candidates[0]!;
      expect(keys.size).toBe(all.size);
      for (const [key, w] of all) {
        const got = keys.get(key);
        expect(got, `sample ${key} missing`).toBeDefined();
        expect([got!.value, got!.quality]).toEqual([w.value, w.quality]);
      }
      expect(sealed.length).toBeGreaterThan(0);
    });
  }
});
