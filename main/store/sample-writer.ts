import { StatusCodes } from '../domain/sample/status-codes.js';
import { type Sample } from '../domain/sample/sample.js';
import { errorMessage } from '../domain/errors/app-error.js';
import { SampleLossEpisode, type SampleLoss } from './sample-loss.js';

export type { SampleLoss } from './sample-loss.js';

export interface SampleWriterOptions {
  /** Writes one batch in one transaction; throws on failure (disk full, I/O error). */
  write(batch: readonly Sample[]): void;
  /** Called after each successful write with exactly what was written. */
  onWritten(batch: readonly Sample[]): void;
  /** Called when a write fails (with a message) and again with null once writes succeed again. */
  onError(message: string | null): void;
  /**
   * Samples are being dropped ('started', once per episode) or the episode is over ('ended': the gap markers are
   * stored, or the app stops). `loss` is the episode's running figures, `total` every sample lost since start.
   */
  onLoss?(kind: 'started' | 'ended', loss: SampleLoss, total: number): void;
  /** Samples held in memory while the store cannot be written; the oldest are dropped beyond this. */
  maxPending?: number;
}

/** What the store can do at shutdown to make room for the last write (disk full). */
export interface LastWrite {
  /** Samples per attempt: small, so one transaction needs little room. */
  chunk: number;
  /** After each stored chunk (e.g. a WAL checkpoint, so the log never needs more than one chunk of room). */
  afterChunk(): void;
  /** Frees room (oldest rolled-up raw rows, as retention would); false when nothing more can be freed. */
  free(): boolean;
}

/** What close() could not store. */
export interface CloseReport {
  /** Samples held at shutdown that could not be stored. */
  lost: number;
  /** Every sample lost since start (including these). */
  totalLost: number;
  /** Samples held at shutdown that were stored by the last attempts. */
  keptAtClose: number;
}

/**
 * Coalesces batches arriving in the same tick into one transaction, and holds samples in memory while
 * the store refuses writes (disk full), retrying on the next batch or timer, so a short outage loses nothing.
 * Past maxPending the oldest are dropped: counted, reported once per episode, and marked in the data with one
 * BadDataLost sample per tag at the first lost source time, so the trend shows the gap.
 */
export class SampleWriter {
  private pending: Sample[] = [];
  private scheduled = false;
  private failing = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private droppedCount = 0;
  private closed = false;
  private readonly maxPending: number;
  /** The loss in progress (samples dropped, markers not yet stored), or null. */
  private episode: SampleLossEpisode | null = null;
  private lastLoss: SampleLoss | null = null;

  constructor(private readonly options: SampleWriterOptions) {
    this.maxPending = options.maxPending ?? 500_000;
  }

  /** Every sample lost since start (dropped from memory, or arriving after close). */
  get dropped(): number {
    return this.droppedCount;
  }

  /** The loss in progress, else the last one; null when nothing was lost. */
  get loss(): SampleLoss | null {
    return this.episode?.summary() ?? this.lastLoss;
  }

  /** True while samples are being dropped (until the gap markers are stored). */
  get losing(): boolean {
    return this.episode !== null;
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
    if (this.pending.length > this.maxPending) this.drop(this.pending.length - this.maxPending);
    if (!this.scheduled && !this.failing) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes everything pending now; returns true when the backlog is empty. */
  flush(): boolean {
    this.scheduled = false;
    if (this.pending.length === 0 && !this.episode) return true;
    const batch = this.withMarkers(this.pending);
    if (batch.length === 0) {
      this.endEpisode();
      return true;
    }
    try {
      this.options.write(batch);
    } catch (err) {
      if (!this.failing) this.options.onError(`Samples are not being recorded: ${errorMessage(err)}`);
      this.failing = true;
      if (!this.closed) {
        this.retryTimer ??= setTimeout(() => {
          this.retryTimer = undefined;
          this.flush();
        }, 2000);
      }
      return false;
    }
    this.pending = [];
    this.endEpisode();
    if (this.failing) {
      this.failing = false;
      this.options.onError(null);
    }
    this.options.onWritten(batch);
    return true;
  }

  /**
   * Final flush on shutdown. When the store refuses it, `last` may make room and the held samples are written in
   * small chunks, oldest first; what still does not fit is counted as lost (with its gap markers, if they fit).
   */
  close(last?: LastWrite): CloseReport {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.closed = true;
    const held = this.pending.length;
    if (!this.flush() && last) {
      for (;;) {
        this.writeChunks(last);
        if (this.pending.length === 0 || !last.free()) break;
      }
    }
    const lost = this.pending.length;
    if (lost > 0) {
      this.drop(lost);
      // Only the markers now: one row per tag, the likeliest write to still fit.
      this.flush();
    }
    this.endEpisode();
    return { lost, totalLost: this.droppedCount, keptAtClose: held - lost };
  }

  private writeChunks(last: LastWrite): void {
    while (this.pending.length > 0) {
      const chunk = this.pending.slice(0, last.chunk);
      const batch = this.withMarkers(chunk);
      try {
        this.options.write(batch);
        last.afterChunk();
      } catch {
        return;
      }
      this.pending.splice(0, chunk.length);
      this.episode?.markersStored();
      this.options.onWritten(batch);
    }
  }

  /** Gap markers first: older than anything held, and stored in the same transaction as the samples. */
  private withMarkers(samples: Sample[]): Sample[] {
    const markers = this.episode?.markers() ?? [];
    return markers.length > 0 ? [...markers, ...samples] : samples;
  }

  /** Drops the oldest `n` held samples, counting them and remembering a gap marker per tag. */
  private drop(n: number): void {
    const gone = this.pending.splice(0, n);
    this.droppedCount += gone.length;
    const starting = this.episode === null;
    this.episode ??= new SampleLossEpisode(StatusCodes.BadDataLost);
    this.episode.add(gone);
    if (starting) this.options.onLoss?.('started', this.episode.summary(), this.droppedCount);
  }

  /** The markers are stored (or the app stops): the episode is over and said so once. */
  private endEpisode(): void {
    if (!this.episode) return;
    this.lastLoss = this.episode.summary();
    this.episode = null;
    this.options.onLoss?.('ended', this.lastLoss, this.droppedCount);
  }
}
