import type { Db } from './database.js';

/**
 * Values read from the file, held in memory for a repo that is the file's only writer of them. A value
 * written inside a transaction may still roll back, so it is not cached then: it is marked uncertain and
 * read from the file until the transaction is over (the file is then the truth again).
 */
export class TxCache<K, V> {
  private readonly values = new Map<K, V>();
  private readonly uncertain = new Set<K>();

  constructor(private readonly db: Db) {}

  /** The cached value, or `load()`'s (cached when it cannot be rolled back). */
  get(key: K, load: () => V): V {
    if (this.uncertain.size > 0 && !this.db.inTransaction) this.uncertain.clear();
    if (this.values.has(key)) return this.values.get(key) as V;
    const v = load();
    if (!this.uncertain.has(key)) this.values.set(key, v);
    return v;
  }

  /** Call after writing `value` for `key` to the file. */
  wrote(key: K, value: V): void {
    if (this.db.inTransaction) {
      this.values.delete(key);
      this.uncertain.add(key);
    } else this.values.set(key, value);
  }
}
