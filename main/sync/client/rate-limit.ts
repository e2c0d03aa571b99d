import { rateLimitHeaders } from '../api/model.js';
import type { RateLimitState } from './client-api.js';

/** Anything with a case-insensitive `get`, like fetch's Headers. */
export interface HeaderSource {
  get(name: string): string | null;
}

/** A non-negative integer header, or null when absent or not a plain number (proxies send odd things). */
export const parseCount = (value: string | null): number | null => {
  if (value === null) return null;
  const t = value.trim();
  if (!/^\d{1,15}$/.test(t)) return null;
  return Number(t);
};

/**
 * A reset header to epoch ms. The reference says epoch seconds; tolerated too: epoch ms (a value too large
 * to be seconds) and a delta in seconds (a value too small to be a date, as some gateways send).
 */
export const parseReset = (value: string | null, observedAt: number): number | null => {
  const n = parseCount(value);
  if (n === null) return null;
  if (n >= 100_000_000_000) return n; // already ms: as seconds this would be beyond year 5000
  if (n < 1_000_000_000) return observedAt + n * 1000; // before 2001 as a date: a delta
  return n * 1000;
};

/**
 * The six rate-limit headers (per-minute trio of the reference + our per-day trio) as RateLimitState.
 * Returns null when the response carries none of them, so a bare answer from a proxy does not erase
 * what the API said last.
 */
export const parseRateLimit = (headers: HeaderSource, observedAt: number): RateLimitState | null => {
  const raw = {
    limit: headers.get(rateLimitHeaders.limit),
    remaining: headers.get(rateLimitHeaders.remaining),
    reset: headers.get(rateLimitHeaders.reset),
    dayLimit: headers.get(rateLimitHeaders.dayLimit),
    dayRemaining: headers.get(rateLimitHeaders.dayRemaining),
    dayReset: headers.get(rateLimitHeaders.dayReset),
  };
  if (Object.values(raw).every((v) => v === null)) return null;
  return {
    limit: parseCount(raw.limit),
    remaining: parseCount(raw.remaining),
    resetAt: parseReset(raw.reset, observedAt),
    dayLimit: parseCount(raw.dayLimit),
    dayRemaining: parseCount(raw.dayRemaining),
    dayResetAt: parseReset(raw.dayReset, observedAt),
    observedAt,
  };
};

/**
 * When a 429 gives no Retry-After, the exhausted window's reset says when to come back. The day window
 * counts when it is the exhausted one (it resets later than the minute window).
 */
export const waitFromRateLimit = (s: RateLimitState, now: number): number | null => {
  const waits: number[] = [];
  if (s.remaining === 0 && s.resetAt !== null) waits.push(s.resetAt - now);
  if (s.dayRemaining === 0 && s.dayResetAt !== null) waits.push(s.dayResetAt - now);
  if (waits.length === 0) return null;
  return Math.max(0, ...waits);
};
