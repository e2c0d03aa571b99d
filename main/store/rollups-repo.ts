import type Database from 'better-sqlite3';
import type { Sample } from '../domain/sample/sample.js';
import type { Db } from './database.js';
import { earlier, type RawSamples } from './raw/raw-samples.js';
import type { SettingsRepo } from './settings-repo.js';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export type RollupTier = '1m' | '1h';
export const rollupTable: Record<RollupTier, string> = { '1m': 'rollup_1m', '1h': 'rollup_1h' };

/** Where the rollup pass stops trusting raw samples: below it retention may have deleted them. */
const PURGED_KEY = 'rollups.rawPurgedBefore';

/** One rollup row as stored (min/max/sum/first/last over usable samples only). */
export interface RollupRow {
  tag_id: number;
  bucket: number;
  count: number;
  bad_count: number;
  min: number | null;
  max: number | null;
  sum: number | null;
  first_ts: number | null;
  first_value: number | null;
  last_ts: number | null;
  last_value: number | null;
  worst_quality: number;
}

interface DirtyRow {
  tag_id: number;
  bucket: number;
}

interface Agg {
  n: number;
  cnt: number;
  bad: number;
  lo: number | null;
  hi: number | null;
  total: number | null;
  t0: number | null;
  v0: number | null;
  t1: number | null;
  v1: number | null;
  worst: number;
}

const COLUMNS =
  'tag_id, bucket, count, bad_count, min, max, sum, first_ts, first_value, last_ts, last_value, worst_quality';

/** A (tag, minute) pair as one number, for the in-memory "already marked" set. */
const keyOf = (tagId: number, minute: number): number => tagId * 2 ** 27 + minute;

/**
 * Per-minute and per-hour rollups of the samples, kept exact incrementally: every newly stored sample marks
 * its minute dirty in the storing transaction; a pass later recomputes dirty minutes from raw samples and
 * their hours from the minute rows. Recomputing is idempotent, so a crash between the two is harmless.
 */
export class RollupsRepo {
  /** Minutes marked dirty since their last recompute (committed), so a busy minute is marked once. */
  private readonly marked = new Set<number>();
  private readonly markStmt: Database.Statement<[number, number]>;
  private readonly takeStmt: Database.Statement<[number, number, number]>;
  private readonly takeTagStmt: Database.Statement<[number, number, number, number]>;
  private readonly unmarkStmt: Database.Statement<[number, number]>;
  private readonly hourAgg: Database.Statement<{ tag: number; start: number; end: number }>;
  private readonly upsert: Record<RollupTier, Database.Statement<unknown[]>>;
  private readonly remove: Record<RollupTier, Database.Statement<[number, number]>>;
  private readonly oldestOne: Record<RollupTier, Database.Statement<[number]>>;
  private purgedBefore: number;

