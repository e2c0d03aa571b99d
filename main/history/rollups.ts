import { HOUR_MS, MINUTE_MS, type RollupsRepo } from '../store/rollups-repo.js';

/** Samples of a minute may still arrive this long after it ended (publish interval, batching, a slow turn). */
const LATE_MS = 5_000;

/**
 * The minute buckets the background pass leaves dirty at `now`: minutes still filling (and up to a minute
 * ahead, for a server clock running a little fast). Recomputing them every pass re-read each open minute's raw
 * rows a dozen times; left dirty, each is computed once after it ends, and catchUp() still takes them all.
 */
export const openMinutes = (now: number): { from: number; to: number } => ({
  from: now - MINUTE_MS - LATE_MS,
  to: now + MINUTE_MS,
});

export interface RollupServiceOptions {
  rollups: RollupsRepo;
  /** Background pass pace. */
  intervalMs?: number;
  /** Dirty minutes recomputed per transaction: bounded so one step never holds the writer for long. */
  stepSize?: number;
  onError?: (err: unknown) => void;
  now?: () => number;
}

/**
 * Runs the rollup pass: in the background every few seconds (one bounded step per event-loop turn, so
 * ingest interleaves) over minutes that have ended, and synchronously to the end, open minutes included,
 * before a history query so answers are never stale.
 */
export class RollupService {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;
  private readonly stepSize: number;

  constructor(private readonly options: RollupServiceOptions) {
    this.stepSize = options.stepSize ?? 2000;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.runInBackground(), this.options.intervalMs ?? 5000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.stopped = true;
  }

  /**
   * Recomputes every dirty minute now (with `before`: every one older than that, what retention needs before
   * it deletes raw rows); returns how many were recomputed.
   */
  catchUp(before?: number): number {
    const skip = before === undefined ? undefined : { from: before, to: Number.MAX_SAFE_INTEGER };
    let total = 0;
    for (;;) {
      const n = this.options.rollups.step(this.stepSize, skip);
      total += n;
      if (n < this.stepSize) return total;
    }
  }

  /**
   * Recomputes the dirty minutes of these tags that a query of [from, to] reads, open minutes included, widened to
   * whole hours (an hour row is computed from all its minutes); returns how many were recomputed. Other tags wait
   * for the background pass: a query on one tag no longer pays for every tag's backlog.
   */
  catchUpTags(tagIds: readonly number[], from: number, to: number): number {
    const start = Math.floor(from / HOUR_MS) * HOUR_MS;
    const end = Math.floor(to / HOUR_MS) * HOUR_MS + HOUR_MS;
    let total = 0;
    for (;;) {
      const n = this.options.rollups.stepTags(tagIds, start, end, this.stepSize);
      total += n;
      // Per tag up to stepSize: fewer than a full step for every tag means none has more left.
      if (n < this.stepSize) return total;
    }
  }

  /** One background pass now (what the timer runs): every dirty minute that has ended. */
  async runInBackground(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const now = this.options.now ?? Date.now;
    try {
      while (!this.stopped && this.options.rollups.step(this.stepSize, openMinutes(now())) === this.stepSize) {
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } catch (err) {
      this.options.onError?.(err);
    } finally {
      this.running = false;
    }
  }
}
