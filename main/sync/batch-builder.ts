import { forEachQueued } from '../store/outbox-repo.js';
import type { Store } from '../store/store.js';
import type { TelemetryPoint } from './api/model.js';
import { decodeBody, encodeJson, type EncodedBody } from './client/request.js';
import type { TagDirectory } from './directory.js';
import { pointJson, pointPrefix, type TagTarget } from './points.js';

/** A batch taken from the outbox and encoded, not yet in flight; with what it was built from, to check it. */
export interface PreparedBatch {
  seqs: number[];
  /** Points in `body`. */
  count: number;
  /** Samples of tags without a TwinEdge target (deleted since): dropped with the batch. */
  unknown: number;
  /** `{"data": points}`, encoded once: stored in flight and sent as is. Null when there are no points. */
  body: EncodedBody | null;
  maxPoints: number;
  devices: Set<number>;
  targets: Map<number, TagTarget | null>;
}

/**
 * The points of a batch, held as its encoded body: read back into objects only when something needs them
 * (a rejection to record), never for a batch that is simply delivered.
 */
export class BatchPoints {
  private decoded: TelemetryPoint[] | null = null;
  readonly count: number;

  /** `count` unknown (a batch found in flight after a restart): the body is read now, to count it. */
  constructor(
    private readonly body: EncodedBody,
    count?: number,
  ) {
    this.count = count ?? this.all().length;
  }

  /** The point at `index`, as sent; undefined outside the batch. */
  at(index: number): TelemetryPoint | undefined {
    return index >= 0 && index < this.count ? this.all()[index] : undefined;
  }

  all(): readonly TelemetryPoint[] {
    this.decoded ??= (JSON.parse(decodeBody(this.body)) as { data: TelemetryPoint[] }).data;
    return this.decoded;
  }
}

/** Lets the event loop run (a request go out, an answer come in) between parts of a batch built ahead. */
const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Builds upload batches from the outbox: stored samples straight to point JSON (no Sample or point objects),
 * serialised once (the stored in-flight body is exactly what is sent). A batch may be built ahead, while the
 * one before it is still in flight; `valid` then says whether it still holds (its chunks all queued, its
 * devices not waiting, its tags still uploading as the same asset and name) when its turn comes.
 */
export class BatchBuilder {
  constructor(
    private readonly store: Store,
    private readonly directory: TagDirectory,
    private readonly gzipThresholdBytes: number,
  ) {}

  /**
   * Null when no chunk is eligible. `ahead`: built while a request is in flight, so it starts after the
   * request went out and yields between chunks; the answer is read when it comes, not after the whole batch.
   */
  async prepare(
    from: 'oldest' | 'newest',
    maxPoints: number,
    skip: readonly number[],
    ahead = false,
  ): Promise<PreparedBatch | null> {
    if (ahead) await yieldToLoop();
    // Read at once (no await between the query's rows): the chunks are a consistent snapshot of the outbox.
    const chunks = this.store.outbox.takeRaw(from, maxPoints, this.directory.waitingDevices(), skip);
    if (chunks.length === 0) return null;
    const targets = new Map<number, TagTarget | null>();
    const prefixes = new Map<number, string | null>();
    const devices = new Set<number>();
    const parts: string[] = [];
    let count = 0;
    let unknown = 0;
    for (const [i, c] of chunks.entries()) {
      if (ahead && i > 0) await yieldToLoop();
      devices.add(c.deviceId);
      let json = '';
      let n = 0;
      forEachQueued(c.data, (tagId, ts, value, quality, text) => {
        let prefix = prefixes.get(tagId);
        if (prefix === undefined) {
          const target = this.directory.target(tagId);
          targets.set(tagId, target);
          prefixes.set(tagId, (prefix = target ? pointPrefix(target) : null));
        }
        if (prefix === null) unknown += 1;
        else json += (n++ === 0 ? '' : ',') + pointJson(prefix, ts, value, quality, text);
      });
      count += n;
      if (n > 0) parts.push(json);
    }
    const body = count > 0 ? await encodeJson(`{"data":[${parts.join(',')}]}`, this.gzipThresholdBytes) : null;
    return { seqs: chunks.map((c) => c.seq), count, unknown, body, maxPoints, devices, targets };
  }

  valid(b: PreparedBatch, maxPoints: number): boolean {
    if (b.maxPoints !== maxPoints) return false;
    const waiting = this.directory.waitingDevices();
    for (const d of b.devices) if (waiting.has(d)) return false;
    for (const [tagId, was] of b.targets) {
      const now = this.directory.target(tagId);
      if (now?.assetId !== was?.assetId || now?.tagName !== was?.tagName) return false;
    }
    return this.store.outbox.has(b.seqs);
  }
}
