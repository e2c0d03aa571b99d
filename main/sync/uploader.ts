import { randomUUID } from 'node:crypto';
import { backoffMs } from '../domain/backoff.js';
import type { Store } from '../store/store.js';
import type { Inflight } from '../store/sync-repo.js';
import type { IngestOutcome } from './api/ingest-answer.js';
import { ingestLimits } from './api/model.js';
import type { RequestBudget } from './budget.js';
import type { TwinEdgeCloudApi } from './client/client-api.js';
import { TwinEdgeApiError, errorText } from './client/api-error.js';
import { GZIP_THRESHOLD_BYTES } from './client/request.js';
import { BatchBuilder, BatchPoints, type PreparedBatch } from './batch-builder.js';
import type { Clock } from './clock.js';
import type { TagDirectory } from './directory.js';
import { Wakeable } from './wake.js';

/**
 * offline: no answer came (network, timeout); problem: TwinEdge answered, but not with a delivery (5xx, a
 * missing route, a refused batch being retried); unauthorized: 401/403, waits for another key.
 */
export type UploaderState = 'idle' | 'uploading' | 'throttled' | 'offline' | 'problem' | 'unauthorized' | 'stopped';

export interface UploaderOptions {
  store: Store;
  client: () => TwinEdgeCloudApi | null;
  budget: RequestBudget;
  directory: TagDirectory;
  clock: Clock;
  /** Points per request (the server's limit unless told otherwise; halved on 413). */
  maxPoints?: number;
  /** With less than a full batch waiting, wait this long between requests so batches stay large. */
  liveIntervalMs?: number;
  backoff?: { baseMs: number; capMs: number };
  /** Tries of a batch TwinEdge refuses with a 4xx we cannot act on before its points go to Rejected points. */
  maxRefusals?: number;
  random?: () => number;
  /** Everything the uploader wants the service to know: confirmations, errors, state. */
  onEvent(e: UploaderEvent): void;
}

export type UploaderEvent =
  | { kind: 'uploaded'; accepted: number; rejected: number; points: number; at: number }
  /** A 2xx whose shape we do not read: counted as delivered (the service logs it once per shape). */
  | { kind: 'not-understood'; shape: string; points: number; route: string }
  /** `answered`: TwinEdge answered (with an error); false: no answer came. */
  | { kind: 'error'; message: string; at: number; answered: boolean }
  | { kind: 'refused'; points: number; tries: number; message: string }
  | { kind: 'state'; state: UploaderState; detail: string | null }
  | { kind: 'discarded'; samples: number; reason: string };

/**
 * Store and forward: takes confirmed-nothing-lost batches from the outbox and sends them, one at a time.
 * A batch is written to `sync_inflight` (points and idempotency key) before it is sent and deleted from the
 * outbox only when TwinEdge confirmed it, in one transaction; after a crash the same bytes go out with the
 * same key, so TwinEdge applies them once. When the backlog is bigger than a batch, requests alternate
 * between the oldest and the newest samples, so live data keeps flowing while an outage drains.
 */
export class Uploader {
  private readonly wakeable: Wakeable;
  private running: Promise<void> | null = null;
  private stopped = false;
  private paused = false;
  private unauthorized = false;
  private failures = 0;
  /** Refusals (4xx we cannot act on) of the batch in flight, by its idempotency key. */
  private refusals = { key: '', count: 0 };
  private turn: 'oldest' | 'newest' = 'oldest';
  private maxPoints: number;
  private stateNow: UploaderState = 'idle';
  private lastSendAt = -Infinity;
  private sending: AbortController | null = null;
  private readonly batches: BatchBuilder;
  /** The next batch, built while the one in flight is sent; in memory only until that one is confirmed. */
  private ahead: Promise<PreparedBatch | null> | null = null;
  /** Requests answered 429 (should stay 0 by design; counted to prove it). */
  rateLimitedResponses = 0;

  constructor(private readonly o: UploaderOptions) {
    this.wakeable = new Wakeable(o.clock);
    this.maxPoints = Math.min(o.maxPoints ?? ingestLimits.maxPoints, ingestLimits.maxPoints);
    this.batches = new BatchBuilder(o.store, o.directory, GZIP_THRESHOLD_BYTES);
  }

  get state(): UploaderState {
    return this.stateNow;
  }

  start(): void {
    this.stopped = false;
    this.running ??= this.loop().finally(() => (this.running = null));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    // A request cut short is not lost: its batch stays in flight on disk and goes again at the next start.
    this.sending?.abort(new Error('stopping'));
    this.ahead = null;
    this.wakeable.wake();
    await this.running;
    this.setState('stopped', null);
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    this.wakeable.wake();
  }

  /** The key changed (or came back): try again now. */
  keyChanged(): void {
    this.unauthorized = false;
    this.failures = 0;
    this.wakeable.wake();
  }

