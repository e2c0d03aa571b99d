import type { Sample } from '../collect/types.js';
import { errorMessage } from '../app/errors.js';

export interface SampleWriterOptions {
  /** Writes one batch in one transaction; throws on failure (disk full, I/O error). */
  write(batch: readonly Sample[]): void;
  /** Called after each successful write with exactly what was written. */
  onWritten(batch: readonly Sample[]): void;
  /** Called when a write fails (with a message) and again with null once writes succeed again. */
  onError(message: string | null): void;
  /** Samples held in memory while the store cannot be written; the oldest are dropped beyond this. */
  maxPending?: number;
}

/**
 * Coalesces batches arriving in the same tick into one transaction, and holds samples in memory while
 * the store refuses writes (disk full), retrying on the next batch or timer, so a short outage loses nothing.
 */
export class SampleWriter {
  private pending: Sample[] = [];
  private scheduled = false;
  private failing = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private droppedCount = 0;
  private closed = false;
  private readonly maxPending: number;

  constructor(private readonly options: SampleWriterOptions) {
    this.maxPending = options.maxPending ?? 500_000;
  }

  get dropped(): number {
    return this.droppedCount;
  }

  get backlog(): number {
    return this.pending.length;
  }

  add(batch: readonly Sample[]): void {
    if (batch.length === 0) return;
    // A collector that outlived its stop (abandoned at shutdown) must not write into a closed store.
    if (this.closed) {
      this.droppedCount += batch.length;
      return;
    }
    for (const s of batch) this.pending.push(s);
    if (this.pending.length > this.maxPending) {
      const excess = this.pending.length - this.maxPending;
      this.pending.splice(0, excess);
      this.droppedCount += excess;
    }
    if (!this.scheduled && !this.failing) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes everything pending now; returns true when the backlog is empty. */
  flush(): boolean {
    this.scheduled = false;
    if (this.pending.length === 0) return true;
    const batch = this.pending;
    try {
      this.options.write(batch);
    } catch (err) {
      if (!this.failing) this.options.onError(`Samples are not being recorded: ${errorMessage(err)}`);
      this.failing = true;
      this.retryTimer ??= setTimeout(() => {
        this.retryTimer = undefined;
        this.flush();
      }, 2000);
      return false;
    }
    this.pending = [];
    if (this.failing) {
      this.failing = false;
      this.options.onError(null);
    }
    this.options.onWritten(batch);
    return true;
  }

  /** Final flush on shutdown. */
  close(): void {
    clearTimeout(this.retryTimer);
    this.flush();
    this.closed = true;
  }
}
