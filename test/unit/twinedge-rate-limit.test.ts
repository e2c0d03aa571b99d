import { describe, expect, it } from 'vitest';
import { parseCount, parseRateLimit, parseReset, waitFromRateLimit } from '../../main/sync/client/rate-limit.js';

const headers = (h: Record<string, string>): Headers => new Headers(h);
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('rate-limit headers', () => {
  it('parses the per-minute trio and the per-day trio; reset epoch seconds become ms', () => {
    const s = parseRateLimit(
      headers({
        'X-RateLimit-Limit': '1000',
        'X-RateLimit-Remaining': '999',
        'X-RateLimit-Reset': '1767268860',
        'X-RateLimit-Limit-Day': '100000',
        'X-RateLimit-Remaining-Day': '4321',
        'X-RateLimit-Reset-Day': '1767312000',
      }),
      NOW,
    );
    expect(s).toEqual({
      limit: 1000,
      remaining: 999,
      resetAt: 1_767_268_860_000,
      dayLimit: 100_000,
      dayRemaining: 4321,
      dayResetAt: 1_767_312_000_000,
      observedAt: NOW,
    });
  });

  it('returns null when no rate-limit header is present (a proxy answer must not erase the last state)', () => {
    expect(parseRateLimit(headers({ 'content-type': 'text/html' }), NOW)).toBeNull();
  });

  it('tolerates absent and garbage values field by field', () => {
    const s = parseRateLimit(
      headers({ 'x-ratelimit-limit': 'lots', 'x-ratelimit-remaining': '-3', 'x-ratelimit-reset': '1.5e9' }),
      NOW,
    );
    expect(s).toEqual({
      limit: null,
      remaining: null,
      resetAt: null,
      dayLimit: null,
      dayRemaining: null,
      dayResetAt: null,
      observedAt: NOW,
    });
    expect(parseCount(' 42 ')).toBe(42);
    expect(parseCount('')).toBeNull();
    expect(parseCount('12abc')).toBeNull();
  });

  it('reads a reset in ms or as a delta in seconds too', () => {
    expect(parseReset('1767268860123', NOW)).toBe(1_767_268_860_123);
    expect(parseReset('37', NOW)).toBe(NOW + 37_000);
    expect(parseReset('1767268860', NOW)).toBe(1_767_268_860_000);
  });

  it('derives the wait of a 429 from the exhausted window, the later one when both are', () => {
    const base = {
      limit: 60,
      remaining: 0,
      resetAt: NOW + 20_000,
      dayLimit: 1000,
      dayRemaining: 10,
      dayResetAt: NOW + 3_600_000,
      observedAt: NOW,
    };
    expect(waitFromRateLimit(base, NOW)).toBe(20_000);
    expect(waitFromRateLimit({ ...base, dayRemaining: 0 }, NOW)).toBe(3_600_000);
    expect(waitFromRateLimit({ ...base, remaining: 5 }, NOW)).toBeNull();
    expect(waitFromRateLimit({ ...base, resetAt: NOW - 5000 }, NOW)).toBe(0);
  });
});
