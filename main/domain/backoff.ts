// The one capped exponential backoff formula that every retry loop (collectors, HTTP client, uploader, registration) uses.

/**
 * How a backoff grows and spreads. The wait before retry `attempt` (from 0) is
 * `min(capMs, baseMs * 2^min(attempt, maxExponent))`, scaled by `jitterFloor + jitterSpread * random()`:
 * floor 1 and spread 0.2 add up to 20 %, floor 0 and spread 1 is full jitter, floor 0.5 and spread 0.5 keeps
 * at least half. Jitter spreads the retries of many clients that lost the same server at the same moment.
 */
export interface BackoffShape {
  baseMs: number;
  capMs: number;
  /** Attempts past this wait as long as it does (keeps 2^n finite for long outages); none when absent. */
  maxExponent?: number;
  jitterFloor: number;
  jitterSpread: number;
  /** Whole milliseconds: 'down' floors, 'nearest' rounds; absent leaves the value as computed. */
  round?: 'down' | 'nearest';
}

/** The wait before retry `attempt` (0 = the first retry); a random source outside [0, 1] is clamped to it. */
export const backoffMs = (attempt: number, shape: BackoffShape, random: () => number = Math.random): number => {
  const exponent = Math.min(Math.max(0, attempt), shape.maxExponent ?? Number.POSITIVE_INFINITY);
  const ceiling = Math.min(shape.capMs, shape.baseMs * 2 ** exponent);
  const r = Math.min(1, Math.max(0, random()));
  const wait = ceiling * (shape.jitterFloor + shape.jitterSpread * r);
  if (shape.round === 'down') return Math.floor(wait);
  if (shape.round === 'nearest') return Math.round(wait);
  return wait;
};
