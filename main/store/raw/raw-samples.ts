import type Database from 'better-sqlite3';
import type { HistorySeries } from '../../domain/sample/history-series.js';
import type { Sample } from '../../domain/sample/sample.js';
import type { SampleTuple } from '../../domain/sample/sample-tuple.js';
import type { Db } from '../database.js';
import { BucketAggregator, type RawAggregate } from './raw-buckets.js';
import { SealedBlocks } from './sealed-blocks.js';
import { rowToSample, type SampleRow } from './sample-row.js';

/**
 * The tables that hold raw samples. Only this folder writes SQL on them (test/unit/raw-access.test.ts checks);
 * others name them through this list (integrity checks).
 */
export const RAW_TABLES = ['samples', 'sample_blocks'] as const;

/** Samples read per step when a range is walked (bounded memory however long the range). */
const WALK_CHUNK = 20_000;
/** Bounds for "any time" (block ranges take numbers, not nulls). */
const ALL_FROM = Number.MIN_SAFE_INTEGER;
const ALL_TO = Number.MAX_SAFE_INTEGER;

/** One tag's raw samples as the retention panel weighs them. */
export interface RawTagStats {
  tagId: number;
  /** Samples held as rows, and their estimated record bytes (to share the table's measured pages out per tag). */
  rowSamples: number;
  rowPayload: number;
  /** Samples held in sealed blocks, and their encoded bytes. */
  blockSamples: number;
  blockPayload: number;
  /** What the stored rows look like (null when the tag has no rows): text, only 0/1, only whole numbers. */
  values: { text: boolean; digital: boolean; integer: boolean } | null;
}

/** The earlier of two times, either of which may be missing. */
export const earlier = (a: number | null, b: number | null): number | null =>
  a === null ? b : b === null ? a : Math.min(a, b);

/** Two oldest-first lists holding different times, merged oldest first, at most `limit`. */
const merge = (a: readonly Sample[], b: readonly Sample[], limit: number): Sample[] => {
  if (b.length === 0) return a.length > limit ? a.slice(0, limit) : [...a];
  if (a.length === 0) return b.length > limit ? b.slice(0, limit) : [...b];
  const out: Sample[] = [];
  let i = 0;
  let j = 0;
  while (out.length < limit && (i < a.length || j < b.length)) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && x.ts < y.ts)) {
      out.push(x as Sample);
      i++;
    } else {
      out.push(y);
      j++;
    }
  }
  return out;
};

// SQLite's on-disk size of an integer (record serial types 0-6; 0 and 1 cost no byte in schema format 4).
const intBytes = (x: string): string =>
  `(CASE WHEN ${x} IN (0, 1) THEN 0 WHEN ${x} BETWEEN -128 AND 127 THEN 1 WHEN ${x} BETWEEN -32768 AND 32767 THEN 2
     WHEN ${x} BETWEEN -8388608 AND 8388607 THEN 3 WHEN ${x} BETWEEN -2147483648 AND 2147483647 THEN 4
     WHEN ${x} BETWEEN -140737488355328 AND 140737488355327 THEN 6 ELSE 8 END)`;
// A REAL whose value is whole (and small enough) is stored as an integer; others take 8 bytes.
const valueBytes = `(CASE WHEN value IS NULL THEN 0
     WHEN value = CAST(value AS INTEGER) AND abs(value) < 140737488355328 THEN ${intBytes('CAST(value AS INTEGER)')}
     ELSE 8 END)`;
// Record header (size and five serial types) and cell header (payload size, a few bytes) per row, then the columns.
const rowBytes = `(9 + ${intBytes('tag_id')} + ${intBytes('ts')} + ${valueBytes} + ${intBytes('quality')}
     + coalesce(length(CAST(text AS BLOB)), 0))`;

/**
 * THE reader and deleter of raw samples: recent and late samples are rows (table samples), older ones sealed
 * blocks (SealedBlocks). Every answer merges both, oldest first; a (tag, time) is never in both (inserts check
 * the blocks, the compactor moves rows into blocks in one transaction).
 */
