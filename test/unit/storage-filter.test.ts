import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../main/domain/prng.js';
import type { Sample } from '../../main/domain/sample/sample.js';
import { StatusCodes } from '../../main/domain/sample/status-codes.js';
import { filterSamples, StorageFilter } from '../../main/domain/storage/storage-filter.js';
import type { ResolvedPolicy } from '../../main/domain/storage/storage-policy.js';

// ---- collected data: seeded random walks with noise, steps, flat stretches, gaps and quality changes ----

const TAG = 7;
const MAX_MS = 60_000;

const collected = (seed: number, n: number): Sample[] => {
  const r = seededRandom(seed);
  const out: Sample[] = [];
  let ts = 1_700_000_000_000;
  let level = 50;
  let flat = 0;
  let bad = 0;
  let uncertain = 0;
  for (let i = 0; i < n; i++) {
    ts += r() < 0.01 ? 90_000 + Math.floor(r() * 300_000) : 1000; // a gap now and then, longer than max interval
    if (r() < 0.01) level += (r() - 0.5) * 40; // a step
    if (flat === 0 && r() < 0.02) flat = 20 + Math.floor(r() * 120); // a flat stretch (a held register)
    if (bad === 0 && r() < 0.005) bad = 1 + Math.floor(r() * 8);
    if (uncertain === 0 && r() < 0.005) uncertain = 5 + Math.floor(r() * 20);
    if (flat > 0) flat--;
    else level += (r() - 0.5) * 1.5 + (r() - 0.5) * 0.3; // drift plus noise
    if (bad > 0) {
      bad--;
      out.push({ tagId: TAG, ts, value: null, quality: StatusCodes.BadCommunicationError });
      continue;
    }
    const quality = uncertain > 0 ? StatusCodes.UncertainLastUsableValue : StatusCodes.Good;
    if (uncertain > 0) uncertain--;
    out.push({ tagId: TAG, ts, value: Math.round(level * 1000) / 1000, quality });
  }
  return out;
};

const bools = (seed: number, n: number): Sample[] => {
  const r = seededRandom(seed);
  let v = 0;
  return Array.from({ length: n }, (_, i) => {
    if (r() < 0.05) v = 1 - v;
    return { tagId: TAG, ts: 1000 * (i + 1), value: v, quality: StatusCodes.Good };
  });
};

const texts = (seed: number, n: number): Sample[] => {
  const r = seededRandom(seed);
  let t = 'RUN';
  return Array.from({ length: n }, (_, i) => {
    if (r() < 0.05) t = ['RUN', 'STOP', 'FAULT'][Math.floor(r() * 3)] ?? 'RUN';
    return { tagId: TAG, ts: 1000 * (i + 1), value: null, quality: StatusCodes.Good, text: t };
  });
};

const policy = (deadband: number, compression: number, maxIntervalMs = MAX_MS): ResolvedPolicy => ({
  mode: 'change',
  deadband,
  maxIntervalMs,
  compression,
});

// ---- reference implementations, from the published descriptions ----

const isNumber = (s: Sample): s is Sample & { value: number } => s.value !== null && s.text === undefined;

/**
 * PI exception reporting: a value is reported when it differs from the last reported one by more than ExcDev (any
 * difference when ExcDev is 0, or for digital and string points), when its status differs, or when ExcMax passed
 * since the last report; when a value is reported for a change, the value before it is reported too if it was not.
 * The end of the data reports the last value.
 */
const referenceException = (xs: readonly Sample[], excDev: number, excMaxMs: number, digital: boolean): Sample[] => {
  const kept: Sample[] = [];
  let last: Sample | undefined;
  xs.forEach((s, i) => {
    const prev = xs[i - 1];
    if (!last) {
      kept.push((last = s));
      return;
    }
    const differs =
      isNumber(s) && isNumber(last) && !digital
        ? Math.abs(s.value - last.value) > excDev
        : s.value !== last.value || s.text !== last.text;
    if (differs || s.quality !== last.quality) {
      if (prev && prev !== last) kept.push(prev);
      kept.push((last = s));
    } else if (s.ts - last.ts >= excMaxMs) kept.push((last = s));
  });
  const end = xs[xs.length - 1];
  if (end && end !== last) kept.push(end);
  return kept;
};

/**
 * Swinging door (Bristol 1990; PI's compression test): from the last archived point A, the snapshot is replaced by
 * each new value as long as the straight line from A to the new value passes within CompDev of every value since
 * A; when it does not, the snapshot is archived and becomes A. A value CompMax after A is archived. A status change,
 * or a value without a number, archives the snapshot and itself. Brute force: every line is checked against every
 * value it spans.
 */
