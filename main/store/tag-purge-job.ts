import type { TagPurge } from './tag-purge.js';

export interface TagPurgeJobOptions {
  purge: TagPurge;
  /** Rows per step (one transaction); the event loop turns between steps. */
  stepRows?: number;
  onError?: (err: unknown) => void;
  /** After a run that removed something: rows deleted and tags finished. */
  onDone?: (result: PurgeRun) => void;
}

export interface PurgeRun {
  steps: number;
  rows: number;
  tags: number;
  /** False when the job stopped (or failed) with data still queued. */
  complete: boolean;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Runs the tag purge in the background until nothing is queued: at start (a purge cut short by a crash or a stop
 * resumes) and whenever tags are queued. One bounded step per event-loop turn, so calls and ingest go on meanwhile.
 */
export class TagPurgeJob {
  private running: Promise<PurgeRun> | null = null;
  private again = false;
  private stopped = false;
  private readonly stepRows: number;

  constructor(private readonly options: TagPurgeJobOptions) {
    this.stepRows = options.stepRows ?? 10_000;
    // Every delete (device, tags removed by an edit or a config file) starts the job.
    options.purge.onQueued(() => void this.kick());
  }

  /** Starts (or continues) removing queued data; the promise ends when the queue is empty or the job stopped. */
  kick(): Promise<PurgeRun> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.drain().finally(() => {
      this.running = null;
      if (this.again && !this.stopped) {
        this.again = false;
        void this.kick();
      }
    });
    return this.running;
  }

  /** Ends after the current step; what is left stays queued for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async drain(): Promise<PurgeRun> {
    const run: PurgeRun = { steps: 0, rows: 0, tags: 0, complete: false };
    try {
      // First a turn: a kick comes from inside the deleting transaction, which must end (or roll back) first.
      await nextTurn();
      while (!this.stopped) {
        const s = this.options.purge.step(this.stepRows);
        if (s.idle) {
          run.complete = true;
          break;
        }
        run.steps++;
        run.rows += s.rows;
        if (s.finished !== null) run.tags++;
        await nextTurn();
      }
    } catch (err) {
      this.options.onError?.(err);
    }
    if (run.rows > 0 || run.tags > 0) this.options.onDone?.(run);
    return run;
  }
}
