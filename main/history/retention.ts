import type { z } from 'zod';
import { AppError, errorMessage } from '../domain/errors/app-error.js';
import type { RawClass } from '../domain/history/raw-class.js';
import type { RawClassCost, RetentionInput, RetentionSettings, RetentionStatus } from '../domain/history/retention.js';
import { HOUR_MS } from '../store/rollups-repo.js';
import type { Store } from '../store/store.js';
import { measureClasses, tagClasses, type ClassHolding } from './raw-class-costs.js';
import type { RollupService } from './rollups.js';

const DAY_MS = 24 * HOUR_MS;
const SETTINGS_KEY = 'retention';
/** Up to this size rows are counted (and measured with dbstat) exactly; beyond, estimated without walking tables. */
const EXACT_COUNT_BYTES = 512 * 1024 ** 2;

export const defaultRetention: RetentionSettings = {
  rawDays: 90,
  rollupDays: 1825,
  maxBytes: 10 * 1024 ** 3,
  // A year of alarm history: audits ask for the last one; older entries only grow the store.
  alarmEventDays: 365,
};

export interface RetentionServiceOptions {
  store: Store;
  rollups: RollupService;
  /** Background pace (a run also starts right after a settings change). */
  intervalMs?: number;
  /** Rows deleted per step (one transaction); the event loop turns between steps so ingest goes on. */
  stepRows?: number;
  now?: () => number;
  onError?: (message: string, err: unknown) => void;
  /** Stores up to this size are counted exactly (default 512 MiB); larger ones from the hourly rollups. */
  exactCountBytes?: number;
}

/** Sealed blocks deleted per step (a block holds many samples: a few per transaction keep steps short). */
const BLOCKS_PER_STEP = 8;

type Table = 'rollup_1m' | 'rollup_1h';
type LastRun = NonNullable<RetentionStatus['lastRun']>;

/** The app is stopping: the run ends between two steps. */
class RetentionStopped extends Error {}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Deletes raw samples and rollups past their age, and the oldest data beyond the size cap, in small steps
 * in the background. Raw data are rolled up before they go, and the rollups stay after the raw rows are gone.
 */
export class RetentionService {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<LastRun> | null = null;
  private again = false;
  private stopped = false;
  private lastRun: LastRun | null = null;
  private measured: {
    at: number;
    perSample: number | null;
    perRollupRow: number | null;
    /** Per class of tag; null on a store too large to walk. */
    classes: { of: Map<number, RawClass>; holdings: ClassHolding[] } | null;
  } | null = null;
  private readonly stepRows: number;
  private readonly now: () => number;

