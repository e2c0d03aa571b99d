import type { ClientSession, DataValue } from 'node-opcua';
import { z } from 'zod';
import type { BackfillInterval } from '../../domain/device/device-state.js';
import { errorMessage } from '../../domain/errors/app-error.js';
import { Sleeper, formatDelay } from '../sleep.js';
import type { Sample } from '../../domain/sample/sample.js';
import { historyAccess, readRawHistory, type HistoryNode } from './history-read.js';

/**
 * Backfill after an outage: the collector says when the connection went down and when data came back; the
 * gap in between is read from the server's history (HistoryRead raw) for every tag whose node keeps it and
 * handed to the collector's sample path, so it is stored, rolled up and uploaded like live data. The store
 * keeps one sample per tag and source time, so values read twice (overlap with live data, a resumed read)
 * are stored once.
 *
 * Bounded (a maximum span and a maximum of values per tag), paced (a pause between calls, pages of
 * numValuesPerNode values, a few nodes per call) and resumable: the intervals and the tags already done are
 * persisted after every group of nodes, so an app restart (or a second outage) continues where it stopped.
 */

export interface BackfillTag {
  tagId: number;
  name: string;
  /** Null when the tag's node id is invalid (it has no history to read). */
  node: HistoryNode | null;
}

/** Where the device's backfill state is kept across restarts (the app: a settings key per device). */
export interface BackfillPersistence {
  load(): unknown;
  save(state: unknown): void;
}

export interface BackfillOptions {
  persistence?: BackfillPersistence;
  /** numValuesPerNode of each HistoryRead call. */
  pageSize?: number;
  /** Nodes per HistoryRead call. */
  nodesPerCall?: number;
  /** Pause between calls, so live notifications keep the channel. */
  pauseMs?: number;
  /** Outages longer than this are filled for their last maxSpanMs only. */
  maxSpanMs?: number;
  /** Values per tag and outage at most. */
  maxValuesPerTag?: number;
  /** Read this much before the last data seen (the loss is noticed late; values read twice are kept once). */
  marginMs?: number;
  timeoutMs?: number;
}

const defaults = {
  pageSize: 1000,
  nodesPerCall: 10,
  pauseMs: 100,
  maxSpanMs: 24 * 3600_000,
  maxValuesPerTag: 100_000,
  marginMs: 2000,
  timeoutMs: 30_000,
};

const MAX_SKIPPED = 50;
/** Finished intervals kept for the details view. */
const KEEP_FINISHED = 5;

const Entry = z.object({
  from: z.number(),
  to: z.number().nullable(),
  state: z.enum(['waiting', 'running', 'done', 'failed']),
  tagsFilled: z.number(),
  tags: z.number(),
  samples: z.number(),
  skipped: z.array(z.object({ name: z.string(), reason: z.string() })),
  message: z.string().nullable(),
  finishedAt: z.number().nullable(),
  /** Tag ids already filled for this interval (a resumed fill skips them). */
  done: z.array(z.number()),
});
type Entry = z.infer<typeof Entry>;
const Persisted = z.object({ version: z.literal(1), intervals: z.array(Entry) });

/** The read was interrupted (stop, connection lost): the interval stays pending. */
class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

export class Backfill {
  private readonly o: typeof defaults & Pick<BackfillOptions, 'persistence'>;
  private intervals: Entry[] = [];
  private session: ClientSession | null = null;
  private worker: Promise<void> | null = null;
  private stopped = false;
  private readonly sleeper = new Sleeper();

  constructor(
    private readonly tags: readonly BackfillTag[],
    /** The collector's conversion and sample path (called with each page's samples). */
    private readonly convert: (tag: BackfillTag, dv: DataValue) => Sample,
    private readonly emit: (batch: Sample[]) => void,
    options: BackfillOptions = {},
  ) {
    this.o = { ...defaults, ...options };
    const saved = Persisted.safeParse(options.persistence?.load());
    // A fill that was running when the app stopped continues as waiting.
    if (saved.success) {
      this.intervals = saved.data.intervals.map((e) => (e.state === 'running' ? { ...e, state: 'waiting' } : e));
    }
  }

  /** The connection went down; `lastData` is when data was last received. Opens an interval once per outage. */
  down(lastData: number): void {
    if (this.intervals.some((e) => e.to === null)) return;
    this.intervals.unshift(this.entry(lastData - this.o.marginMs));
    this.persist();
  }

  /** Data flows again on `session` (after a connect or an outage): closes the open gap and reads what is pending. */
  dataBack(session: ClientSession, at: number): void {
    const open = this.intervals.find((e) => e.to === null);
    if (open) {
      open.to = at;
      this.persist();
    }
    this.session = session;
    if (!this.worker && this.intervals.some((e) => e.state === 'waiting' && e.to !== null)) {
      this.worker = this.work(session).finally(() => (this.worker = null));
    }
  }

  /** The session is gone (connection lost, teardown): a running read stops at its next call. */
  sessionGone(): void {
    this.session = null;
    this.sleeper.cancel();
  }