const referenceDoor = (xs: readonly Sample[], compDev: number, compMaxMs: number): Sample[] => {
  const kept: Sample[] = [];
  let a = -1;
  let snap = -1;
  const spans = (from: number, to: number): boolean => {
    const A = xs[from] as Sample & { value: number };
    const N = xs[to] as Sample & { value: number };
    for (let j = from + 1; j < to; j++) {
      const P = xs[j] as Sample & { value: number };
      const line = A.value + ((N.value - A.value) * (P.ts - A.ts)) / (N.ts - A.ts);
      if (Math.abs(P.value - line) > compDev) return false;
    }
    return true;
  };
  xs.forEach((n, i) => {
    const A = xs[a];
    if (!A || !isNumber(A) || !isNumber(n) || n.quality !== A.quality) {
      if (snap >= 0) kept.push(xs[snap] as Sample);
      kept.push(n);
      a = i;
      snap = -1;
      return;
    }
    if (snap >= 0 && !spans(a, i)) {
      kept.push(xs[snap] as Sample);
      a = snap;
    }
    if (n.ts - (xs[a] as Sample).ts >= compMaxMs) {
      kept.push(n);
      a = i;
      snap = -1;
    } else snap = i;
  });
  if (snap >= 0) kept.push(xs[snap] as Sample);
  return kept;
};

// ---- reconstructions ----

/** The index of the stored sample in force at `ts` (the last stored at or before it), -1 if none. */
const stepIndex = (stored: readonly Sample[], ts: number): number => {
  let lo = 0;
  let hi = stored.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((stored[mid] as Sample).ts <= ts) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
};

/** Step interpolation: the stored sample in force at `ts`. */
const stepAt = (stored: readonly Sample[], ts: number): Sample | undefined => stored[stepIndex(stored, ts)];

/** The stored points either side of `ts` (the same one when it is at `ts`). */
const around = (stored: readonly Sample[], ts: number): [Sample | undefined, Sample | undefined] => {
  const i = stepIndex(stored, ts);
  const before = stored[i];
  return before?.ts === ts ? [before, before] : [before, stored[i + 1]];
};

const seeds = [1, 2, 3, 42, 1234];

describe('storage filter against the published algorithms', () => {
  it.each(seeds)('exception test keeps exactly the reference points (seed %i)', (seed) => {
    const xs = collected(seed, 4000);
    for (const deadband of [0, 0.25, 1, 5]) {
      const kept = filterSamples(policy(deadband, 0), xs);
      expect(kept).toEqual(referenceException(xs, deadband, MAX_MS, false));
      expect(kept.length).toBeLessThan(xs.length);
    }
  });

  it.each(seeds)('exception then swinging door keeps exactly the reference points (seed %i)', (seed) => {
    const xs = collected(seed, 4000);
    for (const [deadband, deviation] of [
      // Off the data's 0.001 grid: an exact tie (a sample exactly `deviation` off the line) is decided by
      // floating-point rounding, differently by slopes and by distances.
      [0, 0.1004],
      [0, 0.7003],
      [0.3, 0.5002],
      [1, 2.5007],
    ] as const) {
      const kept = filterSamples(policy(deadband, deviation), xs);
      const passed = referenceException(xs, deadband, MAX_MS, false);
      expect(kept).toEqual(referenceDoor(passed, deviation, MAX_MS));
      expect(kept.length).toBeLessThan(passed.length);
    }
  });

  it('bools and texts: every change is stored whatever the deadband, and they are never compressed', () => {
    const b = bools(5, 2000);
    const keptB = filterSamples(policy(1, 3), b, { discrete: true });
    expect(keptB).toEqual(referenceException(b, 0, MAX_MS, true));
    const t = texts(6, 2000);
    const keptT = filterSamples(policy(1, 3), t);
    expect(keptT).toEqual(referenceException(t, 0, MAX_MS, true));
    for (const [xs, kept] of [
      [b, keptB],
      [t, keptT],
    ] as const) {
      for (const c of xs) {
        const s = stepAt(kept, c.ts);
        expect([s?.value, s?.text]).toEqual([c.value, c.text]);
      }
    }
  });
});

