import type Database from 'better-sqlite3';
import type { Sample } from '../domain/sample/sample.js';
import type { HistorySeries } from '../domain/sample/history-series.js';
import type { SampleTuple } from '../domain/sample/sample-tuple.js';
import type { Db } from './database.js';
import type { SealedBlocks } from './raw/sealed-blocks.js';

interface Row {
  ts: number;
  value: number | null;
  quality: number;
}
interface LatestRow extends Row {
  text: string | null;
}
interface BucketRow {
  b: number;
  lo: number | null;
  hi: number | null;
  t0: number;
  t1: number;
  q: number;
}

/** The earlier of two times, either of which may be missing. */
export const earlier = (a: number | null, b: number | null): number | null =>
  a === null ? b : b === null ? a : Math.min(a, b);

/** Samples: batched inserts and range reads, reduced to min/max per time bucket when large. */
export class SamplesRepo {
  private readonly insertOne: Database.Statement<[number, number, number | null, number, string | null]>;
  private readonly oldestOne: Database.Statement<[number]>;
  /** One transaction per batch: the write path's throughput depends on it. */
  readonly insertBatch: (batch: readonly Sample[]) => void;

  constructor(
    private readonly db: Db,
    /** Older samples sealed into blocks: a late duplicate of one of them is not stored again. */
    private readonly blocks: SealedBlocks,
  ) {
    // OR IGNORE: a server may resend a value with the same source timestamp after a reconnect.
    this.insertOne = db.prepare(
      'INSERT OR IGNORE INTO samples (tag_id, ts, value, quality, text) VALUES (?, ?, ?, ?, ?)',
    );
    this.insertBatch = db.transaction((batch: readonly Sample[]) => {
      for (const s of batch) {
        if (!this.blocks.has(s.tagId, s.ts)) this.insertOne.run(s.tagId, s.ts, s.value, s.quality, s.text ?? null);
      }
    });
    // Per tag, not one min(ts) over the table: with tag_id fixed, min(ts) is one seek along the primary key.
    this.oldestOne = db.prepare('SELECT min(ts) AS v FROM samples WHERE tag_id = ?');
  }

  /** Time of the oldest stored sample over these tags; null when none of them has any. */
  oldest(tagIds: Iterable<number>): number | null {
    let out: number | null = null;
    for (const id of tagIds) out = earlier(out, (this.oldestOne.get(id) as { v: number | null }).v);
    return out;
  }

  /** Inserts a batch (call inside a transaction) and returns the samples that were not already stored. */
  insertNew(batch: readonly Sample[]): Sample[] {
    const fresh: Sample[] = [];
    for (const s of batch) {
      // has() is one map lookup unless the sample is as old as the tag's sealed blocks (a late arrival).
      if (this.blocks.has(s.tagId, s.ts)) continue;
      if (this.insertOne.run(s.tagId, s.ts, s.value, s.quality, s.text ?? null).changes > 0) fresh.push(s);
    }
    return fresh;
  }

  /** Every stored sample of a tag in [from, to], oldest first (for replays such as alarm previews). */
  raw(tagId: number, from: number, to: number, limit = 1_000_000): Sample[] {
    const rows = this.db
      .prepare(
        'SELECT ts, value, quality, text FROM samples WHERE tag_id = ? AND ts BETWEEN ? AND ? ORDER BY ts LIMIT ?',
      )
      .all(tagId, from, to, limit) as LatestRow[];
    return rows.map((r) =>
      r.text === null
        ? { tagId, ts: r.ts, value: r.value, quality: r.quality }
        : { tagId, ts: r.ts, value: null, quality: r.quality, text: r.text },
    );
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM samples').get() as { n: number }).n;
  }

  latest(tagIds: readonly number[]): SampleTuple[] {
    const stmt = this.db.prepare(
      'SELECT ts, value, quality, text FROM samples WHERE tag_id = ? ORDER BY ts DESC LIMIT 1',
    );
    return tagIds.flatMap((tagId) => {
      const row = stmt.get(tagId) as LatestRow | undefined;
      if (!row) return [];
      return [
        row.text === null ? [tagId, row.ts, row.value, row.quality] : [tagId, row.ts, null, row.quality, row.text],
      ];
    });
  }

  history(tagId: number, from: number, to: number, maxPoints: number): HistorySeries {
    const n = (
      this.db
        .prepare('SELECT count(*) AS n FROM samples WHERE tag_id = ? AND ts BETWEEN ? AND ?')
        .get(tagId, from, to) as {
        n: number;
      }
    ).n;
    if (n <= maxPoints) {
      const rows = this.db
        .prepare('SELECT ts, value, quality FROM samples WHERE tag_id = ? AND ts BETWEEN ? AND ? ORDER BY ts')
        .all(tagId, from, to) as Row[];
      return {
        tagId,
        ts: rows.map((r) => r.ts),
        values: rows.map((r) => r.value),
        quality: rows.map((r) => r.quality),
        reduced: false,
      };
    }
    // Two points per bucket (min and max) keep spikes visible, which plain averaging would hide.
    const buckets = Math.max(1, Math.floor(maxPoints / 2));
    const width = Math.max(1, Math.ceil((to - from + 1) / buckets));
    const rows = this.db
      .prepare(
        `SELECT CAST((ts - ?) / ? AS INTEGER) AS b, min(value) AS lo, max(value) AS hi, min(ts) AS t0, max(ts) AS t1, max(quality) AS q
         FROM samples WHERE tag_id = ? AND ts BETWEEN ? AND ? GROUP BY b ORDER BY b`,
      )
      .all(from, width, tagId, from, to) as BucketRow[];
    const series: HistorySeries = { tagId, ts: [], values: [], quality: [], reduced: true };
    for (const r of rows) {
      series.ts.push(r.t0);
      series.values.push(r.lo);
      series.quality.push(r.q);
      if (r.t1 !== r.t0) {
        series.ts.push(r.t1);
        series.values.push(r.hi);
        series.quality.push(r.q);
      }
    }
    return series;
  }
}
