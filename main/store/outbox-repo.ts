import type { Sample } from '../domain/sample/sample.js';
import type { Db } from './database.js';

/** One stored chunk: samples of one device, in arrival order. */
export interface OutboxChunk {
  seq: number;
  deviceId: number;
  samples: Sample[];
}

/** One stored chunk as stored: its samples still encoded (read them with `forEachQueued`). */
export interface OutboxRawChunk {
  seq: number;
  deviceId: number;
  count: number;
  data: string;
}

export interface OutboxTotals {
  samples: number;
  bytes: number;
  chunks: number;
}

type Tuple = [number, number, number | null, number] | [number, number, null, number, string];

interface ChunkRow {
  seq: number;
  device_id: number;
  count: number;
  data: string;
}

const encode = (samples: readonly Sample[]): string =>
  JSON.stringify(
    samples.map((s): Tuple =>
      s.text === undefined ? [s.tagId, s.ts, s.value, s.quality] : [s.tagId, s.ts, null, s.quality, s.text],
    ),
  );

/**
 * Calls `fn` for every sample of a raw chunk's `data`, in order, without making Sample objects (the upload
 * path turns them straight into point JSON). `text` is undefined for numeric samples, as in Sample.
 */
export const forEachQueued = (
  data: string,
  fn: (tagId: number, ts: number, value: number | null, quality: number, text: string | undefined) => void,
): void => {
  for (const t of JSON.parse(data) as Tuple[]) {
    if (t.length === 5) fn(t[0], t[1], null, t[3], t[4]);
    else fn(t[0], t[1], t[2], t[3], undefined);
  }
};

/** A chunk's samples as Sample objects (read through `forEachQueued`: one reading of the stored tuples). */
const decode = (data: string): Sample[] => {
  const out: Sample[] = [];
  forEachQueued(data, (tagId, ts, value, quality, text) =>
    out.push(text === undefined ? { tagId, ts, value, quality } : { tagId, ts, value: null, quality, text }),
  );
  return out;
};

/**
 * Samples waiting for upload (store and forward). Chunks are appended inside the same transaction that
 * stores the samples, so a sample is either stored and queued or neither; they leave the outbox only when
 * TwinEdge confirmed them (or the buffer cap's policy drops them, counted). Per-device chunks let one
 * device wait (registration conflict) without holding up the others.
 */
export class OutboxRepo {
  private readonly deviceOfTag = new Map<number, number | null>();
  private totals: OutboxTotals;
  // Prepared once: the write path and the status ask for them every batch and every second.
  private readonly insert;
  private readonly oldest;
  private readonly takeOldest;
  private readonly takeNewest;
  private readonly present;

  constructor(
    private readonly db: Db,
    /** Samples per chunk: small enough to assemble batches of any size, large enough to keep rows few. */
    private readonly chunkSize = 1000,
  ) {
    const row = this.db
      .prepare(
        'SELECT count(*) AS chunks, coalesce(sum(count), 0) AS samples, coalesce(sum(bytes), 0) AS bytes FROM sync_outbox',
      )
      .get() as OutboxTotals;
    this.totals = { ...row };
    this.insert = db.prepare<[number, number, number, number, string]>(
      'INSERT INTO sync_outbox (device_id, count, first_ts, bytes, data) VALUES (?, ?, ?, ?, ?)',
    );
    // Answered from the sync_outbox_first_ts index (a SEARCH), not a scan of a backlog of up to a GiB.
    this.oldest = db.prepare<[], { t: number | null }>('SELECT min(first_ts) AS t FROM sync_outbox');
    const take = (order: 'ASC' | 'DESC') =>
      db.prepare<[string, string], ChunkRow>(
        `SELECT seq, device_id, count, data FROM sync_outbox
         WHERE device_id NOT IN (SELECT value FROM json_each(?)) AND seq NOT IN (SELECT value FROM json_each(?))
         ORDER BY seq ${order}`,
      );
    this.present = db.prepare<[string], { n: number }>(
      'SELECT count(*) AS n FROM sync_outbox WHERE seq IN (SELECT value FROM json_each(?))',
    );
    this.takeOldest = take('ASC');
    this.takeNewest = take('DESC');
  }

  /** Samples, bytes and chunks queued (kept in memory; exact). */
  get current(): OutboxTotals {
    return { ...this.totals };
  }

  oldestTs(): number | null {
    return this.oldest.get()?.t ?? null;
  }

  /** Tags were added or removed: forget which device a tag belongs to. */
  forgetTags(): void {
    this.deviceOfTag.clear();
  }

