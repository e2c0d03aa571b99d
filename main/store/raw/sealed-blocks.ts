import type Database from 'better-sqlite3';
import type { Sample } from '../../domain/sample/sample.js';
import type { Db } from '../database.js';
import { decodeBlock, encodeBlock } from './block-codec.js';

/** One stored block's key and extent. */
export interface BlockSpan {
  tagId: number;
  t0: number;
  t1: number;
  n: number;
}

interface BlockRow {
  t0: number;
  t1: number;
  n: number;
  data: Buffer;
}

/**
 * Most samples one block holds: a day of a 1 s tag fits, a faster tag's day is cut into several blocks, so one
 * decode stays bounded (a few ms) and a late sample rewrites at most this many.
 */
export const MAX_BLOCK_SAMPLES = 131_072;
/** Decoded blocks kept for duplicate checks and repeated reads (a day block is ~2 MB decoded). */
const CACHE_BLOCKS = 8;

/** What SealedBlocks keeps in memory, per connection. */
const memories = new WeakMap<Db, { until: Map<number, number | null>; cache: Map<string, Sample[]> }>();

/**
 * A tag's older raw samples, sealed into compact blocks (table sample_blocks, migration 10). Only raw-samples.ts
 * reads through this; the compactor writes through it, so the in-memory sealedUntil and decode cache stay right.
 * A tag's blocks never overlap, and no sample is both in a block and a row of `samples` (inserts check has()).
 */
export class SealedBlocks {
  private readonly lastStmt: Database.Statement<[number, number]>;
  private readonly lastSpanStmt: Database.Statement<[number, number]>;
  private readonly firstStmt: Database.Statement<[number]>;
  private readonly afterStmt: Database.Statement<[number, number, number]>;
  private readonly descStmt: Database.Statement<[number, number]>;
  private readonly insertStmt: Database.Statement<[number, number, number, number, Buffer]>;
  private readonly deleteStmt: Database.Statement<[number, number]>;
  private readonly nextTagStmt: Database.Statement<[number]>;
  private readonly oldBlocksStmt: Database.Statement<[number, number, number]>;
  private readonly tagBlocksStmt: Database.Statement<[number, number]>;
  private readonly deleteUpToStmt: Database.Statement<[number, number]>;
  /** Per tag: the newest time its blocks cover (null: none), loaded on first use. */
  private readonly until: Map<number, number | null>;
  private readonly cache: Map<string, Sample[]>;

  constructor(private readonly db: Db) {
    // Shared by every instance on this connection: the compactor's writes are seen by the insert path's has().
    let memory = memories.get(db);
    if (!memory) {
      memory = { until: new Map(), cache: new Map() };
      memories.set(db, memory);
    }
    this.until = memory.until;
    this.cache = memory.cache;
    // The block starting at or before a time (blocks never overlap, so it is the only one that may cover it).
    this.lastStmt = db.prepare(
      'SELECT t0, t1, n, data FROM sample_blocks WHERE tag_id = ? AND t0 <= ? ORDER BY t0 DESC LIMIT 1',
    );
    this.lastSpanStmt = db.prepare(
      'SELECT t1 FROM sample_blocks WHERE tag_id = ? AND t0 <= ? ORDER BY t0 DESC LIMIT 1',
    );
    this.firstStmt = db.prepare('SELECT t0 FROM sample_blocks WHERE tag_id = ? ORDER BY t0 LIMIT 1');
    this.afterStmt = db.prepare(
      'SELECT t0, t1, n, data FROM sample_blocks WHERE tag_id = ? AND t0 > ? AND t0 <= ? ORDER BY t0',
    );
    this.descStmt = db.prepare(
      'SELECT t0, t1, n, data FROM sample_blocks WHERE tag_id = ? AND t0 <= ? ORDER BY t0 DESC',
    );
    this.insertStmt = db.prepare('INSERT INTO sample_blocks (tag_id, t0, t1, n, data) VALUES (?, ?, ?, ?, ?)');
    this.deleteStmt = db.prepare('DELETE FROM sample_blocks WHERE tag_id = ? AND t0 = ?');
    this.nextTagStmt = db.prepare('SELECT tag_id FROM sample_blocks WHERE tag_id > ? ORDER BY tag_id LIMIT 1');
    this.oldBlocksStmt = db.prepare(
      'SELECT t0, t1, n FROM sample_blocks WHERE tag_id = ? AND t0 < ? ORDER BY t0 LIMIT ?',
    );
    this.tagBlocksStmt = db.prepare('SELECT t0, n FROM sample_blocks WHERE tag_id = ? ORDER BY t0 LIMIT ?');
    this.deleteUpToStmt = db.prepare('DELETE FROM sample_blocks WHERE tag_id = ? AND t0 <= ?');
  }

