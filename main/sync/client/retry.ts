import { backoffMs } from '../../domain/backoff.js';
import type { TwinEdgeApiError } from './api-error.js';

export interface BackoffOptions {
  /** First retry waits up to this long (full jitter: anywhere in [0, base]). */
  baseMs: number;
  /** No retry waits longer than this, however many attempts came before. */
  capMs: number;
}

export const defaultBackoff: BackoffOptions = { baseMs: 500, capMs: 30_000 };

/**
 * Full-jitter exponential backoff: a uniform wait in [0, min(cap, base * 2^retry)). Jitter spreads the
 * retries of many desktops that lost the same server at the same moment. `retry` counts from 0.
 */
export const backoffDelay = (retry: number, o: BackoffOptions, random: () => number = Math.random): number =>
  backoffMs(retry, { baseMs: o.baseMs, capMs: o.capMs, jitterFloor: 0, jitterSpread: 1, round: 'down' }, random);

/**
 * Retry-After as ms from `now`: delta seconds or an HTTP date (RFC 9110). Null when absent or unparsable;
 * a date in the past means "now" (0).
 */
export const parseRetryAfter = (value: string | null, now: number): number | null => {
  if (value === null) return null;
  const t = value.trim();
  if (t === '') return null;
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  // Only date-looking values: Date.parse accepts bare numbers like "-1" or "1.5" as years.
  if (!/[a-z]/i.test(t)) return null;
  const at = Date.parse(t);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
};

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * Whether the failed attempt may be repeated. Repeating is safe for GET/PUT/DELETE and for a POST with an
 * Idempotency-Key (the server applies it once); a plain POST is repeated only when the server certainly
 * did not act on it: 429 (refused before processing), 503 with Retry-After (the server says "not now"),
 * and a refused connection (nothing was sent).
 */
export const mayRetry = (err: TwinEdgeApiError, method: HttpMethod, hasIdempotencyKey: boolean): boolean => {
  const repeatable = method !== 'POST' || hasIdempotencyKey;
  switch (err.kind) {
    case 'aborted':
    case 'invalid_response':
      return false;
    case 'network':
      return repeatable || err.networkCode === 'ECONNREFUSED';
    case 'timeout':
      return repeatable;
    case 'http':
      if (err.status === 429) return true;
      if (err.status === 503 && err.retryAfterMs !== null) return true;
      return repeatable && (err.status === 500 || err.status === 502 || err.status === 503 || err.status === 504);
  }
};

/** How long to wait before the next attempt: the server's advice when it gave one, else backoff. */
export const retryDelay = (
  err: TwinEdgeApiError,
  retry: number,
  o: BackoffOptions,
  random: () => number = Math.random,
): number => (err.retryAfterMs !== null ? Math.max(0, err.retryAfterMs) : backoffDelay(retry, o, random));