export class RawSamples {
  private readonly insertOne: Database.Statement<[number, number, number | null, number, string | null]>;
  private readonly oldestOne: Database.Statement<[number]>;
  private readonly newestOne: Database.Statement<[number]>;
  private readonly rangeRows: Database.Statement<[number, number, number, number]>;
  private readonly rangeTuples: Database.Statement<[number, number, number, number]>;
  private readonly countRows: Database.Statement<[number, number, number]>;
  private readonly nthBefore: Database.Statement<[number, number, number]>;
  private readonly deleteRowsBefore: Database.Statement<[number, number]>;
  private readonly nthOfTag: Database.Statement<[number, number]>;
  private readonly deleteRowsUpTo: Database.Statement<[number, number]>;
  private readonly deleteRowsOfTag: Database.Statement<[number]>;
  /** One transaction per batch: the write path's throughput depends on it. */
  readonly insertBatch: (batch: readonly Sample[]) => void;

  constructor(
    private readonly db: Db,
    private readonly blocks: SealedBlocks = new SealedBlocks(db),
  ) {
    // OR IGNORE: a server may resend a value with the same source timestamp after a reconnect.
    this.insertOne = db.prepare(
      'INSERT OR IGNORE INTO samples (tag_id, ts, value, quality, text) VALUES (?, ?, ?, ?, ?)',
    );
    this.insertBatch = db.transaction((batch: readonly Sample[]) => void this.insertNew(batch));
    // Per tag, not one min(ts) over the table: with tag_id fixed, min(ts) is one seek along the primary key.
    this.oldestOne = db.prepare('SELECT min(ts) AS v FROM samples WHERE tag_id = ?');
    this.newestOne = db.prepare(
      'SELECT ts, value, quality, text FROM samples WHERE tag_id = ? ORDER BY ts DESC LIMIT 1',
    );
    this.rangeRows = db.prepare(
      'SELECT ts, value, quality, text FROM samples WHERE tag_id = ? AND ts >= ? AND ts <= ? ORDER BY ts LIMIT ?',
    );
    this.rangeTuples = db
      .prepare('SELECT ts, value, quality FROM samples WHERE tag_id = ? AND ts >= ? AND ts <= ? ORDER BY ts LIMIT ?')
      .raw(true);
    this.countRows = db.prepare('SELECT count(*) AS n FROM samples WHERE tag_id = ? AND ts >= ? AND ts <= ?');
    this.nthBefore = db.prepare('SELECT ts AS t FROM samples WHERE tag_id = ? AND ts < ? ORDER BY ts LIMIT 1 OFFSET ?');
    this.deleteRowsBefore = db.prepare('DELETE FROM samples WHERE tag_id = ? AND ts < ?');
    this.nthOfTag = db.prepare('SELECT ts AS t FROM samples WHERE tag_id = ? ORDER BY ts LIMIT 1 OFFSET ?');
    this.deleteRowsUpTo = db.prepare('DELETE FROM samples WHERE tag_id = ? AND ts <= ?');
    this.deleteRowsOfTag = db.prepare('DELETE FROM samples WHERE tag_id = ?');
  }

  /**
   * Inserts a batch (call inside a transaction) and returns the samples that were not already stored, as rows or
   * in a sealed block. Only a time at or before the tag's sealed boundary can be in a block: the check is skipped
   * for everything newer (nearly every live sample).
   */
  insertNew(batch: readonly Sample[]): Sample[] {
    const fresh: Sample[] = [];
    const sealed = new Map<number, number | null>();
    for (const s of batch) {
      let until = sealed.get(s.tagId);
      if (until === undefined) {
        until = this.blocks.sealedUntil(s.tagId);
        sealed.set(s.tagId, until);
      }
      if (until !== null && s.ts <= until && this.blocks.has(s.tagId, s.ts)) continue;
      if (this.insertOne.run(s.tagId, s.ts, s.value, s.quality, s.text ?? null).changes > 0) fresh.push(s);
    }
    return fresh;
  }

