import { statSync } from 'node:fs';
import type { OpenOptions } from './database.js';
import { openDatabase, type Db } from './database.js';
import { AuditRepo } from './audit-repo.js';
import { DevicesRepo } from './devices-repo.js';
import { SamplesRepo } from './samples-repo.js';
import { SettingsRepo } from './settings-repo.js';

/** The local SQLite store: one file, opened once per process, closed on shutdown. */
export class Store {
  readonly devices: DevicesRepo;
  readonly samples: SamplesRepo;
  readonly settings: SettingsRepo;
  readonly audit: AuditRepo;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly db: Db,
  ) {
    this.devices = new DevicesRepo(db);
    this.samples = new SamplesRepo(db);
    this.settings = new SettingsRepo(db);
    this.audit = new AuditRepo(db);
  }

  static open(path: string, options?: OpenOptions): Store {
    return new Store(path, openDatabase(path, options));
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