  /** New samples or links: a waiting uploader may have something to send. */
  poke(): void {
    if (this.stateNow === 'idle') this.wakeable.wake();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const client = this.o.client();
      if (this.paused || this.unauthorized || !client) {
        this.setState(this.unauthorized ? 'unauthorized' : 'idle', null);
        await this.wakeable.sleep(Infinity);
        continue;
      }
      const inflight = this.o.store.sync.inflight();
      const backlog = this.o.store.outbox.current.samples;
      if (!inflight && backlog === 0) {
        this.setState('idle', null);
        await this.wakeable.sleep(this.o.liveIntervalMs ?? 5000);
        continue;
      }
      // Budget first, then build: the batch then holds everything that arrived while waiting.
      let delay = this.o.budget.delayMs();
      if (!inflight && backlog < this.maxPoints) {
        delay = Math.max(delay, this.lastSendAt + (this.o.liveIntervalMs ?? 5000) - this.o.clock.now());
      }
      if (delay > 0) {
        if (delay > 2000) this.setState('throttled', `next upload in ${Math.ceil(delay / 1000)} s (request budget)`);
        await this.wakeable.sleep(delay);
        continue;
      }
      const built = inflight ? { batch: inflight, points: new BatchPoints(inflight.body) } : await this.build();
      if (this.stopped) break;
      if (!built) {
        await this.wakeable.sleep(this.o.liveIntervalMs ?? 5000);
        continue;
      }
      await this.send(client, built.batch, built.points);
    }
  }

  /**
   * Takes the next batch from the outbox (the one built ahead if it still holds) and records it as in flight
   * before anything is sent. Checked and recorded with no await between: nothing changes the outbox meanwhile.
   */
  private async build(): Promise<{ batch: Inflight; points: BatchPoints } | null> {
    const { store } = this.o;
    for (let attempt = 0; attempt < 3; attempt++) {
      const ahead = this.ahead;
      this.ahead = null;
      const b = (ahead && (await ahead)) ?? (await this.batches.prepare(this.nextFrom(0), this.maxPoints, []));
      if (!b) return null;
      if (this.stopped || store.sync.inflight()) return null;
      // Changed while it was encoded or waited (dropped by the buffer cap, device relinked, 413): build anew.
      if (!this.batches.valid(b, this.maxPoints)) continue;
      if (!b.body) {
        // Every sample belongs to a tag deleted since (its local samples are gone too).
        store.outbox.delete(b.seqs);
        this.o.onEvent({ kind: 'discarded', samples: b.unknown, reason: 'their tags were deleted' });
        return null;
      }
      const batch: Inflight = {
        idempotencyKey: randomUUID(),
        seqs: b.seqs,
        body: b.body,
        createdAt: this.o.clock.now(),
      };
      store.sync.setInflight(batch);
      return { batch, points: new BatchPoints(b.body, b.count) };
    }
    return null;
  }

  /** Oldest and newest in turn while more than a batch waits (`sending` samples aside), else the oldest. */
  private nextFrom(sending: number): 'oldest' | 'newest' {
    const backlog = this.o.store.outbox.current.samples - sending;
    const from = backlog > this.maxPoints ? this.turn : 'oldest';
    this.turn = this.turn === 'oldest' ? 'newest' : 'oldest';
    return from;
  }

  /**
   * Builds the next batch while this one is in flight, when a full one waits (live data keeps waiting to
   * fill its batch). Client and simulator share one CPU in tests and benches; gzip runs off the main thread.
   */
  private buildAhead(current: Inflight, points: number): void {
    if (this.ahead || this.o.store.outbox.current.samples - points < this.maxPoints) return;
    this.ahead = this.batches.prepare(this.nextFrom(points), this.maxPoints, current.seqs, true).catch(() => null);
  }

  private async send(client: TwinEdgeCloudApi, batch: Inflight, points: BatchPoints): Promise<void> {
    this.setState('uploading', null);
    this.o.budget.uploadStarted();
    this.lastSendAt = this.o.clock.now();
    this.sending = new AbortController();
    try {
      // The stored body is what goes out: its points are not held as objects for the request.
      const answer = client.ingest(
        { body: batch.body, count: points.count },
        { idempotencyKey: batch.idempotencyKey, signal: this.sending.signal },
      );
      this.buildAhead(batch, points.count);
      const result = await answer;
      if (client.rateLimit) this.o.budget.observe(client.rateLimit);
      this.confirm(batch, points, result, client.ingestRoute);
      this.failures = 0;
    } catch (err) {
      if (client.rateLimit) this.o.budget.observe(client.rateLimit);
      if (!this.stopped) await this.failed(batch, points, err);
    } finally {
      this.sending = null;
    }
  }

  private confirm(batch: Inflight, points: BatchPoints, result: IngestOutcome, route: string): void {
    const { store } = this.o;
    const at = this.o.clock.now();
    const owners = this.owners();
    if (!result.understood)
      this.o.onEvent({ kind: 'not-understood', shape: result.shape, points: points.count, route });
    const rejections = result.rejected.map((r) => {
      const p = points.at(r.index);
      return {
        at,
        deviceName: (p && owners.get(p.asset_id)) ?? '(unknown)',
        tagName: p?.tag_name ?? '(unknown)',
        ts: p ? Date.parse(p.timestamp) : 0,
        code: r.code,
        message: r.message,
      };
    });
    if (result.unlisted > 0) {
      // Counted as refused without saying which: one record, so the count is not lost.
      rejections.push({
        at,
        deviceName: '(not named by TwinEdge)',
        tagName: '(not named by TwinEdge)',
        ts: at,
        code: 'NOT_ACCEPTED',
        message: `TwinEdge accepted ${result.accepted} of ${points.count} points and did not say which ${result.unlisted} it refused`,
      });
    }
    const rejectedCount = result.rejected.length + result.unlisted;
    store.transaction(() => {
      store.outbox.delete(batch.seqs);
      store.sync.clearInflight();
      if (rejections.length > 0) store.sync.addRejections(rejections);
    });
    this.o.onEvent({ kind: 'uploaded', accepted: result.accepted, rejected: rejectedCount, points: points.count, at });
  }

  /** TwinEdge asset id → local device name, for rejection records. */
  private owners(): Map<string, string> {
    const m = new Map<string, string>();
    for (const l of this.o.store.sync.links()) if (l.cloudId) m.set(l.cloudId, this.o.directory.deviceName(l.deviceId));
    return m;
  }

  private async failed(batch: Inflight, points: BatchPoints, err: unknown): Promise<void> {
    const at = this.o.clock.now();
    const e = err instanceof TwinEdgeApiError ? err : null;
    const message = errorText(err);
    const answered = e !== null && (e.kind === 'http' || e.kind === 'invalid_response') && e.status !== null;
    this.o.onEvent({ kind: 'error', message, at, answered });
    const { store } = this.o;
    const status = e?.kind === 'http' ? e.status : null;
    if (status === 401 || status === 403) {
      this.unauthorized = true;
      this.setState('unauthorized', message);
      return;
    }
    if (status === 413) {
      // Not applied: send smaller batches from now on, starting with this one's samples.
      store.sync.clearInflight();
      this.maxPoints = Math.max(100, Math.floor(points.count / 2));
      return;
    }
    if (status === 400 || status === 422) {
      // The whole batch is refused as invalid: retrying would fail forever. Record every point, move on.
      this.reject(batch, points, e?.code ?? 'VALIDATION_ERROR', message, 1);
      return;
    }
    const transient = status === null || status === 429 || status >= 500;
    // Neither route exists, or a redirect we do not follow: a setting to fix, never a reason to drop data.
    const setting = status === 404 || status === 405 || (status !== null && status >= 300 && status < 400);
    if (!transient && !setting && status !== null) {
      // Any other refusal (409 included: a new key is tried once) goes to Rejected points after a few tries.
      if (this.refusals.key !== batch.idempotencyKey) this.refusals = { key: batch.idempotencyKey, count: 0 };
      this.refusals.count += 1;
      if (this.refusals.count >= (this.o.maxRefusals ?? 3)) {
        this.reject(batch, points, e?.code ?? `HTTP_${status}`, message, this.refusals.count);
        return;
      }
      if (status === 409) {
        // The server holds a different body under this key: it never applied ours. Same points, new key.
        const next = { ...batch, idempotencyKey: randomUUID() };
        store.sync.setInflight(next);
        this.refusals.key = next.idempotencyKey;
      }
    }
    if (status === 429) this.rateLimitedResponses += 1;
    this.failures += 1;
    const { baseMs, capMs } = this.o.backoff ?? { baseMs: 1000, capMs: 60_000 };
    const random = this.o.random ?? Math.random;
    // Between half and all of the ceiling.
    const shape = { baseMs, capMs, maxExponent: 16, jitterFloor: 0.5, jitterSpread: 0.5 };
    const backoff = backoffMs(this.failures - 1, shape, random);
    const wait = Math.max(backoff, e?.retryAfterMs ?? 0);
    this.setState(status === 429 ? 'throttled' : answered ? 'problem' : 'offline', message);
    await this.wakeable.sleep(wait);
  }

  /** The batch's points go to Rejected points with TwinEdge's message; the batch leaves the outbox. */
  private reject(batch: Inflight, points: BatchPoints, code: string, message: string, tries: number): void {
    const { store } = this.o;
    const at = this.o.clock.now();
    const owners = this.owners();
    const rejected = points.all().map((p) => ({
      at,
      deviceName: owners.get(p.asset_id) ?? '(unknown)',
      tagName: p.tag_name,
      ts: Date.parse(p.timestamp),
      code,
      message,
    }));
    store.transaction(() => {
      store.outbox.delete(batch.seqs);
      store.sync.clearInflight();
      store.sync.addRejections(rejected);
    });
    this.refusals = { key: '', count: 0 };
    this.failures = 0;
    this.o.onEvent({ kind: 'refused', points: points.count, tries, message });
    this.o.onEvent({ kind: 'uploaded', accepted: 0, rejected: rejected.length, points: points.count, at });
  }

  private setState(state: UploaderState, detail: string | null): void {
    if (state === this.stateNow && state !== 'offline' && state !== 'problem') return;
    this.stateNow = state;
    this.o.onEvent({ kind: 'state', state, detail });
  }
}
