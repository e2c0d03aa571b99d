import type { Collector, CollectorDevice, CollectorEvents } from '../../main/collect/types.js';
import type { Sample } from '../../main/domain/sample/sample.js';

/**
 * A synthetic collector for heavy ingest without a server: one sample per tag every `stepMs`, at source times
 * t0 + k * stepMs, catching up after a stalled event loop so source times have no gaps. `produced` counts what it
 * handed over per tag (a map of the caller's, to count across collectors).
 */
export class GeneratorCollector implements Collector {
  readonly produced: Map<number, number>;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly device: CollectorDevice,
    private readonly events: CollectorEvents,
    private readonly o: {
      stepMs: number;
      /** The first source time (default: now). */
      t0?: () => number;
      /** Told the first source time as it starts. */
      onStart?: (t0: number) => void;
      value?: (ts: number, tagId: number, k: number) => number;
      produced?: Map<number, number>;
    },
  ) {
    this.produced = o.produced ?? new Map<number, number>();
  }

  start(): void {
    const { stepMs } = this.o;
    const t0 = this.o.t0?.() ?? Date.now();
    this.o.onStart?.(t0);
    this.events.onState({ state: 'connected', message: null });
    const tagIds = [...this.device.tagIds.values()];
    let k = 0;
    this.timer = setInterval(() => {
      const due = Math.floor((Date.now() - t0) / stepMs);
      const batch: Sample[] = [];
      for (; k <= due; k++) {
        const ts = t0 + k * stepMs;
        for (const tagId of tagIds) {
          batch.push({ tagId, ts, value: this.o.value?.(ts, tagId, k) ?? k, quality: 0 });
          this.produced.set(tagId, (this.produced.get(tagId) ?? 0) + 1);
        }
      }
      if (batch.length > 0) this.events.onSamples(batch);
    }, stepMs);
  }

  stop(): Promise<void> {
    clearInterval(this.timer);
    return Promise.resolve();
  }
}
