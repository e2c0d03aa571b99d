import type Database from 'better-sqlite3';
import type { Db } from './database.js';
import type { RollupsRepo } from './rollups-repo.js';
import type { SealedBlocks } from './raw/sealed-blocks.js';

/** What one step did. */
export interface PurgeStep {
  /** Rows deleted (samples, rollups and dirty marks). */
  rows: number;
  /** A tag whose data are now all gone (its queue entry removed with the last rows). */
  finished: number | null;
  /** Nothing was queued: the purge is done. */
  idle: boolean;
}

/** Tables holding a tag's data, in the order they are emptied (dirty marks first: no recompute of a half-deleted minute). */
const TABLES = [
  { table: 'rollup_dirty', col: 'bucket' },
  { table: 'samples', col: 'ts' },
  { table: 'rollup_1m', col: 'bucket' },
  { table: 'rollup_1h', col: 'bucket' },
] as const;

/** Sealed blocks of a deleted tag removed per step. */
const BLOCKS_PER_STEP = 16;

interface TableStatements {
  /** The key below which exactly `n` rows of the tag lie, when it has more than that. */
  nth: Database.Statement<[number, number]>;
  deleteUpTo: Database.Statement<[number, number]>;
  deleteAll: Database.Statement<[number]>;
}

/**
 * The data of deleted tags, removed in bounded steps: a device with millions of samples went in one DELETE that held
 * the event loop (and the writer) for over a second. Tags are queued in the transaction that deletes them (the
 * device and its tags disappear at once); each step deletes at most `rows` rows of the first queued tag by key range.
 */
export class TagPurge {
  private readonly first: Database.Statement<[]>;
  private readonly unqueue: Database.Statement<[number]>;
  private readonly queue: Database.Statement<[number, number]>;
  private readonly tables: TableStatements[];

  constructor(
    private readonly db: Db,
    private readonly rollups: RollupsRepo,
    private readonly blocks: SealedBlocks,
  ) {
    this.first = db.prepare('SELECT tag_id FROM tag_purge ORDER BY tag_id LIMIT 1');
    this.unqueue = db.prepare('DELETE FROM tag_purge WHERE tag_id = ?');
    this.queue = db.prepare('INSERT OR IGNORE INTO tag_purge (tag_id, queued_at) VALUES (?, ?)');
    this.tables = TABLES.map(({ table, col }) => ({
      nth: db.prepare(`SELECT ${col} AS k FROM ${table} WHERE tag_id = ? ORDER BY ${col} LIMIT 1 OFFSET ?`),
      deleteUpTo: db.prepare(`DELETE FROM ${table} WHERE tag_id = ? AND ${col} <= ?`),
      deleteAll: db.prepare(`DELETE FROM ${table} WHERE tag_id = ?`),
    }));
  }

  private listener: (() => void) | null = null;

  /** Queues tags for removal of their data (call in the transaction that deletes the tags). */
  enqueue(tagIds: readonly number[], now = Date.now()): void {
    for (const id of tagIds) this.queue.run(id, now);
    if (tagIds.length > 0) this.listener?.();
  }

  /** `fn` runs whenever tags are queued (still inside the deleting transaction: it must only schedule work). */
  onQueued(fn: () => void): void {
    this.listener = fn;
  }

  /** Tags whose data are still being removed. */
  pending(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM tag_purge').get() as { n: number }).n;
  }

  /** Deletes up to `rows` rows of the first queued tag, in one transaction. */
  step(rows: number): PurgeStep {
    const limit = Math.max(1, Math.floor(rows));
    return this.db.transaction((): PurgeStep => {
      const next = this.first.get() as { tag_id: number } | undefined;
      if (!next) return { rows: 0, finished: null, idle: true };
      const tagId = next.tag_id;
      let left = limit;
      for (const t of this.tables) {
        const bound = t.nth.get(tagId, left - 1) as { k: number } | undefined;
        if (bound) {
          // Exactly `left` rows up to the bound (keys are unique per tag): the step is full.
          t.deleteUpTo.run(tagId, bound.k);
          return { rows: limit, finished: null, idle: false };
        }
        left -= t.deleteAll.run(tagId).changes;
      }
      // Sealed blocks last, a few per step (each holds up to a day of samples; deleting one frees its pages).
      const sealed = this.blocks.deleteTag(tagId, BLOCKS_PER_STEP);
      if (sealed > 0 && this.blocks.oldest(tagId) !== null)
        return { rows: limit - left + sealed, finished: null, idle: false };
      left -= sealed;
      this.unqueue.run(tagId);
      // Nothing left of the tag: its id may be reused, so its "already marked dirty" memory goes too.
      this.rollups.deleteTags([tagId]);
      return { rows: Math.max(0, limit - left), finished: tagId, idle: false };
    })();
  }
}
