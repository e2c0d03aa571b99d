import { createHash } from 'node:crypto';
import { IDEMPOTENCY_HEADER, IDEMPOTENT_REPLAY_HEADER, ingestLimits } from '../../../main/sync/api/model.js';
import { ApiError } from './api-error.js';
import type { Db } from './db.js';
import type { Answer, Ctx } from './route.js';

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
    // '' stands for an answer without a body (a dialect may answer 202 with nothing).
    const body = row.response === '' ? undefined : (JSON.parse(row.response) as unknown);
    return { kind: 'replay', answer: { status: row.status, body } };
  }

  remember(keyId: string, idemKey: string, hash: string, answer: StoredAnswer, now: number): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO idempotency (key_id, idem_key, body_hash, status, response, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(keyId, idemKey, hash, answer.status, answer.body === undefined ? '' : JSON.stringify(answer.body), now);
  }
}

/**
 * Applies a request at most once per (API key, Idempotency-Key): the same key with the same body replays the
 * answer as it was sent (rendered in the dialect's form before it is remembered, so a rotating form cannot
 * change on replay); with another body it is refused 409 CONFLICT. Without the header, `apply` runs every time.
 * Errors thrown by `apply` are not remembered: a retry after a refusal is judged afresh.
 */
export const idempotent = (ctx: Ctx, apply: () => Answer): Answer => {
  const { state } = ctx;
  const header = ctx.headers[IDEMPOTENCY_HEADER];
  const idemKey = Array.isArray(header) ? header[0] : header;
  if (idemKey === undefined) return apply();
  const hash = bodyHash(ctx.body);
  const seen = state.idempotency.lookup(ctx.key.id, idemKey, hash, ctx.now);
  if (seen.kind === 'conflict') {
    throw new ApiError(409, 'CONFLICT', 'Idempotency-Key was already used with a different body', {
      idempotency_key: idemKey,
    });
  }
  if (seen.kind === 'replay') {
    state.counters.replayed++;
    const headers: Record<string, string> = state.dialect.replayHeader ? { [IDEMPOTENT_REPLAY_HEADER]: 'true' } : {};
    return { ...seen.answer, headers, final: true };
  }
  const answer = ctx.render(apply());
  state.idempotency.remember(ctx.key.id, idemKey, hash, answer, ctx.now);
  return { ...answer, final: true };
};
