import { join } from 'node:path';
import type { Sample } from '../../main/domain/sample/sample.js';
import { TrendQuery } from '../../main/domain/history/trend-query.js';
import { HistoryService, chooseTier } from '../../main/history/history-query.js';
import { RollupService } from '../../main/history/rollups.js';
import { Store } from '../../main/store/store.js';
import { tempDir } from '../helpers/temp-dir.js';
import { result, type BenchResult } from './result.js';

const T0 = Date.UTC(2025, 0, 1);
const SECONDS = 365 * 86_400; // 31,536,000 samples at 1 Hz
const PIXELS = 2000;
const TAG = 1;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/**
 * One tag, one year at 1 Hz: history.query over the whole year at 2,000 pixels (answered from the hour
 * rollups) against a plain SELECT of the same range's hour rows (the least any answer from the rollups reads:
 * what our query code adds on top is the measure). The answer is checked once against the min/max/avg envelope
 * computed by SQL GROUP BY over the raw rows (untimed).
 *
 * Loading: the first day goes through the real write path (Store.writeSamples, which marks dirty minutes);
 * the other 364 days are bulk-generated in SQL with their dirty minute marks, because the write path at
 * ~150-200k samples/s on this machine would take ~3 minutes for 31.5 M samples. All rollups are then built
 * by the real rollup pass.
 */
export const benchTrendYear = async (): Promise<BenchResult[]> => {
  const dir = tempDir('twinedge-bench-');
  const store = Store.open(join(dir.path, 'year.sqlite'));
  try {
    const day: Sample[] = [];
    for (let i = 0; i < 86_400; i++) day.push({ tagId: TAG, ts: T0 + i * 1000, value: signal(i), quality: 0 });
    for (let i = 0; i < day.length; i += 5000) store.writeSamples(day.slice(i, i + 5000), null);
    const db = store.database;
    // The same signal in SQL: a daily sine plus a deterministic ripple, and one spike in the year.
    const chunk = 10 * 86_400;
    const insert = db.prepare(
      `WITH RECURSIVE c(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM c WHERE i + 1 < ?)
       INSERT INTO samples (tag_id, ts, value, quality)
       SELECT ${TAG}, ${T0} + i * 1000,
         CASE WHEN i = ${SPIKE} THEN 1000.0 ELSE 50 + 20 * sin(i * ${(2 * Math.PI) / 86_400}) + ((i * 7919) % 1000) / 100.0 END,
         0 FROM c`,
    );
    const mark = db.prepare(
      `WITH RECURSIVE c(m) AS (SELECT ? UNION ALL SELECT m + 1 FROM c WHERE m + 1 < ?)
       INSERT OR IGNORE INTO rollup_dirty (tag_id, bucket) SELECT ${TAG}, ${T0} + m * 60000 FROM c`,
    );
    const tLoad = performance.now();
    for (let from = 86_400; from < SECONDS; from += chunk) {
      const to = Math.min(SECONDS, from + chunk);
      store.transaction(() => {
        insert.run(from, to);
        mark.run(from / 60, to / 60);
      });
    }
    const loadS = (performance.now() - tLoad) / 1000;
    const rollups = new RollupService({ rollups: store.rollups });
    const tRoll = performance.now();
    const minutes = rollups.catchUp();
    const rollS = (performance.now() - tRoll) / 1000;

    const history = new HistoryService({ store, rollups });
    const q = TrendQuery.parse({ tagIds: [TAG], from: T0, to: T0 + SECONDS * 1000, pixels: PIXELS });
    const choice = chooseTier(q.from, q.to, q.pixels);
    const queryMs: number[] = [];
    let series: SeriesLike | null = null;
    for (let i = 0; i < 7; i++) {
      const t = performance.now();
      series = (await history.query(q)).series[0] ?? null;
      queryMs.push(performance.now() - t);
    }
    const rawSql = db.prepare(
      `SELECT (ts - CAST(? AS INTEGER)) / CAST(? AS INTEGER) AS k, min(value) AS lo, max(value) AS hi, avg(value) AS a
       FROM samples WHERE tag_id = ? AND ts >= ? AND ts < ? AND value IS NOT NULL AND (quality & 2147483648) = 0
       GROUP BY k ORDER BY k`,
    );
    // Correctness, untimed: it reads all 31.5 M rows (tens of seconds here).
    const raw = rawSql.all(choice.start, choice.bucketMs, TAG, choice.start, q.to) as {
      k: number;
      lo: number;
      hi: number;
      a: number;
    }[];
    check(series, raw);
    const hourSql = db.prepare(
      'SELECT bucket, count, min, max, sum, worst_quality FROM rollup_1h WHERE tag_id = ? AND bucket >= ? AND bucket < ? ORDER BY bucket',
    );
    const selectMs: number[] = [];
    let hourRows = 0;
    for (let i = 0; i < 7; i++) {
      const t = performance.now();
      hourRows = hourSql.all(TAG, choice.start, q.to).length;
      selectMs.push(performance.now() - t);
    }
    console.error(
      `trend.year: loaded ${store.samples.count()} samples (${loadS.toFixed(1)} s bulk), ${minutes} minutes ` +
        `rolled up in ${rollS.toFixed(1)} s, file ${(store.sizeBytes() / 1e6).toFixed(0)} MB; ${raw.length} buckets ` +
        `of ${choice.bucketMs / 3_600_000} h from ${choice.resolution}; baseline SELECT of ${hourRows} hour rows`,
    );
    return [result('trend.year', median(queryMs), 'ms', median(selectMs), 2)];
  } finally {
    store.close();
    dir.remove();
  }
};

const SPIKE = 200 * 86_400 + 12_345;
const signal = (i: number): number => 50 + 20 * Math.sin((i * 2 * Math.PI) / 86_400) + ((i * 7919) % 1000) / 100;

interface SeriesLike {
  min: (number | null)[] | null;
  max: (number | null)[] | null;
  values: (number | null)[];
}

/** Both answers must hold the same envelope, bucket for bucket (and the spike). */
const check = (series: SeriesLike | null, raw: { k: number; lo: number; hi: number; a: number }[]): void => {
  if (!series?.min || !series.max) throw new Error('trend.year: the query did not reduce');
  if (raw.length !== series.min.length) throw new Error(`trend.year: ${raw.length} vs ${series.min.length} buckets`);
  raw.forEach((r, k) => {
    const avg = series.values[k] ?? NaN;
    if (r.k !== k || series.min?.[k] !== r.lo || series.max?.[k] !== r.hi || Math.abs(avg - r.a) > 1e-9 * r.a) {
      throw new Error(`trend.year: bucket ${k} differs: ${series.min?.[k]}/${series.max?.[k]} vs ${r.lo}/${r.hi}`);
    }
  });
  if (!series.max.includes(1000)) throw new Error('trend.year: the spike was lost');
};
