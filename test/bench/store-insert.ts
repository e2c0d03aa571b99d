import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { Sample } from '../../main/domain/sample/sample.js';
import { migrations } from '../../main/store/migrations.js';
import { SampleWriter } from '../../main/store/sample-writer.js';
import { Store } from '../../main/store/store.js';
import { tempDir } from '../helpers/temp-dir.js';
import { result, type BenchResult } from './result.js';

const tags = 200;
const batches = 400;
const perBatch = 2500; // 1,000,000 rows: 200 tags, 5,000 samples each

const makeBatches = (): Sample[][] =>
  Array.from({ length: batches }, (_, b) =>
    Array.from({ length: perBatch }, (_, i) => {
      const n = b * perBatch + i;
      return {
        tagId: (n % tags) + 1,
        ts: 1_700_000_000_000 + Math.floor(n / tags) * 100,
        value: Math.sin(n),
        quality: 0,
      };
    }),
  );

/** Raw better-sqlite3: same schema, same pragmas, one prepared INSERT, one transaction per batch. */
const rawRate = (path: string, data: Sample[][]): number => {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(migrations.join('\n'));
  const insert = db.prepare('INSERT OR IGNORE INTO samples (tag_id, ts, value, quality) VALUES (?, ?, ?, ?)');
  const tx = db.transaction((batch: Sample[]) => {
    for (const s of batch) insert.run(s.tagId, s.ts, s.value, s.quality);
  });
  const t0 = performance.now();
  for (const batch of data) tx(batch);
  const seconds = (performance.now() - t0) / 1000;
  db.close();
  return (batches * perBatch) / seconds;
};

/** The app's path: collector batches into SampleWriter, which writes through the Store. */
const appRate = (path: string, data: Sample[][]): number => {
  const store = Store.open(path);
  let written = 0;
  const writer = new SampleWriter({
    write: (b) => store.writeSamples(b, null),
    onWritten: (b) => (written += b.length),
    onError: (m) => {
      if (m) throw new Error(m);
    },
  });
  const t0 = performance.now();
  for (const batch of data) {
    writer.add(batch);
    writer.flush();
  }
  const seconds = (performance.now() - t0) / 1000;
  const stored = store.samples.count();
  store.close();
  if (written !== batches * perBatch || stored !== written)
    throw new Error(`lost rows: wrote ${written}, stored ${stored}`);
  return written / seconds;
};

export const benchStoreInsert = (): BenchResult[] => {
  const dir = tempDir('twinedge-bench-');
  try {
    const data = makeBatches();
    // Alternate and keep the best of three each, so a noisy moment doesn't decide the ratio.
    const raw: number[] = [];
    const app: number[] = [];
    for (let i = 0; i < 3; i++) {
      raw.push(rawRate(join(dir.path, `raw-${i}.sqlite`), data));
      app.push(appRate(join(dir.path, `app-${i}.sqlite`), data));
    }
    return [result('store.insert', Math.max(...app), 'samples/s', Math.max(...raw))];
  } finally {
    dir.remove();
  }
};
