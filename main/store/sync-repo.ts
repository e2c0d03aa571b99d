import type { Db } from './database.js';
import { TxCache } from './tx-cache.js';
import type { PointRejectionView } from '../domain/sync/point-rejection.js';

/** The batch being sent: exactly what goes on the wire, so a resend after a crash is byte-identical. */
export interface Inflight {
  idempotencyKey: string;
  seqs: number[];
  /** The request body, `{"data": points}`, as sent (gzipped or not). */
  body: { bytes: Uint8Array; gzipped: boolean };
  createdAt: number;
}

interface InflightRow {
  idempotency_key: string;
  seqs: string;
  body: Uint8Array;
  gzipped: number;
  created_at: number;
}

/** A point TwinEdge refused, as kept for the sync view. */
export type Rejection = PointRejectionView;

/**
 * pending: not in TwinEdge yet; synced: registered and kept in step by us; linked: the engineer linked it to an
 * existing TwinEdge device by hand (we upload to it but never change or delete it); needs_link: it cannot be
 * registered (the key or the service does not allow it) and waits for such a link; conflict, error: waits for
 * the engineer; unlinked: not synced; deleting: being removed from TwinEdge.
 */
export type DeviceLinkState =
  'pending' | 'synced' | 'linked' | 'needs_link' | 'conflict' | 'error' | 'unlinked' | 'deleting';

export interface DeviceLink {
  deviceId: number;
  cloudId: string | null;
  state: DeviceLinkState;
  message: string | null;
  /** Hash of the body last written to TwinEdge. */
  syncedHash: string | null;
  /** TwinEdge's updated_at after our last write: a different one means someone changed it there. */
  cloudUpdatedAt: string | null;
  /** On a name conflict, the id of the TwinEdge device holding the name (for "link"). */
  conflictId: string | null;
  syncedAt: number | null;
}

interface LinkRow {
  device_id: number;
  cloud_id: string | null;
  state: DeviceLinkState;
  message: string | null;
  synced_hash: string | null;
  cloud_updated_at: string | null;
  conflict_id: string | null;
  synced_at: number | null;
}

const MAX_REJECTIONS = 10_000;

/** Sync bookkeeping: the batch in flight, rejected points, and local device ↔ TwinEdge device links. */
export class SyncRepo {
  /** The batch in flight is asked for on every uploader turn and on the sample write path (buffer cap). */
  private readonly inflightCache: TxCache<'inflight', Inflight | null>;
  private readonly selectInflight;
  private readonly upsertInflight;
  private readonly deleteInflight;

  constructor(private readonly db: Db) {
    this.inflightCache = new TxCache(db);
    this.selectInflight = db.prepare<[], InflightRow>(
      'SELECT idempotency_key, seqs, body, gzipped, created_at FROM sync_inflight WHERE id = 1',
    );
    this.upsertInflight = db.prepare<[string, string, Uint8Array, number, number]>(
      `INSERT INTO sync_inflight (id, idempotency_key, seqs, body, gzipped, created_at) VALUES (1, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET idempotency_key = excluded.idempotency_key, seqs = excluded.seqs,
         body = excluded.body, gzipped = excluded.gzipped, created_at = excluded.created_at`,
    );
    this.deleteInflight = db.prepare('DELETE FROM sync_inflight');
  }

  inflight(): Inflight | null {
    const b = this.inflightCache.get('inflight', () => {
      const row = this.selectInflight.get();
      if (!row) return null;
      return {
        idempotencyKey: row.idempotency_key,
        seqs: JSON.parse(row.seqs) as number[],
        body: { bytes: row.body, gzipped: row.gzipped === 1 },
        createdAt: row.created_at,
      };
    });
    // Callers may change what they get; the body's bytes are never written to.
    return b && { ...b, seqs: [...b.seqs] };
  }

  setInflight(b: Inflight): void {
    this.upsertInflight.run(
      b.idempotencyKey,
      JSON.stringify(b.seqs),
      b.body.bytes,
      b.body.gzipped ? 1 : 0,
      b.createdAt,
    );
    this.inflightCache.wrote('inflight', { ...b, seqs: [...b.seqs] });
  }

  clearInflight(): void {
    this.deleteInflight.run();
    this.inflightCache.wrote('inflight', null);
  }

  addRejections(list: readonly Omit<Rejection, 'id'>[]): void {
    const insert = this.db.prepare(
      'INSERT INTO sync_rejections (at, device_name, tag_name, ts, code, message) VALUES (?, ?, ?, ?, ?, ?)',
    );
    for (const r of list) insert.run(r.at, r.deviceName, r.tagName, r.ts, r.code, r.message);
    // Bounded: a device sending garbage for days must not fill the disk with its rejections.
    this.db
      .prepare('DELETE FROM sync_rejections WHERE id <= (SELECT max(id) FROM sync_rejections) - ?')
      .run(MAX_REJECTIONS);
  }

  rejections(limit: number): Rejection[] {
    return (
      this.db
        .prepare(
          'SELECT id, at, device_name, tag_name, ts, code, message FROM sync_rejections ORDER BY id DESC LIMIT ?',
        )
        .all(limit) as {
        id: number;
        at: number;
        device_name: string;
        tag_name: string;
        ts: number;
        code: string;
        message: string;
      }[]
    ).map((r) => ({
      id: r.id,
      at: r.at,
      deviceName: r.device_name,
      tagName: r.tag_name,
      ts: r.ts,
      code: r.code,
      message: r.message,
    }));
  }

  links(): DeviceLink[] {
    return (this.db.prepare('SELECT * FROM sync_devices ORDER BY device_id').all() as LinkRow[]).map((r) => ({
      deviceId: r.device_id,
      cloudId: r.cloud_id,
      state: r.state,
      message: r.message,
      syncedHash: r.synced_hash,
      cloudUpdatedAt: r.cloud_updated_at,
      conflictId: r.conflict_id,
      syncedAt: r.synced_at,
    }));
  }

  link(deviceId: number): DeviceLink | null {
    return this.links().find((l) => l.deviceId === deviceId) ?? null;
  }

  saveLink(l: DeviceLink): void {
    this.db
      .prepare(
        `INSERT INTO sync_devices (device_id, cloud_id, state, message, synced_hash, cloud_updated_at, conflict_id, synced_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(device_id) DO UPDATE SET cloud_id = excluded.cloud_id, state = excluded.state,
           message = excluded.message, synced_hash = excluded.synced_hash,
           cloud_updated_at = excluded.cloud_updated_at, conflict_id = excluded.conflict_id,
           synced_at = excluded.synced_at`,
      )
      .run(l.deviceId, l.cloudId, l.state, l.message, l.syncedHash, l.cloudUpdatedAt, l.conflictId, l.syncedAt);
  }

  deleteLink(deviceId: number): void {
    this.db.prepare('DELETE FROM sync_devices WHERE device_id = ?').run(deviceId);
  }
}
