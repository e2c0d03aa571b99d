import { join } from 'node:path';
import type { Sample } from '../../main/domain/sample/sample.js';
import { DEFAULT_BATCH_ID } from '../../main/collect/demo/control-registers.js';
import { PlantModel } from '../../main/collect/demo/plant-model.js';
import { signals } from '../../main/collect/demo/signals.js';
import { RollupService } from '../../main/history/rollups.js';
import { compactAll } from '../../main/store/raw/compactor.js';
import { Store } from '../../main/store/store.js';
import { GorillaReference } from './gorilla-reference.js';
import { tempDir } from '../helpers/temp-dir.js';
import { result, type BenchResult } from './result.js';

/** Bytes per sample of Gorilla's compressed time series as the paper reports it (Facebook, VLDB 2015). */
const GORILLA = 1.37;
const T0 = Date.UTC(2026, 10, 1);
/**
 * Simulated time: a week, as the issue asks (~42 M samples, several minutes here). TWINEDGE_BENCH_DAYS=1 gives
 * nearly the same per-sample figure in a seventh of the time (the tables' shape is the same every day).
 */
const DAYS = Number(process.env.TWINEDGE_BENCH_DAYS ?? 7);

/**
 * Disk cost per sample of the demo plant's signals as the app records them: the OPC UA device samples
 * every signal at 500 ms and reports changes; the Modbus device polls every signal and its control
 * registers each second. Written through Store.writeSamples in 5 s batches, with the rollup pass every 30 s, then
 * compacted into sealed blocks. store.bytes_per_sample: pages of samples + sample_blocks per sample, against the
 * same samples in a reference Gorilla encoder (bits only, no container) run alongside.
 */
export const benchStoreBytesPerSample = (): BenchResult[] => {
  const dir = tempDir('twinedge-bench-');
  const store = Store.open(join(dir.path, 'demo-week.sqlite'));
  try {
    const rollups = new RollupService({ rollups: store.rollups });
    const model = new PlantModel({ seed: 2026, startTime: T0 });
    const opcuaId = (i: number): number => 1 + i;
    const modbusId = (i: number): number => 1 + signals.length + i;
    const controlId = (i: number): number => 1 + 2 * signals.length + i;
    const lastReported = new Map<number, number>();
    const gorilla = new GorillaReference();
    let batch: Sample[] = [];
    const ticks = (DAYS * 86_400_000) / 250;
    for (let tick = 1; tick <= ticks; tick++) {
      model.step(250);
      const ts = Math.round(model.time);
      const values = model.values();
      if (tick % 2 === 0) {
        // OPC UA: sampled at 500 ms, a notification only when the value changed.
        values.forEach((v, i) => {
          const id = opcuaId(i);
          if (lastReported.get(id) === v) return;
          lastReported.set(id, v);
          batch.push({ tagId: id, ts, value: v, quality: 0 });
        });
      }
      if (tick % 4 === 0) {
        // Modbus: every register each second, float32 on the wire.
        values.forEach((v, i) => batch.push({ tagId: modbusId(i), ts, value: Math.fround(v), quality: 0 }));
        const at = (key: string): number => values[signals.findIndex((s) => s.key === key)] ?? 0;
        const control = [
          model.levelSetpoint,
          null,
          at('P101.Running'),
          at('P101.Tripped'),
          at('F101.Backflush'),
          Math.round(at('P101.Energy') * 10) / 10,
        ];
        control.forEach((v, i) =>
          batch.push(
            v === null
              ? { tagId: controlId(i), ts, value: null, quality: 0, text: DEFAULT_BATCH_ID }
              : { tagId: controlId(i), ts, value: v, quality: 0 },
          ),
        );
      }
      if (tick % 20 === 0) {
        for (const smp of batch) gorilla.add(smp.tagId, smp.ts, smp.value);
        store.writeSamples(batch, null);
        batch = [];
      }
      if (tick % 120 === 0) rollups.catchUp();
    }
    for (const smp of batch) gorilla.add(smp.tagId, smp.ts, smp.value);
    store.writeSamples(batch, null);
    rollups.catchUp();
    const rowsBefore = store.samples.count();
    const run = compactAll(store, T0 + DAYS * 86_400_000 + 1);
    const db = store.database;
    db.pragma('wal_checkpoint(TRUNCATE)');
    const samples = store.samples.count();
    if (samples !== rowsBefore) throw new Error(`compaction lost samples: ${rowsBefore} rows, ${samples} after`);
    const used = store.usedBytes();
    const bytes = db.prepare("SELECT name, sum(pgsize) AS b FROM dbstat('main', 1) GROUP BY name").all() as {
      name: string;
      b: number;
    }[];
    const of = (n: string): number => bytes.find((r) => r.name === n)?.b ?? 0;
    const rollupBytes = of('rollup_1m') + of('rollup_1h');
    const raw = of('samples') + of('sample_blocks');
    const blocks = db.prepare('SELECT count(*) AS n, sum(length(data)) AS b FROM sample_blocks').get() as {
      n: number;
      b: number;
    };
    console.error(
      `store.bytes_per_sample: ${samples} samples over ${DAYS} simulated day(s), ${(used / 1e6).toFixed(1)} MB used, ` +
        `raw ${(raw / 1e6).toFixed(2)} MB (${blocks.n} blocks, ${(blocks.b / 1e6).toFixed(2)} MB of block data, ` +
        `compacted in ${(run.durationMs / 1000).toFixed(1)} s), rollups ${(rollupBytes / 1e6).toFixed(1)} MB ` +
        `(${((rollupBytes / used) * 100).toFixed(1)}% of used); reference Gorilla ${(gorilla.bytes() / 1e6).toFixed(2)} MB`,
    );
    return [
      result('store.bytes_per_sample', raw / samples, 'bytes (raw pages)', gorilla.bytes() / samples, 3),
      result('store.bytes_per_sample_used', used / samples, 'bytes (all pages, rollups included)', GORILLA, 2),
    ];
  } finally {
    store.close();
    dir.remove();
  }
};
