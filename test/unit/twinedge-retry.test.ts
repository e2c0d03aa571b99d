import { describe, expect, it } from 'vitest';
import { TwinEdgeApiError, httpUserMessage, isRetryable } from '../../main/sync/client/api-error.js';
import type { ApiErrorKind } from '../../main/sync/client/client-api.js';
import { listAll } from '../../main/sync/client/pages.js';
import { backoffDelay, mayRetry, parseRetryAfter, retryDelay } from '../../main/sync/client/retry.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

const err = (
  kind: ApiErrorKind,
  status: number | null = null,
  extra: { retryAfterMs?: number; networkCode?: string } = {},
) => new TwinEdgeApiError({ kind, status, message: 'm', userMessage: 'u', ...extra });

describe('backoff', () => {
  const o = { baseMs: 500, capMs: 30_000 };

  it('grows exponentially up to the cap, scaled by the jitter', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((r) => backoffDelay(r, o, () => 1))).toEqual([
      500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000,
    ]);
    expect(backoffDelay(3, o, () => 0.5)).toBe(2000);
    expect(backoffDelay(3, o, () => 0)).toBe(0);
  });

  it('clamps a random source outside [0, 1]', () => {
    expect(backoffDelay(0, o, () => 7)).toBe(500);
    expect(backoffDelay(0, o, () => -1)).toBe(0);
  });

  it('prefers the server-advised wait to backoff', () => {
    expect(retryDelay(err('http', 429, { retryAfterMs: 12_000 }), 0, o, () => 1)).toBe(12_000);
    expect(retryDelay(err('http', 500), 1, o, () => 1)).toBe(1000);
  });
});

describe('Retry-After', () => {
  it('reads delta seconds', () => {
    expect(parseRetryAfter('12', NOW)).toBe(12_000);
    expect(parseRetryAfter(' 0 ', NOW)).toBe(0);
  });

  it('reads an HTTP date relative to now; a past date is 0', () => {
    expect(parseRetryAfter(new Date(NOW + 90_000).toUTCString(), NOW)).toBe(90_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 11:00:00 GMT', NOW)).toBe(0);
  });

  it('ignores absent and garbage values', () => {
    expect(parseRetryAfter(null, NOW)).toBeNull();
    expect(parseRetryAfter('', NOW)).toBeNull();
    expect(parseRetryAfter('-1', NOW)).toBeNull();
    expect(parseRetryAfter('1.5', NOW)).toBeNull();
    expect(parseRetryAfter('soon', NOW)).toBeNull();
  });
});

describe('retry policy', () => {
  it('retries network errors, timeouts and 429/5xx for GET, PUT, DELETE', () => {
    for (const m of ['GET', 'PUT', 'DELETE'] as const) {
      for (const e of [err('network'), err('timeout'), ...[429, 500, 502, 503, 504].map((s) => err('http', s))]) {
        expect(mayRetry(e, m, false)).toBe(true);
      }
    }
  });

  it('never retries 4xx other than 429, invalid responses or cancellations', () => {
    for (const e of [400, 401, 403, 404, 409, 413].map((s) => err('http', s))) {
      expect(mayRetry(e, 'GET', false)).toBe(false);
    }
    expect(mayRetry(err('invalid_response', 200), 'GET', false)).toBe(false);
    expect(mayRetry(err('aborted'), 'GET', false)).toBe(false);
  });

  it('retries a POST with an Idempotency-Key like a GET', () => {
    for (const e of [err('network'), err('timeout'), err('http', 500), err('http', 504)]) {
      expect(mayRetry(e, 'POST', true)).toBe(true);
    }
  });

  it('retries a plain POST only when the server certainly did not process it', () => {
    expect(mayRetry(err('http', 429), 'POST', false)).toBe(true);
    expect(mayRetry(err('http', 503, { retryAfterMs: 5000 }), 'POST', false)).toBe(true);
    expect(mayRetry(err('network', null, { networkCode: 'ECONNREFUSED' }), 'POST', false)).toBe(true);
    expect(mayRetry(err('http', 503), 'POST', false)).toBe(false);
    expect(mayRetry(err('http', 500), 'POST', false)).toBe(false);
    expect(mayRetry(err('network', null, { networkCode: 'ECONNRESET' }), 'POST', false)).toBe(false);
    expect(mayRetry(err('timeout'), 'POST', false)).toBe(false);
  });

  it('isRetryable says whether a later try may succeed', () => {
    expect(isRetryable(err('network'))).toBe(true);
    expect(isRetryable(err('http', 503))).toBe(true);
    expect(isRetryable(err('http', 401))).toBe(false);
    expect(isRetryable(new Error('other'))).toBe(false);
  });
});

describe('TwinEdgeApiError', () => {
  it('normalises codes to upper case', () => {
    expect(new TwinEdgeApiError({ kind: 'http', code: 'validation_error', message: '', userMessage: '' }).code).toBe(
      'VALIDATION_ERROR',
    );
  });

  it('writes messages a plant engineer can act on', () => {
    const base = { code: null, serverMessage: null, details: null, retryAfterMs: null };
    expect(httpUserMessage({ ...base, status: 401, code: 'UNAUTHORIZED' })).toBe(
      'TwinEdge refused the API key (401 UNAUTHORIZED): check the key in Settings',
    );
    expect(httpUserMessage({ ...base, status: 429, retryAfterMs: 12_000 })).toBe(
      'TwinEdge is rate limiting this key: next request allowed in 12 s',
    );
    expect(
      httpUserMessage({
        ...base,
        status: 400,
        code: 'VALIDATION_ERROR',
        serverMessage: 'Invalid body',
        details: [{ field: 'name', message: 'required' }],
      }),
    ).toBe('TwinEdge rejected the request (400 VALIDATION_ERROR): Invalid body (name: required)');
  });
});

describe('listAll', () => {
  const pageOf = (page: number, perPage: number, total: number) => ({
    items: Array.from(
      { length: Math.max(0, Math.min(perPage, total - (page - 1) * perPage)) },
      (_, i) => (page - 1) * perPage + i,
    ),
    meta: { page, per_page: perPage, total },
  });

  it('stops at meta.total', async () => {
    const asked: number[] = [];
    const all = await listAll((p) => {
      asked.push(p);
      return Promise.resolve(pageOf(p, 20, 45));
    });
    expect(all).toHaveLength(45);
    expect(asked).toEqual([1, 2, 3]);
  });

  it('stops at an empty page', async () => {
    expect(await listAll((p) => Promise.resolve(pageOf(p, 20, 0)))).toEqual([]);
  });

  it('guards against a list that never ends', async () => {
    // total keeps growing ahead of the pages
    await expect(listAll((p) => Promise.resolve(pageOf(p, 10, p * 10 + 10)), { maxPages: 50 })).rejects.toMatchObject({
      kind: 'invalid_response',
    });
    // the page parameter is ignored
    await expect(listAll(() => Promise.resolve(pageOf(1, 10, 100)))).rejects.toMatchObject({
      kind: 'invalid_response',
    });
  });
});
