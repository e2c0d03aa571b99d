import type { Store } from '../store/store.js';
import type { TelemetryPoint } from './api/model.js';
import { encodeJson, type EncodedBody } from './client/request.js';
import type { TagDirectory } from './directory.js';
import { toPoint, type TagTarget } from './points.js';

/** A batch taken from the outbox and encoded, not yet in flight; with what it was built from, to check it. */
export interface PreparedBatch {
  seqs: number[];
  points: TelemetryPoint[];
  /** Samples of tags without a TwinEdge target (deleted since): dropped with the batch. */
  unknown: number;
  /** `{"data": points}`, encoded once: stored in flight and sent as is. Null when there are no points. */
  body: EncodedBody | null;
  maxPoints: number;
  devices: Set<number>;
  targets: Map<number, TagTarget | null>;
}

/**
 * Builds upload batches from the outbox: samples to points, serialised once (the stored in-flight body is
 * exactly what is sent). A batch may be built ahead, while the one before it is still in flight; `valid`
 * then says whether it still holds (its chunks all queued, its devices not waiting, its tags still
 * uploading as the same asset and name) when its turn comes.
 */
export class BatchBuilder {
  constructor(
    private readonly store: Store,
    private readonly directory: TagDirectory,
    private readonly gzipThresholdBytes: number,
  ) {}

  /** Null when no chunk is eligible. */
  async prepare(from: 'oldest' | 'newest', maxPoints: number, skip: readonly number[]): Promise<PreparedBatch | null> {
    const chunks = this.store.outbox.take(from, maxPoints, this.directory.waitingDevices(), skip);
    if (chunks.length === 0) return null;
    const targets = new Map<number, TagTarget | null>();
    const devices = new Set<number>();
    const points: TelemetryPoint[] = [];
    let unknown = 0;
    for (const c of chunks) {
      devices.add(c.deviceId);
      for (const s of c.samples) {
        let target = targets.get(s.tagId);
        if (target === undefined) targets.set(s.tagId, (target = this.directory.target(s.tagId)));
        if (target) points.push(toPoint(s, target));
        else unknown += 1;
      }
    }
    const body =
      points.length > 0 ? await encodeJson(`{"data":${JSON.stringify(points)}}`, this.gzipThresholdBytes) : null;
    return { seqs: chunks.map((c) => c.seq), points, unknown, body, maxPoints, devices, targets };
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
