import type { Sample } from '../domain/sample/sample.js';

/** Samples dropped from memory in one episode (the store could not be written and the buffer was full). */
export interface SampleLoss {
  count: number;
  /** Source times of the oldest and newest sample lost. */
  from: number;
  to: number;
  /** Tags that lost samples. */
  tags: number;
}

/**
 * One episode of loss: the running figures, and per tag a marker sample (value null, Bad quality) at the first
 * lost source time, the shape the collectors use for a lost connection, so the trend shows a gap there.
 */
export class SampleLossEpisode {
  private count = 0;
  private from = Number.POSITIVE_INFINITY;
  private to = Number.NEGATIVE_INFINITY;
  private readonly tagIds = new Set<number>();
  /** Markers not stored yet, by tag. */
  private readonly pending = new Map<number, Sample>();

  constructor(private readonly quality: number) {}

  add(lost: readonly Sample[]): void {
    this.count += lost.length;
    for (const s of lost) {
      if (s.ts < this.from) this.from = s.ts;
      if (s.ts > this.to) this.to = s.ts;
      this.tagIds.add(s.tagId);
      const m = this.pending.get(s.tagId);
      if (m) {
        if (s.ts < m.ts) m.ts = s.ts;
        continue;
      }
      // A new span (or one after markers already stored at close). Historical: past data, stored and uploaded, never fed to alarms or the live stream.
      this.pending.set(s.tagId, { tagId: s.tagId, ts: s.ts, value: null, quality: this.quality, historical: true });
    }
  }

  markers(): Sample[] {
    return [...this.pending.values()];
  }

  markersStored(): void {
    this.pending.clear();
  }

  summary(): SampleLoss {
    return { count: this.count, from: this.from, to: this.to, tags: this.tagIds.size };
  }
}
