import { describe, expect, it } from 'vitest';
import { Backoff } from '../../main/collect/backoff.js';
import { backoffMs, type BackoffShape } from '../../main/domain/backoff.js';

const full: BackoffShape = { baseMs: 500, capMs: 30_000, jitterFloor: 0, jitterSpread: 1, round: 'down' };
const half: BackoffShape = { baseMs: 1000, capMs: 60_000, maxExponent: 6, jitterFloor: 0.5, jitterSpread: 0.5 };
const added: BackoffShape = { baseMs: 500, capMs: 10_000, jitterFloor: 1, jitterSpread: 0.2, round: 'nearest' };

describe('backoffMs', () => {
  it('doubles from the base and stops at the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 40].map((a) => backoffMs(a, full, () => 1))).toEqual([
      500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000,
    ]);
    expect([0, 1, 5, 6, 7, 100].map((a) => backoffMs(a, half, () => 1))).toEqual([
      1000, 2000, 32_000, 60_000, 60_000, 60_000,
    ]);
  });

  it('treats a negative attempt as the first', () => {
    expect(backoffMs(-3, full, () => 1)).toBe(500);
  });

  it('holds the exponent at maxExponent', () => {
    const shape: BackoffShape = { baseMs: 1, capMs: 1e9, maxExponent: 4, jitterFloor: 1, jitterSpread: 0 };
    expect([3, 4, 5, 20].map((a) => backoffMs(a, shape, () => 0))).toEqual([8, 16, 16, 16]);
  });

  it('keeps jitter within floor .. floor + spread of the ceiling', () => {
    // A ceiling of 4000 ms: attempt 3 of full and added, attempt 2 of half.
    expect(backoffMs(3, full, () => 0)).toBe(0);
    expect(backoffMs(3, full, () => 0.5)).toBe(2000);
    expect(backoffMs(3, full, () => 1)).toBe(4000);
    expect(backoffMs(2, half, () => 0)).toBe(2000);
    expect(backoffMs(2, half, () => 0.5)).toBe(3000);
    expect(backoffMs(2, half, () => 1)).toBe(4000);
    expect(backoffMs(3, added, () => 0)).toBe(4000);
    expect(backoffMs(3, added, () => 1)).toBe(4800);
    for (let i = 0; i <= 100; i++) {
      const r = i / 100;
      const wait = backoffMs(3, added, () => r);
      expect(wait).toBeGreaterThanOrEqual(4000);
      expect(wait).toBeLessThanOrEqual(4800);
      expect(Number.isInteger(wait)).toBe(true);
    }
  });

  it('clamps a random source outside [0, 1]', () => {
    expect(backoffMs(0, full, () => 7)).toBe(500);
    expect(backoffMs(0, full, () => -1)).toBe(0);
  });

  it('rounds only when asked', () => {
    const shape: BackoffShape = { baseMs: 3, capMs: 100, jitterFloor: 0, jitterSpread: 1 };
    expect(backoffMs(0, shape, () => 0.5)).toBe(1.5);
    expect(backoffMs(0, { ...shape, round: 'down' }, () => 0.5)).toBe(1);
    expect(backoffMs(0, { ...shape, round: 'nearest' }, () => 0.5)).toBe(2);
  });
});

describe('Backoff (collectors)', () => {
  it('counts attempts, reaches its cap and starts over after reset', () => {
    const b = new Backoff({ initialMs: 500, maxMs: 10_000, jitter: 0.2 }, () => 0);
    expect(Array.from({ length: 7 }, () => b.next())).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect(b.attempts).toBe(7);
    b.reset();
    expect(b.next()).toBe(500);
  });

  it('adds at most its jitter fraction', () => {
    const b = new Backoff({ initialMs: 500, maxMs: 10_000, jitter: 0.2 }, () => 1);
    expect([b.next(), b.next()]).toEqual([600, 1200]);
  });
});
