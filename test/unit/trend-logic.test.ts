import { describe, expect, it } from 'vitest';
import {
  clampRange,
  followRange,
  MIN_SPAN_MS,
  needsRequery,
  panBy,
  presetRange,
  rangePresets,
  spanText,
  zoomAround,
} from '../../renderer/src/lib/trend-range.js';
import {
  predictionAt,
  assemble,
  bucketText,
  col,
  colsOf,
  layoutOf,
  groupAxes,
  pointIndexAt,
  qualityText,
  readoutAt,
  stepTime,
  withLiveTail,
  type PlotSeries,
} from '../../renderer/src/lib/trend-data.js';
import { GAP_QUALITY } from '../../main/domain/history/resolution.js';
import { SampleRing } from '../../renderer/src/lib/ring.js';

const H = 3_600_000;
const BAD = 0x80000000;
const UNCERTAIN = 0x40000000;

function raw(tagId: number, ts: number[], values: (number | null)[], quality?: number[]): PlotSeries {
  return {
    tagId,
    bucketMs: null,
    ts,
    values,
    min: null,
    max: null,
    quality: quality ?? ts.map(() => 0),
    count: null,
    cloudUntil: null,
    cloudBucketMs: null,
    fillSource: null,
  };
}

describe('range math', () => {
  it('offers the live and long presets', () => {
    expect(rangePresets.map((p) => p.label)).toEqual(['Live 10 min', '1 h', '8 h', '24 h', '7 d', '30 d']);
    expect(presetRange(60, 10 * H)).toEqual({ from: 9 * H, to: 10 * H });
  });

  it('zooms around a point, keeping it in place', () => {
    const r = { from: 0, to: 100_000 };
    expect(zoomAround(r, 0.5)).toEqual({ from: 25_000, to: 75_000 });
    // Anchor at 20%: after zooming in by 2 the anchor stays at 20% of the new range.
    const z = zoomAround(r, 0.5, 20_000);
    expect(z).toEqual({ from: 10_000, to: 60_000 });
    expect((20_000 - z.from) / (z.to - z.from)).toBeCloseTo(0.2);
    expect(zoomAround(r, 2, 100_000)).toEqual({ from: -100_000, to: 100_000 });
  });

  it('never zooms below the minimum span', () => {
    const z = zoomAround({ from: 0, to: 20_000 }, 0.01);
    expect(z.to - z.from).toBe(MIN_SPAN_MS);
  });

  it('pans by a share of the span', () => {
    expect(panBy({ from: 1000, to: 2000 }, -0.5)).toEqual({ from: 500, to: 1500 });
    expect(panBy({ from: 1000, to: 2000 }, 0.1)).toEqual({ from: 1100, to: 2100 });
  });

  it('clamps to now and the epoch', () => {
    expect(clampRange({ from: 5 * H, to: 12 * H }, 10 * H)).toEqual({ from: 3 * H, to: 10 * H });
    expect(clampRange({ from: -H, to: H }, 10 * H)).toEqual({ from: 0, to: 2 * H });
    expect(clampRange({ from: 1000, to: 1000 }, 10 * H).to - clampRange({ from: 1000, to: 1000 }, 10 * H).from).toBe(
      MIN_SPAN_MS,
    );
  });

  it('follows live and re-queries only when the window slid far enough', () => {
    const a = followRange(600_000, 1_000_000);
    expect(a).toEqual({ from: 400_000, to: 1_000_000 });
    expect(needsRequery(null, a)).toBe(true);
    // 10 minutes: every 30 s (5%).
    expect(needsRequery(a, followRange(600_000, 1_010_000))).toBe(false);
    expect(needsRequery(a, followRange(600_000, 1_031_000))).toBe(true);
    // 30 days: at least every minute; 1 minute: at most every 5 s.
    const month = followRange(30 * 24 * H, 100 * H);
    expect(needsRequery(month, followRange(30 * 24 * H, 100 * H + 59_000))).toBe(false);
    expect(needsRequery(month, followRange(30 * 24 * H, 100 * H + 61_000))).toBe(true);
    const minute = followRange(60_000, 10 * H);
    expect(needsRequery(minute, followRange(60_000, 10 * H + 4_000))).toBe(false);
    // A new span always re-queries.
    expect(needsRequery(a, followRange(3_600_000, 1_000_000))).toBe(true);
  });

  it('says spans as engineers do', () => {
    expect(spanText(60_000)).toBe('60 s');
    expect(spanText(600_000)).toBe('10 min');
    expect(spanText(8 * H)).toBe('8 h');
    expect(spanText(30 * 24 * H)).toBe('30 d');
  });
});

