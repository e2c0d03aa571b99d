import { createHash } from 'node:crypto';
import { ingestLimits } from '../../../main/sync/api/model.js';
import type { Db } from './db.js';

export interface StoredAnswer {
  status: number;
  body: unknown;
}

export type IdempotencyLookup = { kind: 'new' } | { kind: 'replay'; answer: StoredAnswer } | { kind: 'conflict' };

/** Hash of the parsed body, so gzip or whitespace differences do not count as "a different body". */
export const bodyHash = (body: unknown): string => createHash('sha256').update(JSON.stringify(body)).digest('hex');

/** Answers remembered per (API key, Idempotency-Key) for ingestLimits.idempotencyTtlSeconds of clock time. */
export class IdempotencyStore {
  constructor(private readonly db: Db) {}

  lookup(keyId: string, idemKey: string, hash: string, now: number): IdempotencyLookup {
    const row = this.db
      .prepare('SELECT body_hash, status, response, created_at FROM idempotency WHERE key_id = ? AND idem_key = ?')
      .get(keyId, idemKey) as { body_hash: string; status: number; response: string; created_at: number } | undefined;
    if (!row || now - row.created_at >= ingestLimits.idempotencyTtlSeconds * 1000) return { kind: 'new' };
    if (row.body_hash !== hash) return { kind: 'conflict' };
    return { kind: 'replay', answer: { status: row.status, body: JSON.parse(row.response) as unknown } };
  }

  remember(keyId: string, idemKey: string, hash: string, answer: StoredAnswer, now: number): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO idempotency (key_id, idem_key, body_hash, status, response, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(keyId, idemKey, hash, answer.status, JSON.stringify(answer.body), now);
  }
}