  /** Samples of a tag in [from, to] held in blocks, oldest first, at most `limit`. */
  range(tagId: number, from: number, to: number, limit: number): Sample[] {
    const out: Sample[] = [];
    if (limit <= 0 || from > to) return out;
    const take = (row: BlockRow): boolean => {
      const samples = this.decoded(tagId, row);
      let i = lowerBound(samples, from);
      while (i < samples.length && out.length < limit) {
        const s = samples[i++]!;
        if (s.ts > to) return false;
        out.push(s);
      }
      return out.length < limit;
    };
    const first = this.lastStmt.get(tagId, from) as BlockRow | undefined;
    if (first && first.t1 >= from && !take(first)) return out;
    for (const row of this.afterStmt.iterate(tagId, from, to) as IterableIterator<BlockRow>) {
      if (!take(row)) break;
    }
    return out;
  }

  /** Samples of a tag in [from, to] held in blocks, newest first, at most `limit` (for latest values). */
  rangeDesc(tagId: number, from: number, to: number, limit: number): Sample[] {
    const out: Sample[] = [];
    if (limit <= 0 || from > to) return out;
    for (const row of this.descStmt.iterate(tagId, to) as IterableIterator<BlockRow>) {
      if (row.t1 < from) break;
      const samples = this.decoded(tagId, row);
      for (let i = lowerBound(samples, to + 1) - 1; i >= 0 && out.length < limit; i--) {
        const s = samples[i]!;
        if (s.ts < from) break;
        out.push(s);
      }
      if (out.length >= limit || row.t0 < from) break;
    }
    return out;
  }

  /** True when a sample of this tag at exactly `ts` is held in a block (duplicate detection on insert). */
  has(tagId: number, ts: number): boolean {
    const until = this.sealedUntil(tagId);
    if (until === null || ts > until) return false;
    const row = this.lastStmt.get(tagId, ts) as BlockRow | undefined;
    if (!row || row.t1 < ts) return false;
    const samples = this.decoded(tagId, row);
    return samples[lowerBound(samples, ts)]?.ts === ts;
  }

  /** The newest time any block of this tag covers, or null: samples after it cannot be in a block. */
  sealedUntil(tagId: number): number | null {
    const known = this.until.get(tagId);
    if (known !== undefined) return known;
    const row = this.lastSpanStmt.get(tagId, Number.MAX_SAFE_INTEGER) as { t1: number } | undefined;
    const until = row ? row.t1 : null;
    this.until.set(tagId, until);
    return until;
  }

  /** Time of the tag's oldest sample held in a block, or null. */
  oldest(tagId: number): number | null {
    return (this.firstStmt.get(tagId) as { t0: number } | undefined)?.t0 ?? null;
  }

  /** Samples held in blocks (all tags). */
  count(): number {
    return (this.db.prepare('SELECT coalesce(sum(n), 0) AS n FROM sample_blocks').get() as { n: number }).n;
  }

  /** Deletes blocks that end before `cutoff`, at most `limit` blocks; returns the samples they held. */
  deleteBefore(cutoff: number, limit: number): number {
    let left = Math.max(1, Math.floor(limit));
    let samples = 0;
    // Tag by tag along the primary key (a skip scan): no index on t1 is needed, blocks of a tag are in time order.
    let tag = this.nextTag(-Infinity);
    while (tag !== null && left > 0) {
      const rows = this.oldBlocksStmt.all(tag, cutoff, left) as { t0: number; t1: number; n: number }[];
      for (const r of rows) {
        if (r.t1 >= cutoff) break;
        this.remove(tag, r.t0);
        samples += r.n;
        left--;
      }
      tag = this.nextTag(tag);
    }
    return samples;
  }

