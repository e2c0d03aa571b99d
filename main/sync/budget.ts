import type { RateLimitState } from './client/client-api.js';
import type { Clock } from './clock.js';

export interface Limits {
  perMinute: number;
  perDay: number;
}

/** Until the key's tier is known, plan as if it were the smallest (Trial): too slow beats a 429. */
const FALLBACK: Limits = { perMinute: 60, perDay: 1_000 };

/**
 * Plans upload requests inside the key's request budget so the uploader never provokes a 429 by design:
 * requests are spaced evenly across the minute and across what is left of the day, and a share of both
 * budgets is kept back for everything else the app asks TwinEdge (device registration, alert lists, the
 * engineer's own clicks). The last response's rate-limit headers correct the plan as it goes.
 */
export class RequestBudget {
  private limits: Limits = FALLBACK;
  private state: RateLimitState | null = null;
  private lastUploadAt = -Infinity;

  constructor(
    private readonly clock: Clock,
    /** Fraction of each budget never used by uploads. */
    private readonly reserve = 0.1,
  ) {}

  setLimits(limits: Limits): void {
    this.limits = limits;
  }

  get current(): Limits {
    return this.limits;
  }

  get lastState(): RateLimitState | null {
    return this.state;
  }

  observe(state: RateLimitState): void {
    this.state = state;
    if (state.limit !== null && state.limit > 0) this.limits = { ...this.limits, perMinute: state.limit };
    if (state.dayLimit !== null && state.dayLimit > 0) this.limits = { ...this.limits, perDay: state.dayLimit };
  }

  uploadStarted(): void {
    this.lastUploadAt = this.clock.now();
  }

  /** Upload requests per minute the plan allows. */
  uploadsPerMinute(): number {
    return Math.max(1, Math.floor(this.limits.perMinute * (1 - this.reserve)));
  }

  /** How long to wait before the next upload request (0: now). */
  delayMs(): number {
    const now = this.clock.now();
    let next = this.lastUploadAt + 60_000 / this.uploadsPerMinute();
    const s = this.state;
    if (s) {
      const reserveMinute = Math.ceil(this.limits.perMinute * this.reserve);
      if (s.remaining !== null && s.resetAt !== null && s.resetAt > now && s.remaining <= reserveMinute) {
        next = Math.max(next, s.resetAt + 250);
      }
      if (s.dayRemaining !== null && s.dayResetAt !== null && s.dayResetAt > now) {
        const usable = s.dayRemaining - Math.ceil(this.limits.perDay * this.reserve);
        // Spread what is left of the day evenly, so the budget lasts until it refills.
        next =
          usable <= 0
            ? Math.max(next, s.dayResetAt + 250)
            : Math.max(next, this.lastUploadAt + (s.dayResetAt - now) / usable);
      }
    }
    return Math.max(0, next - now);
  }

  /** Whether a non-upload call (e.g. a periodic refresh) may spend from the reserve now. */
  reserveAvailable(): boolean {
    const s = this.state;
    if (!s) return true;
    const now = this.clock.now();
    if (s.remaining !== null && s.resetAt !== null && s.resetAt > now && s.remaining <= 1) return false;
    if (s.dayRemaining !== null && s.dayResetAt !== null && s.dayResetAt > now && s.dayRemaining <= 1) return false;
    return true;
  }
}
