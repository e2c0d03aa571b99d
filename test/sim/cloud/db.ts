import Database from 'better-sqlite3';

export type Db = Database.Database;

/**
 * The simulator's storage: one SQLite file (or :memory:), so a test can restart the "cloud" on the same file
 * and see everything it was sent before. Resources other than telemetry are JSON documents by kind.
 */
export const openSimDb = (path: string): Db => {
  const db = new Database(path);
  if (path !== ':memory:') db.pragma('journal_mode = WAL');
  db.exec(`
    CREATE TABLE IF NOT EXISTS api_keys (
      key TEXT PRIMARY KEY, id TEXT NOT NULL, name TEXT NOT NULL, tier TEXT NOT NULL, scopes TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS points (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      asset_id TEXT NOT NULL, tag_name TEXT NOT NULL, ts INTEGER NOT NULL,
      value_json TEXT NOT NULL, value_num REAL, quality TEXT NOT NULL, status_code INTEGER,
      received_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS points_series ON points (asset_id, tag_name, ts);
    CREATE INDEX IF NOT EXISTS points_ts ON points (ts);
    CREATE TABLE IF NOT EXISTS idempotency (
      key_id TEXT NOT NULL, idem_key TEXT NOT NULL, body_hash TEXT NOT NULL,
      status INTEGER NOT NULL, response TEXT NOT NULL, created_at INTEGER NOT NULL,
      PRIMARY KEY (key_id, idem_key)
    );
    CREATE TABLE IF NOT EXISTS docs (
      kind TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, json TEXT NOT NULL,
      PRIMARY KEY (kind, id)
    );
  `);
  return db;
};

/** JSON documents of one kind, in creation order. */
export class DocStore<T extends { id: string }> {
  constructor(
    private readonly db: Db,
    private readonly kind: string,
  ) {}

  all(): T[] {
    const rows = this.db.prepare('SELECT json FROM docs WHERE kind = ? ORDER BY seq').all(this.kind) as {
      json: string;
    }[];
    return rows.map((r) => JSON.parse(r.json) as T);
  }

  get(id: string): T | undefined {
    const row = this.db.prepare('SELECT json FROM docs WHERE kind = ? AND id = ?').get(this.kind, id) as
      { json: string } | undefined;
    return row ? (JSON.parse(row.json) as T) : undefined;
  }

  /** Inserts or replaces; a replaced document keeps its place in the order. */
  put(doc: T): T {
    const seq = this.db
      .prepare(
        'SELECT COALESCE((SELECT seq FROM docs WHERE kind = ? AND id = ?), (SELECT COALESCE(MAX(seq), 0) + 1 FROM docs))',
      )
      .pluck()
      .get(this.kind, doc.id) as number;
    this.db
      .prepare('INSERT OR REPLACE INTO docs (kind, id, seq, json) VALUES (?, ?, ?, ?)')
      .run(this.kind, doc.id, seq, JSON.stringify(doc));
    return doc;
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM docs WHERE kind = ? AND id = ?').run(this.kind, id).changes > 0;
  }
}
