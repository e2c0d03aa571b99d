import { statSync } from 'node:fs';
import type { OpenOptions } from './database.js';
import { openDatabase, type Db } from './database.js';
import type { Sample } from '../collect/types.js';
import { AlarmsRepo } from './alarms-repo.js';
import { AuditRepo } from './audit-repo.js';
import { DevicesRepo } from './devices-repo.js';
import { SamplesRepo } from './samples-repo.js';
import { OutboxRepo } from './outbox-repo.js';
import { SettingsRepo } from './settings-repo.js';
import { SyncRepo } from './sync-repo.js';

/** Queues newly stored samples for upload (inside the storing transaction). */
export type QueuePolicy = (inserted: readonly Sample[], outbox: OutboxRepo) => void;

/** The local SQLite store: one file, opened once per process, closed on shutdown. */
export class Store {
  readonly devices: DevicesRepo;
  readonly samples: SamplesRepo;
  readonly settings: SettingsRepo;
  readonly audit: AuditRepo;
  readonly outbox: OutboxRepo;
  readonly sync: SyncRepo;
  readonly alarms: AlarmsRepo;
  /**
   * Stores a batch and, when `queue` says so, queues what was new for upload, in one transaction: a crash
   * leaves both or neither. Duplicates (same tag and source time) are neither stored nor queued again.
   */
  readonly writeSamples: (batch: readonly Sample[], queue: QueuePolicy | null) => void;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly db: Db,
  ) {
    this.devices = new DevicesRepo(db);
    this.samples = new SamplesRepo(db);
    this.settings = new SettingsRepo(db);
    this.audit = new AuditRepo(db);
    this.outbox = new OutboxRepo(db);
    this.sync = new SyncRepo(db);
    this.alarms = new AlarmsRepo(db);
    this.writeSamples = db.transaction((batch: readonly Sample[], queue: QueuePolicy | null) => {
      if (!queue) {
        this.samples.insertBatch(batch);
        return;
      }
      const inserted = this.samples.insertNew(batch);
      if (inserted.length > 0) queue(inserted, this.outbox);
    });
  }

  static open(path: string, options?: OpenOptions): Store {
    return new Store(path, openDatabase(path, options));
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

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      this.db.close();
    }
  }
}