describe('axes', () => {
  it('groups tags by engineering unit in order of appearance, with manual limits', () => {
    const g = groupAxes(
      [
        { id: 1, unit: '°C' },
        { id: 2, unit: 'bar' },
        { id: 3, unit: '°C' },
        { id: 4, unit: '' },
      ],
      [{ unit: 'bar', min: 0, max: 10 }],
    );
    expect(g).toEqual([
      { unit: '°C', scale: 'u:°C', tagIds: [1, 3], min: null, max: null },
      { unit: 'bar', scale: 'u:bar', tagIds: [2], min: 0, max: 10 },
      { unit: '', scale: 'u:', tagIds: [4], min: null, max: null },
    ]);
  });
});

describe('uPlot data assembly', () => {
  it('keeps gaps as null and fills other tags with undefined', () => {
    const a = assemble([raw(1, [1000, 2000, 3000], [1, null, 3]), raw(2, [1500, 3000], [5, 6])]);
    expect(a.xsMs).toEqual([1000, 1500, 2000, 3000]);
    expect(a.data[0]).toEqual([1, 1.5, 2, 3]);
    expect(a.data[col.local(0)]).toEqual([1, undefined, null, 3]);
    expect(a.data[col.local(1)]).toEqual([undefined, 5, undefined, 6]);
    // No envelope for raw answers.
    expect(a.data[col.min(0)]!.every((v) => v === undefined)).toBe(true);
  });

  it('draws the min/max envelope of reduced answers', () => {
    const s: PlotSeries = {
      ...raw(1, [0, 60_000], [2, null]),
      bucketMs: 60_000,
      min: [1, null],
      max: [9, null],
      count: [6, 0],
    };
    const a = assemble([s]);
    expect(a.data[col.min(0)]).toEqual([1, null]);
    expect(a.data[col.max(0)]).toEqual([9, null]);
  });

  it('splits the TwinEdge part at cloudUntil and joins it to the local line', () => {
    const s = { ...raw(1, [0, 1000, 2000, 3000], [1, 2, 3, 4]), cloudUntil: 2000 };
    const a = assemble([s]);
    expect(a.data[col.cloud(0)]).toEqual([1, 2, 3, undefined]);
    expect(a.data[col.local(0)]).toEqual([undefined, undefined, 3, 4]);
  });

  it('gives each tag only the columns it needs', () => {
    const reduced: PlotSeries = { ...raw(2, [0], [2]), bucketMs: 60_000, min: [1], max: [3], count: [6] };
    const a = assemble([raw(1, [0], [5]), reduced], [], [layoutOf(raw(1, [], [])), layoutOf(reduced)]);
    expect(colsOf(layoutOf(reduced))).toBe(3);
    expect(a.data).toEqual([[0], [5], [2], [1], [3]]);
  });

  it('aligns extra columns (prediction scores) on the same x', () => {
    const a = assemble([raw(1, [0, 2000], [1, 2])], [{ ts: [1000], values: [0.7] }]);
    expect(a.xsMs).toEqual([0, 1000, 2000]);
    expect(a.data[col.max(0) + 1]).toEqual([undefined, 0.7, undefined]);
  });

  it('appends live samples newer than the answer', () => {
    const s = raw(1, [0, 1000], [1, 2]);
    const t = withLiveTail(s, { ts: [1000, 2000, 3000], values: [2, 3, null], quality: [0, 0, BAD] });
    expect(t.ts).toEqual([0, 1000, 2000, 3000]);
    expect(t.values).toEqual([1, 2, 3, null]);
    expect(t.quality).toEqual([0, 0, 0, BAD]);
  });
});

