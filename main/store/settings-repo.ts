import type { Db } from './database.js';
import { TxCache } from './tx-cache.js';

/**
 * Key/value settings stored as JSON text. Callers validate what they read back. Read on the sample write
 * path (buffer cap, policy) for every batch, so the text is held in memory (read-through, updated on write)
 * and parsed per get: every caller gets its own copy to change.
 */
export class SettingsRepo {
  private readonly cache: TxCache<string, string | undefined>;
  private readonly select;
  private readonly upsert;
  private readonly remove;

  constructor(db: Db) {
    this.cache = new TxCache(db);
    this.select = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
    this.upsert = db.prepare<[string, string]>(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    );
    this.remove = db.prepare<[string]>('DELETE FROM settings WHERE key = ?');
  }

  get(key: string): unknown {
    const text = this.cache.get(key, () => this.select.get(key)?.value);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
  }

  set(key: string, value: unknown): void {
    const text = JSON.stringify(value);
    this.upsert.run(key, text);
    this.cache.wrote(key, text);
  }

  delete(key: string): void {
    this.remove.run(key);
    this.cache.wrote(key, undefined);
  }
}
