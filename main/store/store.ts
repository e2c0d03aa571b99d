import { statSync } from 'node:fs';
import type { OpenOptions } from './database.js';
import { DiskReserve } from './disk-reserve.js';
import { openDatabase, type Db } from './database.js';
import type { Sample } from '../domain/sample/sample.js';
import type { StoreCheck } from '../domain/store-check.js';
import { AlarmsRepo } from './alarms-repo.js';
import { AuditRepo } from './audit-repo.js';
import { DevicesRepo } from './devices-repo.js';
import { RollupsRepo } from './rollups-repo.js';
import { RawSamples } from './raw/raw-samples.js';
import { TrendViewsRepo } from './trend-views-repo.js';
import { OutboxRepo } from './outbox-repo.js';
import { SettingsRepo } from './settings-repo.js';
import { SyncRepo } from './sync-repo.js';
import { ServerEventsRepo } from './server-events-repo.js';
import { TagPurge } from './tag-purge.js';
import { SealedBlocks } from './raw/sealed-blocks.js';

/** Queues newly stored samples for upload (inside the storing transaction). */
export type QueuePolicy = (inserted: readonly Sample[], outbox: OutboxRepo) => void;

/** The local SQLite store: one file, opened once per process, closed on shutdown. */
export class Store {
  readonly devices: DevicesRepo;
  /** Raw samples (rows and sealed blocks): the only way to read or delete them. */
  readonly samples: RawSamples;
  /** Older raw samples sealed into compact blocks (written by the compactor, read through `samples`). */
  readonly blocks: SealedBlocks;
  readonly settings: SettingsRepo;
  readonly audit: AuditRepo;
  readonly outbox: OutboxRepo;
  readonly sync: SyncRepo;
  readonly alarms: AlarmsRepo;
  readonly rollups: RollupsRepo;
  readonly views: TrendViewsRepo;
  readonly serverEvents: ServerEventsRepo;
  /** Data of deleted tags, still being removed in steps (run by TagPurgeJob). */
  readonly tagPurge: TagPurge;
  /**
   * Stores a batch and, when `queue` says so, queues what was new for upload, in one transaction: a crash
   * leaves both or neither. Duplicates (same tag and source time) are neither stored nor queued again.
   */
  readonly writeSamples: (batch: readonly Sample[], queue: QueuePolicy | null) => void;
  private closed = false;
  private damaged = false;

  private constructor(
    readonly path: string,
    private readonly db: Db,
    /** The quick_check at open (null for a new file). */
    readonly openCheck: StoreCheck | null,
    /** Room kept for the last write at shutdown on a full disk. */
    readonly reserve: DiskReserve,
  ) {
    this.settings = new SettingsRepo(db);
    this.blocks = new SealedBlocks(db);
    this.samples = new RawSamples(db, this.blocks);
    this.rollups = new RollupsRepo(db, this.settings, this.samples);
    this.tagPurge = new TagPurge(db, this.rollups, this.samples);
    this.devices = new DevicesRepo(db, (tagIds) => this.tagPurge.enqueue(tagIds));
    this.audit = new AuditRepo(db);
    this.outbox = new OutboxRepo(db);
    this.sync = new SyncRepo(db);
    this.alarms = new AlarmsRepo(db);
    this.views = new TrendViewsRepo(db);
    this.serverEvents = new ServerEventsRepo(db);
    const write = db.transaction((batch: readonly Sample[], queue: QueuePolicy | null, marks: Set<number>) => {
      const inserted = this.samples.insertNew(batch);
      // Same transaction as the samples: a crash leaves both the rows and their dirty minutes, or neither.
      this.rollups.markDirty(inserted, marks);
      if (queue && inserted.length > 0) queue(inserted, this.outbox);
    });
    this.writeSamples = (batch, queue) => {
      const marks = new Set<number>();
      write(batch, queue, marks);
      // Inside a caller's transaction the marks may still roll back: then they are simply not remembered.
      if (!this.db.inTransaction) this.rollups.remember(marks);
    };
  }

  /** Bytes in pages in use (what the retention size cap counts). */
  usedBytes(): number {
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    return (pages - free) * pageSize;
  }

  /** The connection, for the history services (queries, retention) that own their SQL. */
  get database(): Db {
    return this.db;
  }

  static open(path: string, options?: OpenOptions & { reserveBytes?: number }): Store {
    const { db, check } = openDatabase(path, options);
    const reserve = new DiskReserve(`${path}-reserve`, options?.reserveBytes ?? 0);
    reserve.ensure();
    return new Store(path, db, check, reserve);
  }

  /** Runs `fn` in one transaction (nested calls become savepoints). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** Size on disk, database plus write-ahead log. */
  sizeBytes(): number {
    return [this.path, `${this.path}-wal`].reduce((sum, p) => {
      try {
        return sum + statSync(p).size;
      } catch {
        return sum;
      }
    }, 0);
  }

  /**
   * The file is damaged: no statement may write to it from now on (SQLite refuses them on this connection), and
   * close() does not checkpoint. Reads still answer.
   */
  markDamaged(): void {
    if (this.damaged || this.closed) return;
    this.damaged = true;
    this.db.pragma('query_only = ON');
  }

  get isDamaged(): boolean {
    return this.damaged;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      if (!this.damaged) this.db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      this.db.close();
    }
  }
}