describe('cursor readout', () => {
  const s = raw(7, [0, 10_000, 20_000, 30_000], [1.5, null, null, 4], [0, BAD, GAP_QUALITY, UNCERTAIN]);

  it('picks the nearest raw sample', () => {
    expect(pointIndexAt(s, 4000)).toBe(0);
    expect(pointIndexAt(s, 6000)).toBe(1);
    expect(pointIndexAt(s, 99_000)).toBe(3);
    expect(pointIndexAt(raw(1, [], []), 0)).toBe(-1);
  });

  it('names quality, gaps and source', () => {
    expect(readoutAt(s, 0)).toMatchObject({ ts: 0, value: 1.5, quality: 'Good', source: 'local' });
    expect(readoutAt(s, 10_000)).toMatchObject({ value: null, quality: 'Bad' });
    expect(readoutAt(s, 20_000)).toMatchObject({ value: null, quality: 'no data' });
    expect(readoutAt(s, 30_000)).toMatchObject({ value: 4, quality: 'Uncertain' });
    expect(readoutAt({ ...s, cloudUntil: 15_000, fillSource: 'twinedge' }, 9000)?.source).toBe('TwinEdge');
    // The device's own server history is named as such, not as TwinEdge.
    expect(readoutAt({ ...s, cloudUntil: 15_000, fillSource: 'server' }, 9000)?.source).toBe('server');
    expect(qualityText(GAP_QUALITY)).toBe('no data');
  });

  it('picks the bucket containing the time when reduced', () => {
    const b: PlotSeries = {
      ...raw(1, [0, 60_000], [2, 3]),
      bucketMs: 60_000,
      min: [1, 2],
      max: [50, 4],
      count: [6, 6],
    };
    expect(readoutAt(b, 59_000)).toMatchObject({ ts: 0, max: 50, count: 6, bucketMs: 60_000 });
  });

  it('steps point by point', () => {
    const xs = [0, 10, 20];
    expect(stepTime(xs, 5, 1)).toBe(10);
    expect(stepTime(xs, 10, -1)).toBe(0);
    expect(stepTime(xs, 20, 1)).toBe(20);
    expect(stepTime([], 5, 1)).toBe(5);
  });

  it('names bucket widths', () => {
    expect(bucketText(60_000)).toBe('1-minute');
    expect(bucketText(H)).toBe('1-hour');
    expect(bucketText(5000)).toBe('5-second');
  });
});

describe('live tail from the ring', () => {
  it('gives the samples after a time with their status codes; bad ones without a value', () => {
    const r = new SampleRing(8, 2);
    for (let i = 0; i < 10; i++) r.push(i * 1000, i, i === 8 ? BAD : 0);
    const t = r.sliceRaw(6000, 20_000);
    expect(t.ts).toEqual([7000, 8000, 9000]);
    expect(t.values).toEqual([7, null, 9]);
    expect(t.quality).toEqual([0, BAD, 0]);
    expect(r.sliceRaw(9000, 20_000).ts).toEqual([]);
  });
});

describe('ML prediction at the cursor', () => {
  const overlay = {
    tagId: 3,
    modelId: 'model-1',
    deviceWide: false,
    points: [0, 1, 2].map((i) => ({ ts: 1_000_000 + i * 3_600_000, score: i / 4, predicted: null, anomaly: i === 2 })),
  };
  it('reads the latest prediction at or before the cursor, within its interval', () => {
    expect(predictionAt(overlay, 1_000_000 + 3_600_000 + 60_000)).toMatchObject({
      ts: 1_000_000 + 3_600_000,
      score: 0.25,
    });
    expect(predictionAt(overlay, 1_000_000 + 2 * 3_600_000)).toMatchObject({ score: 0.5, anomaly: true });
  });
  it('reads nothing before the first prediction or long after the last', () => {
    expect(predictionAt(overlay, 999_999)).toBeNull();
    expect(predictionAt(overlay, 1_000_000 + 4 * 3_600_000)).toBeNull();
  });
});
