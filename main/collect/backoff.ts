// Collectors' reconnect backoff: counts failed attempts and waits by the shared formula, jitter added on top.
import { backoffMs } from '../domain/backoff.js';

/**
 * Capped exponential backoff with jitter. Capped low on purpose: an engineer restarting a PLC expects
 * the data back within seconds, not after a delay that grew to minutes overnight.
 */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** Fraction of the delay added at random (0..1) so many devices don't retry in lockstep. */
  jitter: number;
}

export const defaultBackoff: BackoffOptions = { initialMs: 500, maxMs: 10_000, jitter: 0.2 };

export class Backoff {
  private attempt = 0;
  constructor(
    private readonly options: BackoffOptions = defaultBackoff,
    private readonly random: () => number = Math.random,
  ) {}

  /** Delay before the next attempt; each call counts one failed attempt. */
  next(): number {
    const { initialMs, maxMs, jitter } = this.options;
    const shape = { baseMs: initialMs, capMs: maxMs, jitterFloor: 1, jitterSpread: jitter, round: 'nearest' } as const;
    const delay = backoffMs(this.attempt, shape, this.random);
    this.attempt = Math.min(this.attempt + 1, 30);
    return delay;
  }

  get attempts(): number {
    return this.attempt;
  }

  reset(): void {
    this.attempt = 0;
  }
}