  /** Time of the oldest stored sample over these tags; null when none of them has any. */
  oldest(tagIds: Iterable<number>): number | null {
    let out: number | null = null;
    for (const id of tagIds) {
      out = earlier(out, (this.oldestOne.get(id) as { v: number | null }).v);
      out = earlier(out, this.blocks.oldest(id));
    }
    return out;
  }

  /** Raw samples stored (all tags). */
  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM samples').get() as { n: number }).n + this.blocks.count();
  }

  /** True when sealed blocks of this tag may hold samples in [from, to] (else rows alone answer). */
  private blocksIn(tagId: number, from: number, to: number): boolean {
    const until = this.blocks.sealedUntil(tagId);
    if (until === null || until < from) return false;
    const first = this.blocks.oldest(tagId);
    return first !== null && first <= to;
  }

  /** Every stored sample of a tag in [from, to], oldest first, at most `limit` (alarm previews, exports, trends). */
  raw(tagId: number, from: number, to: number, limit = 1_000_000): Sample[] {
    const rows = (this.rangeRows.all(tagId, from, to, limit) as SampleRow[]).map((r) => rowToSample(tagId, r));
    if (!this.blocksIn(tagId, from, to)) return rows;
    return merge(rows, this.blocks.range(tagId, from, to, limit), limit);
  }

  /** Calls `fn` with the tag's samples in [from, to], oldest first, a bounded chunk at a time. */
  walk(tagId: number, from: number, to: number, fn: (chunk: readonly Sample[]) => void, chunk = WALK_CHUNK): void {
    let start = from;
    for (;;) {
      const got = this.raw(tagId, start, to, chunk);
      if (got.length > 0) fn(got);
      const last = got.at(-1);
      if (got.length < chunk || last === undefined || last.ts >= to) return;
      start = last.ts + 1;
    }
  }

  /** Samples of a tag in [from, to]. */
  countRange(tagId: number, from: number, to: number): number {
    return this.countUpTo(tagId, from, to, Infinity).n;
  }

  /**
   * Samples of a tag in [from, to], counting stopped once past `cap` (an export only needs to know it is too many):
   * `exact` false when it stopped early, `n` then more than `cap` but not the whole count.
   */
  countUpTo(tagId: number, from: number, to: number, cap: number): { n: number; exact: boolean } {
    let n = (this.countRows.get(tagId, from, to) as { n: number }).n;
    if (!this.blocksIn(tagId, from, to)) return { n, exact: true };
    // Blocks say how many samples they hold only whole: counted by decoding the range.
    let start = from;
    for (;;) {
      const got = this.blocks.range(tagId, start, to, WALK_CHUNK);
      n += got.length;
      const last = got.at(-1);
      if (got.length < WALK_CHUNK || last === undefined) return { n, exact: true };
      if (n > cap) return { n, exact: false };
      start = last.ts + 1;
    }
  }

  /**
   * Aggregates the tag's samples in [start, end) into buckets of `width` from `start`, oldest first; buckets with
   * no sample are left out. `k` is the bucket's index.
   */
  buckets(tagId: number, start: number, end: number, width: number): { k: number; agg: RawAggregate }[] {
    const out: { k: number; agg: RawAggregate }[] = [];
    let k = -1;
    let acc = new BucketAggregator();
    const add = (ts: number, value: number | null, quality: number): void => {
      const b = Math.floor((ts - start) / width);
      if (b !== k) {
        if (!acc.empty) out.push({ k, agg: acc.result() });
        acc = new BucketAggregator();
        k = b;
      }
      acc.add(ts, value, quality);
    };
    if (this.blocksIn(tagId, start, end - 1)) {
      this.walk(tagId, start, end - 1, (chunk) => {
        for (const s of chunk) add(s.ts, s.value, s.quality);
      });
    } else {
      // Rows only (no block reaches the range): read as arrays, no sample objects (rollup recompute's hot path).
      let from = start;
      for (;;) {
        const rows = this.rangeTuples.all(tagId, from, end - 1, WALK_CHUNK) as [number, number | null, number][];
        for (const [ts, value, quality] of rows) add(ts, value, quality);
        const last = rows.at(-1);
        if (rows.length < WALK_CHUNK || last === undefined) break;
        from = last[0] + 1;
      }
    }
    if (!acc.empty) out.push({ k, agg: acc.result() });
    return out;
  }

  /** The newest sample of each tag (tags without any are left out). */
  latest(tagIds: readonly number[]): SampleTuple[] {
    return tagIds.flatMap((tagId): SampleTuple[] => {
      const row = this.newestOne.get(tagId) as SampleRow | undefined;
      let s = row ? rowToSample(tagId, row) : null;
      const until = this.blocks.sealedUntil(tagId);
      if (until !== null && (s === null || s.ts <= until)) {
        const [b] = this.blocks.rangeDesc(tagId, ALL_FROM, ALL_TO, 1);
        if (b && (s === null || b.ts > s.ts)) s = b;
      }
      if (!s) return [];
      return [s.text === undefined ? [tagId, s.ts, s.value, s.quality] : [tagId, s.ts, null, s.quality, s.text]];
    });
  }

  /** A tag's samples in [from, to]; more than `maxPoints` are reduced to min and max per time bucket. */
  history(tagId: number, from: number, to: number, maxPoints: number): HistorySeries {
    const first = this.raw(tagId, from, to, maxPoints + 1);
    if (first.length <= maxPoints) {
      return {
        tagId,
        ts: first.map((s) => s.ts),
        values: first.map((s) => s.value),
        quality: first.map((s) => s.quality),
        reduced: false,
      };
    }
    // Two points per bucket (min and max) keep spikes visible, which plain averaging would hide.
    const buckets = Math.max(1, Math.floor(maxPoints / 2));
    const width = Math.max(1, Math.ceil((to - from + 1) / buckets));
    const series: HistorySeries = { tagId, ts: [], values: [], quality: [], reduced: true };
    const lohi = this.minMaxBuckets(tagId, from, to, width);
    for (const b of lohi) {
      series.ts.push(b.t0);
      series.values.push(b.lo);
      series.quality.push(b.q);
      if (b.t1 !== b.t0) {
        series.ts.push(b.t1);
        series.values.push(b.hi);
        series.quality.push(b.q);
      }
    }
    return series;
  }

  /** Min and max of every value (usable or not: the reduced history hides nothing), first and last time, worst quality. */
  private minMaxBuckets(
    tagId: number,
    from: number,
    to: number,
    width: number,
  ): { t0: number; t1: number; lo: number | null; hi: number | null; q: number }[] {
    const out: { t0: number; t1: number; lo: number | null; hi: number | null; q: number }[] = [];
    let k = -1;
    let cur: { t0: number; t1: number; lo: number | null; hi: number | null; q: number } | null = null;
    this.walk(tagId, from, to, (chunk) => {
      for (const s of chunk) {
        const b = Math.floor((s.ts - from) / width);
        if (b !== k || cur === null) {
          cur = { t0: s.ts, t1: s.ts, lo: null, hi: null, q: s.quality };
          out.push(cur);
          k = b;
        }
        cur.t1 = s.ts;
        if (s.quality > cur.q) cur.q = s.quality;
        if (s.value !== null) {
          if (cur.lo === null || s.value < cur.lo) cur.lo = s.value;
          if (cur.hi === null || s.value > cur.hi) cur.hi = s.value;
        }
      }
    });
    return out;
  }

  /** Tag ids holding raw samples (rows or blocks), by skipping along each table's primary key (no full scan). */
  tagIds(): number[] {
    const ids = new Set<number>();
    for (const table of RAW_TABLES) {
      const rows = this.db
        .prepare(
          `WITH RECURSIVE t(id) AS (SELECT min(tag_id) FROM ${table}
             UNION ALL SELECT (SELECT min(tag_id) FROM ${table} WHERE tag_id > t.id) FROM t WHERE t.id IS NOT NULL)
           SELECT id FROM t WHERE id IS NOT NULL`,
        )
        .all() as { id: number }[];
      for (const r of rows) ids.add(r.id);
    }
    return [...ids].sort((a, b) => a - b);
  }

  /**
   * Deletes at most `limit` of the tag's rows older than `before`, oldest first, in one statement. `more`: rows
   * older than `before` are left.
   */
  deleteRowsStep(tagId: number, before: number, limit: number): { deleted: number; more: boolean } {
    // The bound below which exactly `limit` rows lie (or the cutoff when fewer are left).
    const row = this.nthBefore.get(tagId, before, Math.max(1, limit) - 1) as { t: number } | undefined;
    const bound = row ? row.t + 1 : before;
    const deleted = this.deleteRowsBefore.run(tagId, Math.min(bound, before)).changes;
    return { deleted, more: row !== undefined && bound < before };
  }

  /** Deletes at most `limit` sealed blocks (all tags) that end before `before`; returns the samples they held. */
  deleteBlocksStep(before: number, limit: number): number {
    return this.blocks.deleteBefore(before, limit);
  }

  /**
   * Deletes up to about `budget` samples of a tag (blocks first, each whole), in one statement per table; `done`
   * when nothing of the tag is left. Call inside a transaction.
   */
  purgeTagStep(tagId: number, budget: number): { deleted: number; done: boolean } {
    let left = Math.max(1, Math.floor(budget));
    while (left > 0) {
      const n = this.blocks.deleteTag(tagId, 1);
      if (n === 0) break;
      left -= n;
    }
    if (left <= 0) return { deleted: budget - left, done: false };
    const bound = this.nthOfTag.get(tagId, left - 1) as { t: number } | undefined;
    if (bound) {
      // Exactly `left` rows up to the bound (times are unique per tag): the step is full.
      this.deleteRowsUpTo.run(tagId, bound.t);
      return { deleted: budget, done: false };
    }
    left -= this.deleteRowsOfTag.run(tagId).changes;
    return { deleted: budget - left, done: true };
  }

  /** Bytes of the pages each kind of storage uses (needs SQLite's dbstat; throws without it). Reads every page. */
  tableBytes(): { rows: number; blocks: number } {
    const bytes = this.db
      .prepare(
        "SELECT name, sum(pgsize) AS b FROM dbstat('main', 1) WHERE name IN ('samples', 'sample_blocks') GROUP BY name",
      )
      .all() as { name: string; b: number }[];
    const of = (n: string): number => bytes.find((r) => r.name === n)?.b ?? 0;
    return { rows: of('samples'), blocks: of('sample_blocks') };
  }

  /** Per-tag counts and payload sizes of rows and blocks, and what the rows hold. Reads every row: small stores only. */
  tagStats(): RawTagStats[] {
    const rows = this.db
      .prepare(
        `SELECT tag_id AS id, count(*) AS n, sum(${rowBytes}) AS p, max(text IS NOT NULL) AS text,
           coalesce(min(value IN (0, 1)), 0) AS digital, coalesce(min(value = CAST(value AS INTEGER)), 0) AS integer,
           count(value) AS valued
         FROM samples GROUP BY tag_id`,
      )
      .all() as { id: number; n: number; p: number; text: number; digital: number; integer: number; valued: number }[];
    const blocks = this.db
      .prepare('SELECT tag_id AS id, sum(n) AS n, sum(length(data)) AS p FROM sample_blocks GROUP BY tag_id')
      .all() as { id: number; n: number; p: number }[];
    const out = new Map<number, RawTagStats>();
    const get = (id: number): RawTagStats => {
      let s = out.get(id);
      if (!s) {
        s = { tagId: id, rowSamples: 0, rowPayload: 0, blockSamples: 0, blockPayload: 0, values: null };
        out.set(id, s);
      }
      return s;
    };
    for (const r of rows) {
      const s = get(r.id);
      s.rowSamples = r.n;
      s.rowPayload = r.p;
      s.values = {
        text: r.text === 1,
        digital: r.valued > 0 && r.digital === 1,
        integer: r.valued > 0 && r.integer === 1,
      };
    }
    for (const b of blocks) {
      const s = get(b.id);
      s.blockSamples = b.n;
      s.blockPayload = b.p;
    }
    return [...out.values()].sort((a, b) => a.tagId - b.tagId);
  }
}
