import { describe, expect, it } from 'vitest';
import { fromIsoDuration, toIsoDuration } from '../../main/history/dashboard-views.js';
import { chooseInterval } from '../../main/history/twinedge-history.js';

const MIN = 60_000;
const DAY = 1440 * MIN;

describe('ISO 8601 durations of relative trend ranges', () => {
  it('writes the largest whole unit and reads back the same minutes', () => {
    for (const [minutes, text] of [
      [10, 'PT10M'],
      [60, 'PT1H'],
      [480, 'PT8H'],
      [1440, 'P1D'],
      [43_200, 'P30D'],
      [90, 'PT90M'],
    ] as const) {
      expect(toIsoDuration(minutes)).toBe(text);
      expect(fromIsoDuration(text)).toBe(minutes);
    }
  });

  it('reads weeks, mixed parts and seconds; refuses what is not a duration', () => {
    expect(fromIsoDuration('P1W')).toBe(10_080);
    expect(fromIsoDuration('P1DT2H30M')).toBe(1590);
    expect(fromIsoDuration('pt1h')).toBe(60);
    expect(fromIsoDuration('PT3600S')).toBe(60);
    for (const bad of ['', 'P', 'PT', '1H', 'PT0M', 'P1Y', 'last hour', 'PT1.5H'])
      expect(fromIsoDuration(bad)).toBeNull();
  });
});

describe('TwinEdge interval for a cloud fill', () => {
  it('is the coarsest interval no wider than a chart bucket', () => {
    expect(chooseInterval(2 * 60 * MIN, 10 * MIN)).toBe('5m');
    expect(chooseInterval(60 * MIN, 30_000)).toBe('1m');
    expect(chooseInterval(10 * DAY, 2 * 60 * MIN)).toBe('1h');
  });

  it('goes coarser only to keep the answer within a few pages', () => {
    // A year at 4 h per bucket would be 8,760 hourly rows, 30 days at 2 h 720: days instead.
    expect(chooseInterval(30 * DAY, 2 * 60 * MIN)).toBe('1d');
    expect(chooseInterval(365 * DAY, 4 * 60 * MIN)).toBe('1d');
    expect(chooseInterval(3 * DAY, MIN)).toBe('1h');
  });
});