  /** Deletes at most `limit` blocks of this tag; returns the samples they held. */
  deleteTag(tagId: number, limit: number): number {
    const rows = this.tagBlocksStmt.all(tagId, Math.max(1, Math.floor(limit))) as { t0: number; n: number }[];
    const last = rows.at(-1);
    if (!last) return 0;
    this.deleteUpToStmt.run(tagId, last.t0);
    this.until.delete(tagId);
    for (const r of rows) this.cache.delete(`${tagId}:${r.t0}`);
    return rows.reduce((sum, r) => sum + r.n, 0);
  }

  // What the compactor needs (call inside its transaction).

  /** The next tag id after `after` that has blocks, or null. */
  nextTag(after: number): number | null {
    return (this.nextTagStmt.get(after) as { tag_id: number } | undefined)?.tag_id ?? null;
  }

  /** Blocks of a tag overlapping [from, to], oldest first, with their samples. */
  overlapping(tagId: number, from: number, to: number): { span: BlockSpan; samples: Sample[] }[] {
    const out: { span: BlockSpan; samples: Sample[] }[] = [];
    const add = (row: BlockRow): void => {
      out.push({ span: { tagId, t0: row.t0, t1: row.t1, n: row.n }, samples: this.decoded(tagId, row) });
    };
    const first = this.lastStmt.get(tagId, from) as BlockRow | undefined;
    if (first && first.t1 >= from) add(first);
    for (const row of this.afterStmt.iterate(tagId, from, to) as IterableIterator<BlockRow>) add(row);
    return out;
  }

  /** The end (t1) of the block whose range holds `ts`, or null. */
  covering(tagId: number, ts: number): number | null {
    const until = this.sealedUntil(tagId);
    if (until === null || ts > until) return null;
    const row = this.lastSpanStmt.get(tagId, ts) as { t1: number } | undefined;
    return row && row.t1 >= ts ? row.t1 : null;
  }

  /** Blocks of a tag starting in [from, to), oldest first (without decoding them). */
  spans(tagId: number, from: number, to: number): BlockSpan[] {
    const rows = this.db
      .prepare('SELECT t0, t1, n FROM sample_blocks WHERE tag_id = ? AND t0 >= ? AND t0 < ? ORDER BY t0')
      .all(tagId, from, to) as { t0: number; t1: number; n: number }[];
    return rows.map((r) => ({ tagId, ...r }));
  }

  /**
   * Seals samples (one tag's, strictly increasing times, overlapping no block left in place) into blocks of at most
   * MAX_BLOCK_SAMPLES each. Returns the blocks written.
   */
  write(tagId: number, samples: readonly Sample[]): number {
    let blocks = 0;
    for (let i = 0; i < samples.length; i += MAX_BLOCK_SAMPLES) {
      const part = samples.slice(i, i + MAX_BLOCK_SAMPLES);
      const t0 = part[0]!.ts;
      const t1 = part[part.length - 1]!.ts;
      const data = encodeBlock(part);
      this.insertStmt.run(tagId, t0, t1, part.length, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      // Only ever raised here: a rolled-back seal leaves it too high, which only costs a block lookup.
      const until = this.sealedUntil(tagId);
      if (until === null || t1 > until) this.until.set(tagId, t1);
      blocks++;
    }
    return blocks;
  }

  /** Removes one block (its samples are being rewritten into another). */
  remove(tagId: number, t0: number): void {
    this.deleteStmt.run(tagId, t0);
    this.cache.delete(`${tagId}:${t0}`);
    // Reloaded on next use: the newest block may be the one removed.
    this.until.delete(tagId);
  }

  /** Forgets what is kept in memory (after another connection changed the blocks, or a rolled-back delete). */
  forget(): void {
    this.until.clear();
    this.cache.clear();
  }

  private decoded(tagId: number, row: BlockRow): Sample[] {
    const key = `${tagId}:${row.t0}`;
    const hit = this.cache.get(key);
    if (hit && hit.length === row.n) {
      // Most recently used last (Map keeps insertion order).
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const samples = decodeBlock(tagId, row.data);
    this.cache.set(key, samples);
    if (this.cache.size > CACHE_BLOCKS) this.cache.delete(this.cache.keys().next().value as string);
    return samples;
  }
}

/** Index of the first sample at or after `ts` (samples in time order). */
const lowerBound = (samples: readonly Sample[], ts: number): number => {
  let lo = 0;
  let hi = samples.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (samples[mid]!.ts < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};
