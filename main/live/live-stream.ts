import type { Sample } from '../collect/types.js';
import type { SampleTuple } from '../contract/contract.js';
import type { EventHub } from './event-hub.js';

/**
 * Batches stored samples into `samples.batch` events at a fixed cadence, so a renderer gets a few
 * messages per second however fast the collectors run.
 */
export class LiveStream {
  private pending: SampleTuple[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly hub: EventHub,
    intervalMs = 250,
    /** Beyond this many samples per interval only the newest are sent live (all are stored). */
    private readonly maxPerMessage = 20_000,
  ) {
    this.timer = setInterval(() => this.flush(), intervalMs);
    this.timer.unref();
  }

  push(batch: readonly Sample[]): void {
    // Nobody watching (a headless gateway, a closed window): nothing to build.
    if (this.hub.size === 0) return;
    for (const s of batch) {
      this.pending.push(
        s.text === undefined ? [s.tagId, s.ts, s.value, s.quality] : [s.tagId, s.ts, null, s.quality, s.text],
      );
    }
    // Only the newest maxPerMessage go out per interval; do not hold more than that in memory.
    if (this.pending.length > 2 * this.maxPerMessage) this.pending = this.pending.slice(-this.maxPerMessage);
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const samples = this.pending.length > this.maxPerMessage ? this.pending.slice(-this.maxPerMessage) : this.pending;
    this.pending = [];
    if (this.hub.size > 0) this.hub.emit('samples.batch', { samples });
  }

  close(): void {
    clearInterval(this.timer);
    this.pending = [];
  }
}
