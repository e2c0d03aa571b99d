import type { Store } from '../store.js';
import { Compaction, DAY_MS, HOUR_MS } from './compaction.js';

export interface CompactorOptions {
  store: Store;
  /** Rows younger than this stay rows (inserts and duplicate checks there cost nothing extra). */
  horizonMs?: number;
  /** Pause between passes. */
  intervalMs?: number;
  /** The first pass waits this long after start (startup is busy: collectors connect, rollups catch up). */
  startDelayMs?: number;
  /** Rows per seal step (one transaction); the event loop turns between steps. */
  stepRows?: number;
  now?: () => number;
  onError?: (err: unknown) => void;
  /**
   * A store holding older rows than a day past the horizon (one written before sealed blocks, or one that has not
   * run for a while) is being converted: 'started' once, 'ended' with what was sealed when it is done.
   */
  onConversion?: (kind: 'started' | 'ended', run: CompactionRun) => void;
}

/** What a pass (or compactAll) did. */
export interface CompactionRun {
  rows: number;
  steps: number;
  /** Finished days whose blocks were merged. */
  merged: number;
  durationMs: number;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The horizon as a whole hour: only complete hours are sealed, so one tag-hour normally becomes one block. */
const cutAt = (now: number, horizonMs: number): number => Math.floor((now - horizonMs) / HOUR_MS) * HOUR_MS;

/**
 * Background job sealing each tag's rows older than the horizon into blocks, one tag-hour per transaction with an
 * event-loop turn between steps (ingest goes on between them), then merging each finished day's blocks of a tag
 * into one. The tables are the whole state: stopped or killed, the next start continues where it was.
 */
export class Compactor {
  private readonly compaction: Compaction;
  private readonly horizonMs: number;
  private timer: NodeJS.Timeout | undefined;
  private startTimer: NodeJS.Timeout | undefined;
  private running: Promise<CompactionRun> | null = null;
  private stopped = false;
  /** The first pass after start also merges days left unmerged by a crash or stop. */
  private firstPass = true;

  constructor(private readonly options: CompactorOptions) {
    this.horizonMs = options.horizonMs ?? HOUR_MS;
    this.compaction = new Compaction(options.store.database, options.store.blocks, options.stepRows ?? 20_000);
  }

  /** Starts passes after startDelayMs and every intervalMs from then on. */
  start(): void {
    this.stopped = false;
    this.startTimer = setTimeout(() => {
      void this.kick();
      this.timer = setInterval(() => void this.kick(), this.options.intervalMs ?? 60_000);
      this.timer.unref();
    }, this.options.startDelayMs ?? 60_000);
    this.startTimer.unref();
  }

  /** Runs a pass unless one is running (then that one's promise). */
  kick(): Promise<CompactionRun> {
    this.running ??= this.pass().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Ends after the current step; the rest is done at the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.startTimer);
    clearInterval(this.timer);
    await this.running;
  }

  private async pass(): Promise<CompactionRun> {
    const started = performance.now();
    const run: CompactionRun = { rows: 0, steps: 0, merged: 0, durationMs: 0 };
    const c = this.compaction;
    const cut = cutAt((this.options.now ?? Date.now)(), this.horizonMs);
    let converting = false;
    try {
      await nextTurn();
      converting = this.backlog(cut);
      if (converting) this.options.onConversion?.('started', run);
      for (let tag = c.nextTag(-1); tag !== null && !this.stopped; tag = c.nextTag(tag)) {
        const touched = new Set<number>();
        for (;;) {
          if (this.stopped) break;
          const s = c.seal(tag, cut);
          if (s.rows === 0 || s.day === null) break;
          run.rows += s.rows;
          run.steps++;
          touched.add(s.day);
          await nextTurn();
        }
        for (const day of touched) {
          if (this.stopped || day + DAY_MS > cut) continue;
          run.merged += c.mergeDay(tag, day) > 0 ? 1 : 0;
          await nextTurn();
        }
      }
      if (this.firstPass && !this.stopped) {
        const blocks = this.options.store.blocks;
        for (let tag = blocks.nextTag(-1); tag !== null && !this.stopped; tag = blocks.nextTag(tag)) {
          for (const day of c.daysToMerge(tag, -Number.MAX_SAFE_INTEGER, cut)) {
            if (this.stopped) break;
            run.merged += c.mergeDay(tag, day) > 0 ? 1 : 0;
            await nextTurn();
          }
        }
        if (!this.stopped) this.firstPass = false;
      }
    } catch (err) {
      this.options.onError?.(err);
    }
    run.durationMs = Math.round(performance.now() - started);
    if (converting && !this.stopped) this.options.onConversion?.('ended', run);
    return run;
  }

  /** True when some tag still has rows from more than a day before the cut (one seek per tag). */
  private backlog(cut: number): boolean {
    const c = this.compaction;
    for (let tag = c.nextTag(-1); tag !== null; tag = c.nextTag(tag)) {
      const oldest = c.oldestRow(tag);
      if (oldest !== null && oldest < cut - DAY_MS) return true;
    }
    return false;
  }
}

/**
 * Seals everything older than `before` now, synchronously (benches, seeds, tests): dirty minutes are rolled up
 * first (their rows must be in `samples` while the rollup pass reads them), then every tag's rows are sealed and
 * its finished days merged.
 */
export const compactAll = (store: Store, before: number, stepRows = 20_000): CompactionRun => {
  const started = performance.now();
  const run: CompactionRun = { rows: 0, steps: 0, merged: 0, durationMs: 0 };
  while (store.rollups.step(10_000) > 0);
  const c = new Compaction(store.database, store.blocks, stepRows);
  for (let tag = c.nextTag(-1); tag !== null; tag = c.nextTag(tag)) {
    for (let s = c.seal(tag, before); s.rows > 0; s = c.seal(tag, before)) {
      run.rows += s.rows;
      run.steps++;
    }
  }
  const blocks = store.blocks;
  for (let tag = blocks.nextTag(-1); tag !== null; tag = blocks.nextTag(tag)) {
    for (const day of c.daysToMerge(tag, -Number.MAX_SAFE_INTEGER, before)) {
      run.merged += c.mergeDay(tag, day) > 0 ? 1 : 0;
    }
  }
  run.durationMs = Math.round(performance.now() - started);
  return run;
};
