import { z } from 'zod';
import { seededRandom } from '../../../main/domain/prng.js';

/** Misbehaviour to inject; rates are probabilities per request (0..1). */
export interface Faults {
  latencyMs: number;
  latencyJitterMs: number;
  /** Answer 500 INTERNAL_ERROR or 503 SERVICE_UNAVAILABLE (with Retry-After). */
  error5xxRate: number;
  /** Fraction of those 5xx that come after the request was applied (stored, but the client sees 500). */
  error5xxAfterApply: number;
  /** Extra 429s with Retry-After regardless of the key's budget. */
  rate429: number;
  /** Socket destroyed without an answer; half of them after the request was applied. */
  dropRate: number;
  /** Outage: every connection is destroyed at once. */
  down: boolean;
}

export const noFaults: Faults = {
  latencyMs: 0,
  latencyJitterMs: 0,
  error5xxRate: 0,
  error5xxAfterApply: 0,
  rate429: 0,
  dropRate: 0,
  down: false,
};

export type FaultPlan =
  { kind: 'none' } | { kind: 'drop'; afterApply: boolean } | { kind: '5xx'; status: 500 | 503; afterApply: boolean };

/** Draws fault decisions from a seeded PRNG so a given seed gives the same pattern every run. */
export class FaultInjector {
  private faults: Faults;
  private readonly random: () => number;

  constructor(initial: Partial<Faults> = {}, seed = 1) {
    this.faults = { ...noFaults, ...initial };
    this.random = seededRandom(seed);
  }

  get current(): Faults {
    return { ...this.faults };
  }

  set(patch: Partial<Faults>): Faults {
    this.faults = { ...this.faults, ...patch };
    return this.current;
  }

  latency(): number {
    const { latencyMs, latencyJitterMs } = this.faults;
    return latencyMs + (latencyJitterMs > 0 ? this.random() * latencyJitterMs : 0);
  }

  /** A rate of 1 always fires and 0 never does, whatever the PRNG says. */
  private roll(rate: number): boolean {
    return rate > 0 && (rate >= 1 || this.random() < rate);
  }

  inject429(): boolean {
    return this.roll(this.faults.rate429);
  }

  plan(): FaultPlan {
    if (this.roll(this.faults.dropRate)) return { kind: 'drop', afterApply: this.random() < 0.5 };
    if (this.roll(this.faults.error5xxRate)) {
      if (this.roll(this.faults.error5xxAfterApply)) return { kind: '5xx', status: 500, afterApply: true };
      return { kind: '5xx', status: this.random() < 0.5 ? 500 : 503, afterApply: false };
    }
    return { kind: 'none' };
  }
}

const rate = z.number().min(0).max(1);
/** A runtime change of faults (POST /__sim/faults): unknown or out-of-range knobs are refused. */
export const FaultsPatch = z
  .object({
    latencyMs: z.number().min(0),
    latencyJitterMs: z.number().min(0),
    error5xxRate: rate,
    error5xxAfterApply: rate,
    rate429: rate,
    dropRate: rate,
    down: z.boolean(),
  })
  .partial()
  .strict();