  constructor(private readonly options: RetentionServiceOptions) {
    this.stepRows = options.stepRows ?? 20_000;
    this.now = options.now ?? Date.now;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.trigger(), this.options.intervalMs ?? 60_000);
    this.timer.unref();
    void this.trigger();
  }

  /** Stops the timer and lets a run in progress end after its current step (before the store closes). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.stopped = true;
    await this.running?.catch(() => undefined);
  }

  settings(): RetentionSettings {
    const stored = this.options.store.settings.get(SETTINGS_KEY);
    const s = { ...defaultRetention, ...(typeof stored === 'object' && stored !== null ? stored : {}) };
    return { rawDays: s.rawDays, rollupDays: s.rollupDays, maxBytes: s.maxBytes, alarmEventDays: s.alarmEventDays };
  }

  /** Saves changed limits and applies them right away (in the background). */
  update(patch: z.output<typeof RetentionInput>): RetentionSettings {
    const next = { ...this.settings(), ...patch };
    if (next.rollupDays < next.rawDays) {
      throw new AppError('invalid_input', 'Rollups must be kept at least as long as raw samples.', [
        { path: 'rollupDays', message: `at least ${next.rawDays} days (the raw retention)` },
      ]);
    }
    this.options.store.settings.set(SETTINGS_KEY, next);
    void this.trigger();
    return next;
  }

  /** One run now, or the one in progress; a run asked for meanwhile follows it (never two at once). */
  run(): Promise<LastRun> {
    if (this.stopped) return Promise.reject(new RetentionStopped());
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.enforce().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        void this.trigger();
      }
    });
    return this.running;
  }

  private async trigger(): Promise<void> {
    try {
      await this.run();
    } catch (err) {
      if (!(err instanceof RetentionStopped)) this.options.onError?.(`Retention: ${errorMessage(err)}`, err);
    }
  }

  private async enforce(): Promise<LastRun> {
    const started = performance.now();
    const { store, rollups } = this.options;
    const s = this.settings();
    const now = this.now();
    const rawCutoff = Math.floor((now - s.rawDays * DAY_MS) / HOUR_MS) * HOUR_MS;
    // Rolled up first: raw rows about to go must already be in their minute and hour rows (newer minutes are
    // the rollup pass's; recomputing them here every minute re-read every minute still filling).
    rollups.catchUp(rawCutoff);
    const rollupCutoff = Math.floor((now - s.rollupDays * DAY_MS) / HOUR_MS) * HOUR_MS;
    store.rollups.setRawPurgedBefore(rawCutoff);
    let deletedSamples = await this.deleteRawBefore(rawCutoff);
    let deletedRollups =
      (await this.deleteBefore('rollup_1m', rollupCutoff)) + (await this.deleteBefore('rollup_1h', rollupCutoff));
    const deletedAlarmEvents = await this.deleteAlarmEventsBefore(now - s.alarmEventDays * DAY_MS);
    let capReached = false;
    // Over the cap: the oldest day of raw samples across tags goes first, then the oldest day of rollups.
    while (store.usedBytes() > s.maxBytes) {
      const oldestRaw = this.oldestRaw();
      const what: 'raw' | Table | null =
        oldestRaw !== null ? 'raw' : this.tagIds('rollup_1m').length > 0 ? 'rollup_1m' : null;
      const oldest = what === 'raw' ? oldestRaw : this.oldestRollup();
      if (what === null || oldest === null) break;
      capReached = true;
      const dayEnd = Math.floor(oldest / DAY_MS) * DAY_MS + DAY_MS;
      if (what === 'raw') {
        // A sealed block goes only whole, once it ends before the bound: when the oldest one reaches past the day,
        // the bound moves on a day at a time until something goes (else the loop would never end).
        let gone = 0;
        for (let end = dayEnd; gone === 0 && end <= now + DAY_MS; end += DAY_MS) {
          rollups.catchUp(end);
          store.rollups.setRawPurgedBefore(end);
          gone = await this.deleteRawBefore(end);
        }
        if (gone === 0) break;
        deletedSamples += gone;
      } else {
        deletedRollups +=
          (await this.deleteBefore('rollup_1m', dayEnd)) + (await this.deleteBefore('rollup_1h', dayEnd));
      }
    }
    if (deletedSamples + deletedRollups > 0 || !this.measured || now - this.measured.at > 10 * 60_000)
      this.measure(now);
    this.lastRun = {
      at: now,
      deletedSamples,
      deletedRollups,
      deletedAlarmEvents,
      durationMs: Math.round(performance.now() - started),
      capReached,
    };
    return this.lastRun;
  }

  /**
   * Deletes raw samples older than `before` (rows per tag, then sealed blocks that end before it), at most
   * stepRows rows or a few blocks per transaction, yielding between steps. A block reaching past `before` stays
   * whole until it has aged out entirely.
   */
  private async deleteRawBefore(before: number): Promise<number> {
    const raw = this.options.store.samples;
    let deleted = 0;
    for (const tagId of raw.tagIds()) {
      for (;;) {
        const step = raw.deleteRowsStep(tagId, before, this.stepRows);
        deleted += step.deleted;
        if (step.deleted > 0) await yieldToLoop();
        if (this.stopped) throw new RetentionStopped();
        if (!step.more) break;
      }
    }
    for (;;) {
      const n = raw.deleteBlocksStep(before, BLOCKS_PER_STEP);
      deleted += n;
      if (n === 0) break;
      await yieldToLoop();
      if (this.stopped) throw new RetentionStopped();
    }
    return deleted;
  }

  /** Deletes rollup rows older than `before`, per tag, at most stepRows per transaction, yielding between steps. */
  private async deleteBefore(table: Table, before: number): Promise<number> {
    const db = this.options.store.database;
    const col = 'bucket';
    const nth = db.prepare(
      `SELECT ${col} AS t FROM ${table} WHERE tag_id = ? AND ${col} < ? ORDER BY ${col} LIMIT 1 OFFSET ?`,
    );
    const del = db.prepare(`DELETE FROM ${table} WHERE tag_id = ? AND ${col} < ?`);
    let deleted = 0;
    for (const tagId of this.tagIds(table)) {
      for (;;) {
        // The bound below which exactly stepRows rows lie (or the cutoff when fewer are left).
        const row = nth.get(tagId, before, this.stepRows - 1) as { t: number } | undefined;
        const bound = row ? row.t + 1 : before;
        const n = del.run(tagId, Math.min(bound, before)).changes;
        deleted += n;
        if (n > 0) await yieldToLoop();
        if (this.stopped) throw new RetentionStopped();
        if (!row || bound >= before) break;
      }
    }
    return deleted;
  }

  /** Deletes alarm history older than `before`, oldest first, at most stepRows per transaction (along its ts index). */
  private async deleteAlarmEventsBefore(before: number): Promise<number> {
    const del = this.options.store.database.prepare(
      'DELETE FROM alarm_events WHERE id IN (SELECT id FROM alarm_events WHERE ts < ? ORDER BY ts LIMIT ?)',
    );
    let deleted = 0;
    for (;;) {
      const n = del.run(before, this.stepRows).changes;
      deleted += n;
      if (n < this.stepRows) return deleted;
      await yieldToLoop();
      if (this.stopped) throw new RetentionStopped();
    }
  }

  /** Tag ids present in a table, by skipping along its primary key (no full scan). */
  private tagIds(table: Table): number[] {
    return (
      this.options.store.database
        .prepare(
          `WITH RECURSIVE t(id) AS (SELECT min(tag_id) FROM ${table}
             UNION ALL SELECT (SELECT min(tag_id) FROM ${table} WHERE tag_id > t.id) FROM t WHERE t.id IS NOT NULL)
           SELECT id FROM t WHERE id IS NOT NULL`,
        )
        .all() as { id: number }[]
    ).map((r) => r.id);
  }

  private oldestRaw(): number | null {
    const raw = this.options.store.samples;
    return raw.oldest(raw.tagIds());
  }

  /** Over every tag that has minute rows, hour rows or both. */
  private oldestRollup(): number | null {
    return this.options.store.rollups.oldest(new Set([...this.tagIds('rollup_1m'), ...this.tagIds('rollup_1h')]));
  }

  /** Disk cost per raw sample and per rollup row from the pages each table uses (dbstat when compiled in). */
  private measure(now: number): void {
    const db = this.options.store.database;
    const counts = this.counts();
    let perSample: number | null;
    let perRollupRow: number | null;
    let classes: { of: Map<number, RawClass>; holdings: ClassHolding[] } | null = null;
    const used = this.options.store.usedBytes();
    try {
      // dbstat reads every page: on a large store the share estimate below is used instead.
      if (used > (this.options.exactCountBytes ?? EXACT_COUNT_BYTES)) throw new Error('too large to walk');
      const bytes = db
        .prepare(
          "SELECT name, sum(pgsize) AS b FROM dbstat('main', 1) WHERE name IN ('rollup_1m', 'rollup_1h') GROUP BY name",
        )
        .all() as { name: string; b: number }[];
      const of = (n: string): number => bytes.find((r) => r.name === n)?.b ?? 0;
      const raw = this.options.store.samples.tableBytes();
      const rollupRows = counts.rollup1m + counts.rollup1h;
      perSample = counts.raw > 0 ? (raw.rows + raw.blocks) / counts.raw : null;
      perRollupRow = rollupRows > 0 ? (of('rollup_1m') + of('rollup_1h')) / rollupRows : null;
      const m = measureClasses(this.options.store, raw);
      classes = { of: m.classes, holdings: m.holdings };
    } catch {
      // No dbstat (or too large): the used pages shared out per row (an upper bound: other tables count too).
      const rows = counts.raw + counts.rollup1m + counts.rollup1h;
      perSample = rows > 0 ? used / rows : null;
      perRollupRow = perSample;
    }
    this.measured = { at: now, perSample, perRollupRow, classes };
  }

  /**
   * Row counts. count(*) walks every page of a table, which on a multi-GB store would block ingest for
   * seconds, so large stores are counted from the hourly rollups (each hour row knows how many samples it
   * summarises): raw samples exact but for the hour at each tag's raw boundary, minute rows an upper bound.
   */
  private counts(): { raw: number; rollup1m: number; rollup1h: number; approximate: boolean } {
    const { store } = this.options;
    const db = store.database;
    if (store.usedBytes() <= (this.options.exactCountBytes ?? EXACT_COUNT_BYTES)) {
      const n = (t: Table): number => (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
      return { raw: store.samples.count(), rollup1m: n('rollup_1m'), rollup1h: n('rollup_1h'), approximate: false };
    }
    const rawSince = db.prepare(
      'SELECT coalesce(sum(count + bad_count), 0) AS n FROM rollup_1h WHERE tag_id = ? AND bucket >= ?',
    );
    const rows = db.prepare(
      'SELECT count(*) AS hours, coalesce(sum(min(count + bad_count, 60)), 0) AS minutes FROM rollup_1h WHERE tag_id = ?',
    );
    const out = { raw: 0, rollup1m: 0, rollup1h: 0, approximate: true };
    for (const tagId of this.tagIds('rollup_1h')) {
      const r = rows.get(tagId) as { hours: number; minutes: number };
      out.rollup1h += r.hours;
      out.rollup1m += r.minutes;
      const first = store.samples.oldest([tagId]);
      if (first !== null) out.raw += (rawSince.get(tagId, Math.floor(first / HOUR_MS) * HOUR_MS) as { n: number }).n;
    }
    return out;
  }

  private alarmEventCounts(): Pick<RetentionStatus, 'alarmEvents' | 'oldestAlarmEvent'> {
    const r = this.options.store.database
      .prepare('SELECT count(*) AS n, min(ts) AS oldest FROM alarm_events')
      .get() as { n: number; oldest: number | null };
    return { alarmEvents: r.n, oldestAlarmEvent: r.oldest };
  }

  status(): RetentionStatus {
    const { store } = this.options;
    const db = store.database;
    const now = this.now();
    if (!this.measured) this.measure(now);
    const counts = this.counts();
    // Recent ingest: samples stored in the last hour, per tag along the primary key, times 24.
    let lastHour = 0;
    let recording = 0;
    const perClass = new Map<RawClass, number>();
    const measured = this.measured?.classes ?? null;
    // Tags new since the measurement are classed by their configuration.
    let classOf = measured?.of ?? new Map<number, RawClass>();
    let reclassed = false;
    for (const id of store.samples.tagIds()) {
      const n = store.samples.countRange(id, now - HOUR_MS, Number.MAX_SAFE_INTEGER);
      lastHour += n;
      if (n === 0) continue;
      recording++;
      if (!classOf.has(id) && !reclassed) {
        classOf = tagClasses(store);
        reclassed = true;
      }
      const c = classOf.get(id) ?? 'analog';
      perClass.set(c, (perClass.get(c) ?? 0) + n);
    }
    const rawClasses: RawClassCost[] = (measured?.holdings ?? []).map((h) => ({
      ...h,
      samplesPerDay: (perClass.get(h.class) ?? 0) * 24,
    }));
    const configured = (db.prepare('SELECT count(*) AS n FROM tags').get() as { n: number }).n;
    return {
      settings: this.settings(),
      usedBytes: store.usedBytes(),
      fileBytes: store.sizeBytes(),
      rawSamples: counts.raw,
      rollupRows: { '1m': counts.rollup1m, '1h': counts.rollup1h },
      countsApproximate: counts.approximate,
      oldestRaw: this.oldestRaw(),
      oldestRollup: this.oldestRollup(),
      ...this.alarmEventCounts(),
      bytesPerSample: this.measured?.perSample ?? null,
      bytesPerRollupRow: this.measured?.perRollupRow ?? null,
      samplesPerDay: lastHour * 24,
      rawClasses,
      tags: recording > 0 ? recording : configured,
      lastRun: this.lastRun,
    };
  }
}