describe('what the stored trend keeps of the collected one', () => {
  it.each(seeds)('deadband 0 is lossless: step interpolation gives back every collected sample (seed %i)', (seed) => {
    const xs = collected(seed, 4000);
    const kept = filterSamples(policy(0, 0), xs);
    const misses = xs.filter((c) => {
      const s = stepAt(kept, c.ts);
      return s?.value !== c.value || s.quality !== c.quality;
    });
    expect(misses).toEqual([]);
    expect(kept.length).toBeLessThan(xs.length / 2);
    // And nothing collected goes unstored for longer than the max interval.
    const late = xs.filter((c) => {
      const s = stepAt(kept, c.ts);
      return !s || c.ts - s.ts >= MAX_MS;
    });
    expect(late).toEqual([]);
  });

  it.each(seeds)('a deadband: step interpolation stays within it, with the quality collected (seed %i)', (seed) => {
    const xs = collected(seed, 4000);
    const deadband = 0.8;
    const kept = filterSamples(policy(deadband, 0), xs);
    const misses = xs.filter((c) => {
      const s = stepAt(kept, c.ts);
      if (!s || s.quality !== c.quality) return true;
      return c.value === null || s.value === null ? c.value !== s.value : Math.abs(s.value - c.value) > deadband;
    });
    expect(misses).toEqual([]);
  });

  it.each(seeds)(
    'compression: linear interpolation between stored points never misses a collected sample by more than the deviation (seed %i)',
    (seed) => {
      const xs = collected(seed, 4000);
      // Integer registers too: there samples lie exactly `deviation` off a line often.
      const ints = xs.map((s) => (s.value === null ? s : { ...s, value: Math.round(s.value * 10) }));
      for (const [data, deviation] of [
        [xs, 0.05],
        [xs, 0.4],
        [xs, 2],
        [ints, 3],
      ] as const) {
        const kept = filterSamples(policy(0, deviation), data);
        let worst = 0;
        const unlike: Sample[] = []; // no stored point either side, or of another quality
        for (const c of data) {
          const [a, b] = around(kept, c.ts);
          if (!a || !b || a.quality !== c.quality || b.quality !== c.quality) unlike.push(c);
          else if (c.value === null) {
            if (a.value !== null) unlike.push(c); // a bad stretch is stored as bad
          } else if (a.value === null || b.value === null) {
            unlike.push(c);
          } else {
            const line = a === b ? a.value : a.value + ((b.value - a.value) * (c.ts - a.ts)) / (b.ts - a.ts);
            worst = Math.max(worst, Math.abs(line - c.value));
          }
        }
        expect(unlike).toEqual([]);
        expect(worst).toBeLessThanOrEqual(deviation + 1e-9);
        expect(worst).toBeGreaterThan(deviation / 4); // the door did swing: points were dropped up to the limit
      }
    },
  );
});

describe('storage filter in the pipeline', () => {
  const good = (tagId: number, ts: number, value: number): Sample => ({ tagId, ts, value, quality: 0 });

  it("mode 'every' and tags without a policy pass everything", () => {
    const f = new StorageFilter();
    f.set(1, { policy: { mode: 'every', deadband: 0, maxIntervalMs: MAX_MS, compression: 0 }, discrete: false });
    const batch = [good(1, 1, 5), good(1, 2, 5), good(2, 2, 5), good(2, 3, 5)];
    expect(f.filter(batch)).toEqual(batch);
    expect(f.flush()).toEqual([]);
  });

  it('late and backfilled samples pass unfiltered and leave the live state alone', () => {
    const f = new StorageFilter();
    f.set(1, { policy: policy(0, 0), discrete: false });
    expect(f.filter([good(1, 1000, 5), good(1, 2000, 5)])).toEqual([good(1, 1000, 5)]);
    const late = good(1, 1500, 5);
    const backfill: Sample = { ...good(1, 500, 5), historical: true };
    const same = good(1, 2000, 5);
    expect(f.filter([late, backfill, same])).toEqual([late, backfill, same]);
    // The held 2000 sample is still held: a change releases it before the change.
    expect(f.filter([good(1, 3000, 6)])).toEqual([good(1, 2000, 5), good(1, 3000, 6)]);
  });

  it('flush and remove store the held points: nothing collected is dropped at shutdown', () => {
    const f = new StorageFilter();
    f.set(1, { policy: policy(0, 0.5), discrete: false });
    f.set(2, { policy: policy(0, 0), discrete: false });
    const kept = f.filter([good(1, 1000, 1), good(1, 2000, 2), good(1, 3000, 3), good(2, 1000, 9), good(2, 2000, 9)]);
    expect(kept).toEqual([good(1, 1000, 1), good(2, 1000, 9)]);
    expect(f.remove(2)).toEqual([good(2, 2000, 9)]);
    expect(f.flush()).toEqual([good(1, 3000, 3)]);
    expect(f.flush()).toEqual([]);
    expect(f.tagIds()).toEqual([1]);
    // A removed tag passes everything again.
    expect(f.filter([good(2, 3000, 9), good(2, 4000, 9)])).toHaveLength(2);
  });

  it('a constant value is stored once per max interval; a quality change is stored with the value before it', () => {
    const xs = Array.from({ length: 200 }, (_, i) => good(1, (i + 1) * 1000, 4));
    xs[150] = { ...(xs[150] as Sample), value: null, quality: StatusCodes.BadTimeout };
    const kept = filterSamples(policy(0, 0, 60_000), xs);
    expect(kept.map((s) => s.ts)).toEqual([1000, 61_000, 121_000, 150_000, 151_000, 152_000, 200_000]);
  });
});