  /** Queues samples (call inside the transaction that stored them). Samples of unknown tags are skipped. */
  enqueue(samples: readonly Sample[], skipDevices: ReadonlySet<number> = new Set()): number {
    const byDevice = new Map<number, Sample[]>();
    for (const s of samples) {
      const device = this.deviceOf(s.tagId);
      if (device === null || skipDevices.has(device)) continue;
      let list = byDevice.get(device);
      if (!list) byDevice.set(device, (list = []));
      list.push(s);
    }
    let queued = 0;
    for (const [device, list] of byDevice) {
      for (let i = 0; i < list.length; i += this.chunkSize) {
        const part = list.slice(i, i + this.chunkSize);
        const data = encode(part);
        let first = part[0]?.ts ?? 0;
        for (const s of part) if (s.ts < first) first = s.ts;
        // Row overhead is a few dozen bytes; counting the text is what matters for the cap.
        const bytes = Buffer.byteLength(data) + 48;
        this.insert.run(device, part.length, first, bytes, data);
        this.totals.samples += part.length;
        this.totals.bytes += bytes;
        this.totals.chunks += 1;
        queued += part.length;
      }
    }
    return queued;
  }

  /**
   * Chunks in queue order (oldest first, or newest first) adding up to at most `maxSamples`, skipping
   * `exclude` devices and `skip` chunks (the batch in flight). At least one chunk when any is eligible.
   */
  take(
    from: 'oldest' | 'newest',
    maxSamples: number,
    exclude: ReadonlySet<number>,
    skip: readonly number[] = [],
  ): OutboxChunk[] {
    return this.takeRaw(from, maxSamples, exclude, skip).map((c) => ({
      seq: c.seq,
      deviceId: c.deviceId,
      samples: decode(c.data),
    }));
  }

  /** As `take`, with each chunk's samples left as stored (for `forEachQueued`). */
  takeRaw(
    from: 'oldest' | 'newest',
    maxSamples: number,
    exclude: ReadonlySet<number>,
    skip: readonly number[] = [],
  ): OutboxRawChunk[] {
    // Row by row, stopping at the budget: a backlog of millions of samples costs one batch's rows, not all.
    const stmt = from === 'oldest' ? this.takeOldest : this.takeNewest;
    const rows = stmt.iterate(JSON.stringify([...exclude]), JSON.stringify(skip));
    const out: OutboxRawChunk[] = [];
    let n = 0;
    try {
      for (const r of rows) {
        if (out.length > 0 && n + r.count > maxSamples) break;
        out.push({ seq: r.seq, deviceId: r.device_id, count: r.count, data: r.data });
        n += r.count;
        if (n >= maxSamples) break;
      }
    } finally {
      // Closed on every way out (break, an error), so the statement is free for the next call.
      rows.return?.();
    }
    return from === 'newest' ? out.reverse() : out;
  }

  /** Whether every one of these chunks is still queued (none confirmed, dropped or deleted since). */
  has(seqs: readonly number[]): boolean {
    return (this.present.get(JSON.stringify(seqs))?.n ?? 0) === new Set(seqs).size;
  }

  /** Removes confirmed (or dropped) chunks; returns how many samples they held. */
  delete(seqs: readonly number[]): number {
    if (seqs.length === 0) return 0;
    const rows = this.db
      .prepare('DELETE FROM sync_outbox WHERE seq IN (SELECT value FROM json_each(?)) RETURNING count, bytes')
      .all(JSON.stringify(seqs)) as { count: number; bytes: number }[];
    return this.subtract(rows);
  }

  /** Drops the oldest chunks until `bytes` are freed, sparing `protect`; returns samples dropped. */
  dropOldest(bytes: number, protect: ReadonlySet<number>): number {
    const rows = this.db.prepare('SELECT seq, bytes FROM sync_outbox ORDER BY seq ASC LIMIT 1000').all() as {
      seq: number;
      bytes: number;
    }[];
    const victims: number[] = [];
    let freed = 0;
    for (const r of rows) {
      if (freed >= bytes) break;
      if (protect.has(r.seq)) continue;
      victims.push(r.seq);
      freed += r.bytes;
    }
    return this.delete(victims);
  }

  /** A device was deleted or unlinked: its queued samples go too. Returns samples removed. */
  deleteDevice(deviceId: number, protect: ReadonlySet<number> = new Set()): number {
    const rows = this.db
      .prepare(
        'DELETE FROM sync_outbox WHERE device_id = ? AND seq NOT IN (SELECT value FROM json_each(?)) RETURNING count, bytes',
      )
      .all(deviceId, JSON.stringify([...protect])) as { count: number; bytes: number }[];
    return this.subtract(rows);
  }

  /** Queued samples per device. */
  perDevice(): Map<number, number> {
    const rows = this.db.prepare('SELECT device_id, sum(count) AS n FROM sync_outbox GROUP BY device_id').all() as {
      device_id: number;
      n: number;
    }[];
    return new Map(rows.map((r) => [r.device_id, r.n]));
  }

  private subtract(rows: { count: number; bytes: number }[]): number {
    let n = 0;
    for (const r of rows) {
      n += r.count;
      this.totals.samples -= r.count;
      this.totals.bytes -= r.bytes;
      this.totals.chunks -= 1;
    }
    return n;
  }

  private deviceOf(tagId: number): number | null {
    let device = this.deviceOfTag.get(tagId);
    if (device === undefined) {
      const row = this.db.prepare('SELECT device_id FROM tags WHERE id = ?').get(tagId) as
        { device_id: number } | undefined;
      device = row?.device_id ?? null;
      this.deviceOfTag.set(tagId, device);
    }
    return device;
  }
}
