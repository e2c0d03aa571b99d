import type Database from 'better-sqlite3';
import type { Sample } from '../../domain/sample/sample.js';
import type { Db } from '../database.js';
import { MAX_BLOCK_SAMPLES, type SealedBlocks } from './sealed-blocks.js';
import { rowToSample, type SampleRow } from './sample-row.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** What one seal step did. */
export interface SealStep {
  /** Rows moved from `samples` into blocks. */
  rows: number;
  /** The UTC day (start, ms) the rows fell in, or null when nothing was sealed. */
  day: number | null;
}

/** Merges two time-ordered sample lists; on equal times the first list's sample is kept (it was stored first). */
const mergeByTime = (kept: readonly Sample[], added: readonly Sample[]): Sample[] => {
  const out: Sample[] = [];
  let i = 0;
  let j = 0;
  while (i < kept.length || j < added.length) {
    const a = kept[i];
    const b = added[j];
    if (b === undefined || (a !== undefined && a.ts < b.ts)) {
      out.push(a!);
      i++;
    } else if (a === undefined || b.ts < a.ts) {
      out.push(b);
      j++;
    } else {
      out.push(a);
      i++;
      j++;
    }
  }
  return out;
};

/**
 * The compactor's steps, each one transaction that leaves the store consistent: rows go into a block and leave
 * `samples` together, so a crash at any point keeps every sample exactly once and the next run resumes from what
 * the tables hold.
 */
export class Compaction {
  private readonly nextTagStmt: Database.Statement<[number]>;
  private readonly oldestStmt: Database.Statement<[number]>;
  private readonly rowsStmt: Database.Statement<[number, number, number, number]>;
  private readonly deleteRowsStmt: Database.Statement<[number, number, number]>;
  private readonly firstDirtyStmt: Database.Statement<[number, number]>;
  private readonly dayCountsStmt: Database.Statement<[number, number, number]>;
  readonly seal: (tagId: number, cut: number) => SealStep;
  readonly mergeDay: (tagId: number, day: number) => number;

  constructor(
    db: Db,
    private readonly blocks: SealedBlocks,
    /** Rows sealed per step at most (one tag-hour normally is fewer). */
    private readonly maxRows = 20_000,
  ) {
    this.nextTagStmt = db.prepare('SELECT tag_id FROM samples WHERE tag_id > ? ORDER BY tag_id LIMIT 1');
    this.oldestStmt = db.prepare('SELECT ts FROM samples WHERE tag_id = ? ORDER BY ts LIMIT 1');
    this.rowsStmt = db.prepare(
      'SELECT ts, value, quality, text FROM samples WHERE tag_id = ? AND ts >= ? AND ts < ? ORDER BY ts LIMIT ?',
    );
    this.deleteRowsStmt = db.prepare('DELETE FROM samples WHERE tag_id = ? AND ts >= ? AND ts <= ?');
    // Minutes not yet rolled up are read from `samples` by the rollup pass: their rows wait until it is done.
    this.firstDirtyStmt = db.prepare(
      'SELECT bucket FROM rollup_dirty WHERE tag_id = ? AND bucket < ? ORDER BY bucket LIMIT 1',
    );
    this.dayCountsStmt = db.prepare(
      `SELECT (t0 / ${DAY_MS}) * ${DAY_MS} AS day, count(*) AS blocks, sum(n) AS n FROM sample_blocks
       WHERE tag_id = ? AND t0 >= ? AND t0 < ? GROUP BY day ORDER BY day`,
    );
    this.seal = db.transaction((tagId: number, cut: number) => this.sealStep(tagId, cut));
    this.mergeDay = db.transaction((tagId: number, day: number) => this.mergeDayStep(tagId, day));
  }

  /** The next tag after `after` with rows in `samples` (one seek per tag along the primary key). */
  nextTag(after: number): number | null {
    return (this.nextTagStmt.get(after) as { tag_id: number } | undefined)?.tag_id ?? null;
  }

  /** Time of the tag's oldest row in `samples`, or null. */
  oldestRow(tagId: number): number | null {
    return (this.oldestStmt.get(tagId) as { ts: number } | undefined)?.ts ?? null;
  }

  /**
   * Finished days (ending by `before`) of a tag whose blocks could be fewer (an hour's blocks, or late rows sealed
   * beside the day's block), from `from` on.
   */
  daysToMerge(tagId: number, from: number, before: number): number[] {
    const rows = this.dayCountsStmt.all(tagId, from, before) as { day: number; blocks: number; n: number }[];
    return rows
      .filter((r) => r.day + DAY_MS <= before && r.blocks > Math.ceil(r.n / MAX_BLOCK_SAMPLES))
      .map((r) => r.day);
  }

  /**
   * Seals the tag's oldest rows before `cut`: those of the oldest row's hour (at most maxRows), merged with any
   * block whose range they fall in (late arrivals), so blocks never overlap.
   */
  private sealStep(tagId: number, cut: number): SealStep {
    const oldest = this.oldestRow(tagId);
    if (oldest === null || oldest >= cut) return { rows: 0, day: null };
    // Late rows inside a sealed block all go into it in one rewrite; others by the hour.
    const cover = this.blocks.covering(tagId, oldest);
    const windowEnd = cover !== null ? cover + 1 : Math.floor(oldest / HOUR_MS) * HOUR_MS + HOUR_MS;
    let end = Math.min(windowEnd, cut);
    const dirty = this.firstDirtyStmt.get(tagId, end) as { bucket: number } | undefined;
    if (dirty) end = Math.min(end, dirty.bucket);
    if (end <= oldest) return { rows: 0, day: null };
    const rows = (this.rowsStmt.all(tagId, oldest, end, this.maxRows) as SampleRow[]).map((r) => rowToSample(tagId, r));
    const last = rows.at(-1);
    if (!last) return { rows: 0, day: null };
    const covering = this.blocks.overlapping(tagId, oldest, last.ts);
    let merged: Sample[] = rows;
    for (const b of covering) {
      merged = mergeByTime(b.samples, merged);
      this.blocks.remove(tagId, b.span.t0);
    }
    this.deleteRowsStmt.run(tagId, oldest, last.ts);
    this.blocks.write(tagId, merged);
    return { rows: rows.length, day: Math.floor(oldest / DAY_MS) * DAY_MS };
  }

  /** Rewrites a finished day's blocks of a tag as few blocks as possible; returns the blocks merged away. */
  private mergeDayStep(tagId: number, day: number): number {
    const spans = this.blocks.spans(tagId, day, day + DAY_MS);
    const total = spans.reduce((sum, s) => sum + s.n, 0);
    if (spans.length <= Math.ceil(total / MAX_BLOCK_SAMPLES)) return 0;
    const first = spans[0]!;
    const last = spans[spans.length - 1]!;
    let merged: Sample[] = [];
    for (const b of this.blocks.overlapping(tagId, first.t0, last.t1)) {
      merged = merged.length === 0 ? b.samples.slice() : mergeByTime(merged, b.samples);
      this.blocks.remove(tagId, b.span.t0);
    }
    return spans.length - this.blocks.write(tagId, merged);
  }
}