  constructor(
    private readonly db: Db,
    /** Where the purge mark is kept, through the settings repo so its cache stays the truth. */
    private readonly settings: SettingsRepo,
    /** The raw samples minutes are recomputed from (rows and sealed blocks alike). */
    private readonly raw: RawSamples,
  ) {
    this.markStmt = db.prepare('INSERT OR IGNORE INTO rollup_dirty (tag_id, bucket) VALUES (?, ?)');
    this.takeStmt = db.prepare(
      'SELECT tag_id, bucket FROM rollup_dirty WHERE bucket < ? OR bucket >= ? ORDER BY tag_id, bucket LIMIT ?',
    );
    this.takeTagStmt = db.prepare(
      'SELECT tag_id, bucket FROM rollup_dirty WHERE tag_id = ? AND bucket >= ? AND bucket < ? ORDER BY bucket LIMIT ?',
    );
    this.unmarkStmt = db.prepare('DELETE FROM rollup_dirty WHERE tag_id = ? AND bucket = ?');
    this.hourAgg = db.prepare(
      `SELECT a.*,
         (SELECT first_value FROM rollup_1m WHERE tag_id = @tag AND bucket >= @start AND bucket < @end
            AND first_ts = a.t0) AS v0,
         (SELECT last_value FROM rollup_1m WHERE tag_id = @tag AND bucket >= @start AND bucket < @end
            AND last_ts = a.t1) AS v1
       FROM (SELECT count(*) AS n, coalesce(sum(count), 0) AS cnt, coalesce(sum(bad_count), 0) AS bad,
               min(min) AS lo, max(max) AS hi, sum(sum) AS total, min(first_ts) AS t0, max(last_ts) AS t1,
               max(worst_quality) AS worst
             FROM rollup_1m WHERE tag_id = @tag AND bucket >= @start AND bucket < @end) AS a`,
    );
    const upsert = (t: string): Database.Statement<unknown[]> =>
      db.prepare(`INSERT OR REPLACE INTO ${t} (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.upsert = { '1m': upsert('rollup_1m'), '1h': upsert('rollup_1h') };
    this.remove = {
      '1m': db.prepare('DELETE FROM rollup_1m WHERE tag_id = ? AND bucket = ?'),
      '1h': db.prepare('DELETE FROM rollup_1h WHERE tag_id = ? AND bucket = ?'),
    };
    // Per tag, like RawSamples.oldest: one seek along the primary key each.
    this.oldestOne = {
      '1m': db.prepare('SELECT min(bucket) AS v FROM rollup_1m WHERE tag_id = ?'),
      '1h': db.prepare('SELECT min(bucket) AS v FROM rollup_1h WHERE tag_id = ?'),
    };
    this.purgedBefore = this.readPurgedBefore();
  }

  /**
   * Marks the minutes of newly stored samples dirty (call inside the storing transaction). Keys marked here
   * go to `fresh`; pass them to remember() once the transaction committed.
   */
  markDirty(inserted: readonly Sample[], fresh: Set<number>): void {
    for (const s of inserted) {
      const minute = Math.floor(s.ts / MINUTE_MS);
      const key = keyOf(s.tagId, minute);
      if (this.marked.has(key) || fresh.has(key)) continue;
      fresh.add(key);
      this.markStmt.run(s.tagId, minute * MINUTE_MS);
    }
  }

  /** After commit: these minutes have a dirty row until the next recompute. */
  remember(fresh: ReadonlySet<number>): void {
    // Forgetting only costs a redundant INSERT OR IGNORE, so the set is simply dropped when it grows large.
    if (this.marked.size + fresh.size > 1_000_000) this.marked.clear();
    for (const k of fresh) this.marked.add(k);
  }

  pendingCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM rollup_dirty').get() as { n: number }).n;
  }

  /**
   * Recomputes up to `limit` dirty minutes and their hours in one transaction; returns how many it took.
   * Minutes older than the raw retention boundary are left as they are: their raw rows may be gone, so a
   * late sample there must not replace the rollup of the deleted ones. Such late samples are not rolled up.
   * `skip`: minute buckets in [from, to) stay dirty for a later step (minutes still filling, see RollupService).
   */
  step(limit: number, skip: { from: number; to: number } = { from: 0, to: 0 }): number {
    return this.db.transaction(() => {
      const dirty = this.takeStmt.all(skip.from, skip.to, limit) as DirtyRow[];
      this.recomputeDirty(dirty);
      return dirty.length;
    })();
  }

  /**
   * Like step(), over these tags' dirty minutes in [from, to) only (what one history query reads): up to
   * `limit` per tag, in one transaction; returns how many it took.
   */
  stepTags(tagIds: readonly number[], from: number, to: number, limit: number): number {
    return this.db.transaction(() => {
      let n = 0;
      for (const id of tagIds) {
        const dirty = this.takeTagStmt.all(id, from, to, limit) as DirtyRow[];
        this.recomputeDirty(dirty);
        n += dirty.length;
      }
      return n;
    })();
  }

  private recomputeDirty(dirty: readonly DirtyRow[]): void {
    const hours = new Map<string, { tag: number; start: number }>();
    for (const d of dirty) {
      this.unmarkStmt.run(d.tag_id, d.bucket);
      this.marked.delete(keyOf(d.tag_id, d.bucket / MINUTE_MS));
      if (d.bucket < this.purgedBefore) continue;
      this.recompute('1m', d.tag_id, d.bucket, MINUTE_MS);
      const hour = Math.floor(d.bucket / HOUR_MS) * HOUR_MS;
      hours.set(`${d.tag_id}:${hour}`, { tag: d.tag_id, start: hour });
    }
    for (const h of hours.values()) this.recompute('1h', h.tag, h.start, HOUR_MS);
  }

  private recompute(tier: RollupTier, tag: number, start: number, width: number): void {
    const agg =
      tier === '1m' ? this.minuteOf(tag, start, width) : (this.hourAgg.get({ tag, start, end: start + width }) as Agg);
    if (agg.n === 0) {
      this.remove[tier].run(tag, start);
      return;
    }
    this.upsert[tier].run(
      tag,
      start,
      agg.cnt,
      agg.bad,
      agg.lo,
      agg.hi,
      agg.total,
      agg.t0,
      agg.v0,
      agg.t1,
      agg.v1,
      agg.worst,
    );
  }

  /** A minute's aggregates from its raw samples, decoded and added up in TypeScript (the SQL sum's exact bits). */
  private minuteOf(tag: number, start: number, width: number): Agg {
    const [b] = this.raw.buckets(tag, start, start + width, width);
    if (!b)
      return {
        n: 0,
        cnt: 0,
        bad: 0,
        lo: null,
        hi: null,
        total: null,
        t0: null,
        v0: null,
        t1: null,
        v1: null,
        worst: 0,
      };
    const a = b.agg;
    return {
      n: a.n,
      cnt: a.count,
      bad: a.bad,
      lo: a.min,
      hi: a.max,
      total: a.sum,
      t0: a.firstTs,
      v0: a.firstValue,
      t1: a.lastTs,
      v1: a.lastValue,
      worst: a.worst,
    };
  }

  /** Raw samples before `ts` may be deleted from now on (retention): their rollups are final. */
  setRawPurgedBefore(ts: number): void {
    if (ts <= this.purgedBefore) return;
    this.purgedBefore = ts;
    this.settings.set(PURGED_KEY, ts);
  }

  rawPurgedBefore(): number {
    return this.purgedBefore;
  }

  /** Deletes every rollup and dirty mark of these tags (with their samples, when tags are deleted). */
  deleteTags(tagIds: readonly number[]): void {
    for (const t of ['rollup_1m', 'rollup_1h', 'rollup_dirty']) {
      const stmt = this.db.prepare(`DELETE FROM ${t} WHERE tag_id = ?`);
      for (const id of tagIds) stmt.run(id);
    }
    // A reused tag id must be marked again.
    this.marked.clear();
  }

  /** Start of the oldest bucket over these tags in these tiers (both by default); null when there is none. */
  oldest(tagIds: Iterable<number>, tiers: readonly RollupTier[] = ['1m', '1h']): number | null {
    let out: number | null = null;
    for (const id of tagIds) {
      for (const t of tiers) out = earlier(out, (this.oldestOne[t].get(id) as { v: number | null }).v);
    }
    return out;
  }

  rows(tier: RollupTier, tagId: number, from: number, to: number): RollupRow[] {
    return this.db
      .prepare(
        `SELECT ${COLUMNS} FROM ${rollupTable[tier]} WHERE tag_id = ? AND bucket >= ? AND bucket < ? ORDER BY bucket`,
      )
      .all(tagId, from, to) as RollupRow[];
  }

  private readPurgedBefore(): number {
    const v = this.settings.get(PURGED_KEY);
    return typeof v === 'number' ? v : 0;
  }
}
