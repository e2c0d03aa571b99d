import type { Sample } from '../domain/sample/sample.js';
import type { SampleTuple } from '../domain/sample/sample-tuple.js';

const tupleOf = (s: Sample): SampleTuple =>
  s.text === undefined ? [s.tagId, s.ts, s.value, s.quality] : [s.tagId, s.ts, null, s.quality, s.text];

/** Where batches go (the app's event hub): `size` is how many listen, so nothing is built for nobody. */
export interface SampleBatchSink {
  readonly size: number;
  emit(event: 'samples.batch', payload: { samples: SampleTuple[] }): void;
}

/**
 * Batches collected samples into `samples.batch` events at a fixed cadence, so a renderer gets a few
 * messages per second however fast the collectors run.
 *
 * Up to `maxPerMessage` samples per interval every sample goes out (the live trend draws them all). Beyond that
 * the interval keeps only the newest value of each tag (by source time), so every tag still updates each
 * interval whatever the device's size; memory is then one entry per tag. If even that is more than
 * `maxPerMessage`, the interval's values go out in several messages of at most `maxPerMessage`.
 */
export class LiveStream {
  /** Every sample of this interval, while under the cap. */
  private all: SampleTuple[] = [];
  /** Once over the cap: the newest sample of each tag in this interval. */
  private newest: Map<number, SampleTuple> | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly hub: SampleBatchSink,
    intervalMs = 250,
    /** Samples per message; above this many per interval each tag's newest value is sent (all are stored). */
    private readonly maxPerMessage = 20_000,
  ) {
    this.timer = setInterval(() => this.flush(), intervalMs);
    this.timer.unref();
  }

  push(batch: readonly Sample[]): void {
    // Nobody watching (a headless gateway, a closed window): nothing to build.
    if (this.hub.size === 0) return;
    let newest = this.newest;
    if (newest === null) {
      if (this.all.length + batch.length <= this.maxPerMessage) {
        for (const s of batch) this.all.push(tupleOf(s));
        return;
      }
      newest = this.newest = new Map();
      for (const t of this.all) keepNewest(newest, t);
      this.all = [];
    }
    for (const s of batch) {
      const held = newest.get(s.tagId);
      if (held === undefined || held[1] <= s.ts) newest.set(s.tagId, tupleOf(s));
    }
  }

  flush(): void {
    const samples = this.newest ? [...this.newest.values()] : this.all;
    this.all = [];
    this.newest = null;
    if (samples.length === 0 || this.hub.size === 0) return;
    const max = this.maxPerMessage;
    if (samples.length <= max) {
      this.hub.emit('samples.batch', { samples });
      return;
    }
    for (let i = 0; i < samples.length; i += max)
      this.hub.emit('samples.batch', { samples: samples.slice(i, i + max) });
  }

  close(): void {
    clearInterval(this.timer);
    this.all = [];
    this.newest = null;
  }
}

const keepNewest = (newest: Map<number, SampleTuple>, t: SampleTuple): void => {
  const held = newest.get(t[0]);
  if (held === undefined || held[1] <= t[1]) newest.set(t[0], t);
};
