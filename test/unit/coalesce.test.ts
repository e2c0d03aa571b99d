import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { coalesce } from '../../renderer/src/lib/coalesce.js';

describe('render coalescer', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs at most 4 times a second at 1,000 updates a second, and draws the last update within 250 ms', () => {
    const runs: number[] = [];
    const c = coalesce(() => runs.push(Date.now() - 1_000_000), 250);
    // 10 s of one update every millisecond (t = 0 ... 9,999 ms).
    for (let ms = 0; ms < 10_000; ms++) {
      c.request();
      vi.advanceTimersByTime(1);
    }
    vi.advanceTimersByTime(5_000);
    // One at once, then one at the end of each 250 ms up to the one that draws the update at 9,999 ms.
    expect(runs).toHaveLength(41);
    expect(runs[0]).toBe(0);
    expect(runs.at(-1)).toBe(10_000);
    const gaps = runs.slice(1).map((t, i) => t - (runs[i] ?? 0));
    expect(Math.min(...gaps)).toBe(250);
    // Per second of the 10: 4 runs (the 41st is at 10 s).
    for (let s = 0; s < 10; s++) expect(runs.filter((t) => t >= s * 1000 && t < (s + 1) * 1000)).toHaveLength(4);
  });

  it('runs a request after a quiet spell at once, and folds a burst into one run at the end of the interval', () => {
    let renders = 0;
    const c = coalesce(() => renders++, 250);
    c.request();
    expect(renders).toBe(1);
    for (let i = 0; i < 500; i++) c.request();
    expect(renders).toBe(1);
    vi.advanceTimersByTime(249);
    expect(renders).toBe(1);
    vi.advanceTimersByTime(1);
    expect(renders).toBe(2);
    vi.advanceTimersByTime(1_000);
    c.request();
    expect(renders).toBe(3);
  });

  it('runs as often as asked when requests are slower than the interval', () => {
    let renders = 0;
    const c = coalesce(() => renders++, 250);
    for (let i = 0; i < 10; i++) {
      c.request();
      vi.advanceTimersByTime(1_000);
    }
    expect(renders).toBe(10);
  });

  it('drops a pending run when cancelled', () => {
    let renders = 0;
    const c = coalesce(() => renders++, 250);
    c.request();
    c.request();
    c.cancel();
    vi.advanceTimersByTime(1_000);
    expect(renders).toBe(1);
  });
});
