import type { RollupsRepo } from '../store/rollups-repo.js';

export interface RollupServiceOptions {
  rollups: RollupsRepo;
  /** Background pass pace. */
  intervalMs?: number;
  /** Dirty minutes recomputed per transaction: bounded so one step never holds the writer for long. */
  stepSize?: number;
  onError?: (err: unknown) => void;
}

/**
 * Runs the rollup pass: in the background every few seconds (one bounded step per event-loop turn, so
 * ingest interleaves), and synchronously to the end before a history query so answers are never stale.
 */
export class RollupService {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
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
  }

  /** Recomputes every dirty minute now; returns how many were recomputed. */
  catchUp(): number {
    let total = 0;
    for (;;) {
      const n = this.options.rollups.step(this.stepSize);
      total += n;
      if (n < this.stepSize) return total;
    }
  }

  private async runInBackground(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.timer && this.options.rollups.step(this.stepSize) === this.stepSize) {
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } catch (err) {
      this.options.onError?.(err);
    } finally {
      this.running = false;
    }
  }
}
