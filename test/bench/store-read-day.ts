import { join } from 'node:path';
import type { Sample } from '../../main/domain/sample/sample.js';
import { compactAll } from '../../main/store/raw/compactor.js';
import { Store } from '../../main/store/store.js';
import { tempDir } from '../helpers/temp-dir.js';
import { result, type BenchResult } from './result.js';

const T0 = Date.UTC(2026, 10, 3);
const N = 86_400;

/** Best of `runs` timings of `fn`, in ms. */
const best = (runs: number, fn: () => number): number => {
  let ms = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    if (fn() !== N) throw new Error('read the wrong number of samples');
    ms = Math.min(ms, performance.now() - t);
  }
  return ms;
};

/**
 * store.read_day: one tag's raw day (86,400 samples at 1 s, float32 values) read from its sealed block, decoded
 * cold (the decode cache emptied before each read), against the same day read from rows of `samples`.
 */
export const benchStoreReadDay = (): BenchResult[] => {
  const dir = tempDir('twinedge-bench-');
  const rows = Store.open(join(dir.path, 'rows.sqlite'));
  const sealed = Store.open(join(dir.path, 'sealed.sqlite'));
  try {
    let x = 0.5;
    const day: Sample[] = Array.from({ length: N }, (_, i) => {
      x += (Math.sin(i * 12.9898) * 43758.5453) % 1e-3;
      return { tagId: 1, ts: T0 + i * 1000, value: Math.fround(100 * x), quality: 0 };
    });
    for (const store of [rows, sealed]) {
      for (let i = 0; i < N; i += 5000) store.writeSamples(day.slice(i, i + 5000), null);
    }
    compactAll(sealed, T0 + N * 1000);
    if (sealed.samples.count() !== N || sealed.blocks.count() !== N) throw new Error('day not sealed');
    const end = T0 + N * 1000;
    const fromRows = best(5, () => rows.samples.raw(1, T0, end).length);
    const fromBlocks = best(5, () => {
      sealed.blocks.forget();
      return sealed.blocks.range(1, T0, end, N + 1).length;
    });
    console.error(`store.read_day: rows ${fromRows.toFixed(1)} ms, sealed block ${fromBlocks.toFixed(1)} ms`);
    return [result('store.read_day', fromBlocks, 'ms (86,400 samples from a block)', fromRows, 1)];
  } finally {
    rows.close();
    sealed.close();
    dir.remove();
  }
};