  /** Stops a running read (its continuation points are released) and waits for it. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.sleeper.cancel();
    await this.worker;
  }

  /** Newest first: intervals waiting or running, then the last few finished ones. */
  report(): BackfillInterval[] {
    return this.intervals.map(({ done: _done, ...rest }) => ({ ...rest, skipped: [...rest.skipped] }));
  }

  private entry(from: number): Entry {
    return {
      from,
      to: null,
      state: 'waiting',
      tagsFilled: 0,
      tags: this.tags.length,
      samples: 0,
      skipped: [],
      message: null,
      finishedAt: null,
      done: [],
    };
  }

  private persist(): void {
    try {
      this.o.persistence?.save({ version: 1, intervals: this.intervals });
    } catch {
      // The store refused (disk full): the fill goes on; only a restart would repeat part of it.
    }
  }

  private live(session: ClientSession): boolean {
    return !this.stopped && this.session === session;
  }

  private async work(session: ClientSession): Promise<void> {
    // Oldest first: an older gap is no less missing than a newer one.
    for (;;) {
      const e = [...this.intervals].reverse().find((x) => x.state === 'waiting' && x.to !== null);
      if (!e || !this.live(session)) return;
      e.state = 'running';
      e.message = null;
      try {
        await this.fill(session, e);
        e.state = 'done';
        e.finishedAt = Date.now();
      } catch (err) {
        if (err instanceof Interrupted || !this.live(session)) {
          e.state = 'waiting';
          e.message = this.stopped
            ? 'stopped with the collector: continues at the next start'
            : 'the connection was lost during the fill: continues when it is back';
          this.persist();
          return;
        }
        e.state = 'failed';
        e.finishedAt = Date.now();
        e.message = `the server's history could not be read: ${errorMessage(err)}`;
      }
      this.trim();
      this.persist();
    }
  }

  /** Drops finished intervals beyond the few the details view shows. */
  private trim(): void {
    let finished = 0;
    this.intervals = this.intervals.filter(
      (e) => e.state === 'waiting' || e.state === 'running' || ++finished <= KEEP_FINISHED,
    );
  }

  private async fill(session: ClientSession, e: Entry): Promise<void> {
    const to = e.to!;
    let from = e.from;
    const notes: string[] = [];
    if (to - from > this.o.maxSpanMs) {
      from = to - this.o.maxSpanMs;
      notes.push(
        `the outage lasted ${formatDelay(to - e.from)}: only its last ${formatDelay(this.o.maxSpanMs)} were read`,
      );
    }
    const skip = (name: string, reason: string): void => {
      if (e.skipped.length < MAX_SKIPPED && !e.skipped.some((s) => s.name === name)) e.skipped.push({ name, reason });
    };
    const todo: (BackfillTag & { node: HistoryNode })[] = [];
    for (const t of this.tags) {
      if (e.done.includes(t.tagId)) continue;
      if (t.node) todo.push({ ...t, node: t.node });
      else skip(t.name, 'its node id is not valid');
    }
    const access = await historyAccess(
      session,
      todo.map((t) => t.node.nodeId),
      this.o.timeoutMs,
    );
    const readable = todo.filter((t, i) => {
      const a = access[i];
      if (a?.readable) return true;
      skip(t.name, a?.reason ?? 'its access level could not be read');
      return false;
    });
    let truncated = 0;
    for (let g = 0; g < readable.length; g += this.o.nodesPerCall) {
      if (!this.live(session)) throw new Interrupted();
      if (g > 0) await this.sleeper.sleep(this.o.pauseMs);
      const group = readable.slice(g, g + this.o.nodesPerCall);
      // Counted for good once the group is done: a group read again after a restart is not counted twice.
      const base = e.samples;
      const res = await readRawHistory(
        session,
        group.map((t) => t.node),
        from,
        to,
        {
          pageSize: this.o.pageSize,
          timeoutMs: this.o.timeoutMs,
          maxValuesPerNode: this.o.maxValuesPerTag,
          stop: () => !this.live(session),
          pace: () => this.sleeper.sleep(this.o.pauseMs),
          onPage: (i, values) => {
            const t = group[i]!;
            const batch: Sample[] = [];
            for (const dv of values) {
              const s = this.convert(t, dv);
              if (s.ts >= from && s.ts <= to) batch.push({ ...s, historical: true });
            }
            e.samples += batch.length;
            if (batch.length) this.emit(batch);
          },
        },
      ).catch((err: unknown) => {
        e.samples = base;
        if (!this.live(session)) throw new Interrupted();
        throw err;
      });
      if (!res.complete) {
        e.samples = base;
        throw new Interrupted();
      }
      res.nodes.forEach((n, i) => {
        const t = group[i]!;
        if (n.error) {
          skip(t.name, n.error.statusName);
          return;
        }
        if (n.truncated) truncated++;
        e.done.push(t.tagId);
        e.tagsFilled++;
      });
      // Progress survives a restart; the group in progress is read again then (its values are kept once).
      this.persist();
    }
    if (truncated) notes.push(`${truncated} tag(s) stopped at ${this.o.maxValuesPerTag} values`);
    e.message = notes.length ? notes.join('; ') : null;
  }
}
