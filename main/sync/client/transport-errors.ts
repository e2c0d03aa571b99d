// Turns each way an HTTP call can fail (no key, timeout, network, redirect, error status, bad answer) into a
// TwinEdgeApiError with a log message and a user message, the key redacted from both.
import { ErrorAnswer } from '../api/answers.js';
import {
  TwinEdgeApiError,
  httpUserMessage,
  networkReason,
  normaliseCode,
  type ApiErrorDetails,
  type FieldErrorDetail,
} from './api-error.js';
import type { RateLimitState } from './client-api.js';
import { redactKey, redactKeyInDetails } from './key-redaction.js';
import { waitFromRateLimit } from './rate-limit.js';
import type { RequestSpec } from './request-spec.js';
import { parseRetryAfter } from './retry.js';

/** The call an error belongs to. */
type Call = Pick<RequestSpec<unknown>, 'method' | 'path'>;

/** Formats a zod issue path as `data[3].quality`. */
export const fieldPath = (root: string, path: readonly PropertyKey[]): string =>
  path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : `${acc}.${String(p)}`), root);

/** The socket error code (ECONNREFUSED, ENOTFOUND, ...) somewhere inside what fetch threw. */
export const networkCodeOf = (e: unknown): string | undefined => {
  let cur: unknown = e;
  // fetch wraps the socket error in `cause`; a dual-stack connect gives an AggregateError of them.
  for (let depth = 0; depth < 5 && typeof cur === 'object' && cur !== null; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const errors = (cur as { errors?: unknown }).errors;
    if (Array.isArray(errors)) {
      for (const inner of errors) {
        const c = networkCodeOf(inner);
        if (c) return c;
      }
    }
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
};

/** An error's message with those of its causes, `outer: inner: innermost`. */
export const errorText = (e: unknown): string => {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let depth = 0; depth < 4 && cur instanceof Error; depth++) {
    parts.push(cur.message);
    cur = cur.cause;
  }
  return parts.join(': ') || String(e);
};

/** `details` as an object, or a list of `{field, message}` (other list items are kept as their text). */
const readDetails = (d: unknown): ApiErrorDetails => {
  if (Array.isArray(d)) {
    return d.map((x): FieldErrorDetail => {
      if (typeof x === 'object' && x !== null) {
        const o = x as Record<string, unknown>;
        const field = typeof o.field === 'string' ? o.field : typeof o.path === 'string' ? o.path : '(body)';
        const message = typeof o.message === 'string' ? o.message : JSON.stringify(x);
        return { field, message };
      }
      return { field: '(body)', message: String(x) };
    });
  }
  if (typeof d === 'object' && d !== null) return d as Record<string, unknown>;
  return null;
};

const shortDuration = (ms: number): string => (ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`);

/** The key source threw (a locked keychain). */
export const keyUnreadableError = (spec: Call, e: unknown): TwinEdgeApiError =>
  new TwinEdgeApiError({
    kind: 'http',
    code: 'NO_API_KEY',
    message: `${spec.method} ${spec.path}: reading the API key failed: ${errorText(e)}`,
    userMessage: 'The TwinEdge API key could not be read from the keychain: enter it again in Settings',
    method: spec.method,
    path: spec.path,
  });

export const noKeyError = (spec: Call): TwinEdgeApiError =>
  new TwinEdgeApiError({
    kind: 'http',
    code: 'NO_API_KEY',
    message: `${spec.method} ${spec.path}: no API key set`,
    userMessage: 'No TwinEdge API key is set: add one in Settings',
    method: spec.method,
    path: spec.path,
  });

export const timeoutError = (spec: Call, host: string, timeoutMs: number): TwinEdgeApiError =>
  new TwinEdgeApiError({
    kind: 'timeout',
    message: `${spec.method} ${spec.path}: no answer within ${timeoutMs} ms`,
    userMessage: `TwinEdge at ${host} did not answer within ${shortDuration(timeoutMs)}`,
    method: spec.method,
    path: spec.path,
  });

/** fetch threw without an answer: the socket error's code says why in the user's words. */
export const networkError = (spec: Call, host: string, e: unknown, key: string): TwinEdgeApiError => {
  const networkCode = networkCodeOf(e);
  const reason = networkReason(networkCode);
  return new TwinEdgeApiError({
    kind: 'network',
    message: redactKey(`${spec.method} ${spec.path}: ${errorText(e)}`, key),
    userMessage: `Cannot reach TwinEdge at ${host}: ${reason}`,
    method: spec.method,
    path: spec.path,
    ...(networkCode !== undefined ? { networkCode } : {}),
  });
};

/** A 3xx: not followed, so the user is told where it pointed. */
export const redirectError = (
  spec: Call,
  res: Response,
  base: string,
  host: string,
  requestId: string | undefined,
): TwinEdgeApiError => {
  let where = 'another address';
  try {
    const location = res.headers.get('location');
    if (location) where = new URL(location, base).host;
  } catch {
    // An unparsable Location says no more than its absence.
  }
  return new TwinEdgeApiError({
    kind: 'http',
    status: res.status,
    code: 'REDIRECT',
    message: `${spec.method} ${spec.path}: ${res.status} redirect to ${where} (not followed)`,
    userMessage: `TwinEdge at ${host} redirects to ${where}; the API key is not sent there. If TwinEdge has moved, enter the new address and the key in Settings`,
    method: spec.method,
    path: spec.path,
    ...(requestId !== undefined ? { requestId } : {}),
  });
};

/** A 4xx or 5xx, read from the server's error envelope when it sent one, with the wait it advised. */
export const httpError = (
  spec: Call,
  res: Response,
  text: string,
  rl: RateLimitState | null,
  now: number,
  key: string,
  requestId: string | undefined,
): TwinEdgeApiError => {
  let code: string | null = null;
  let serverMessage: string | null = null;
  let details: ApiErrorDetails = null;
  try {
    const body = ErrorAnswer.safeParse(JSON.parse(text));
    if (body.success) {
      code = body.data.error.code ?? null;
      serverMessage = body.data.error.message === undefined ? null : redactKey(body.data.error.message, key);
      const d = readDetails(body.data.error.details);
      details = d === null ? null : redactKeyInDetails(d, key);
    }
  } catch {
    // Not JSON (a proxy's HTML page): the status alone still says what happened.
  }
  let retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), now);
  if (retryAfterMs === null && res.status === 429 && rl) retryAfterMs = waitFromRateLimit(rl, now);
  const normal = normaliseCode(code);
  return new TwinEdgeApiError({
    kind: 'http',
    status: res.status,
    code: normal,
    details,
    retryAfterMs,
    message: `${spec.method} ${spec.path}: ${res.status}${normal ? ` ${normal}` : ''}${serverMessage ? `: ${serverMessage}` : ''}`,
    userMessage: httpUserMessage({ status: res.status, code: normal, serverMessage, details, retryAfterMs }),
    method: spec.method,
    path: spec.path,
    ...(requestId !== undefined ? { requestId } : {}),
  });
};

/** An answer this version cannot read (`what` says how); `field` where a schema failed. */
export const invalidResponseError = (
  spec: Call,
  host: string,
  what: string,
  key: string,
  status: number,
  requestId: string | undefined,
  field?: string,
): TwinEdgeApiError => {
  const said = redactKey(what, key);
  return new TwinEdgeApiError({
    kind: 'invalid_response',
    status,
    message: `${spec.method} ${spec.path}: unexpected response: ${said}`,
    userMessage: `TwinEdge at ${host} sent an answer this version of TwinEdge Desktop does not understand (${said})`,
    details: field !== undefined ? { field } : null,
    method: spec.method,
    path: spec.path,
    ...(requestId !== undefined ? { requestId } : {}),
  });
};

export const abortedError = (spec: Call): TwinEdgeApiError =>
  new TwinEdgeApiError({
    kind: 'aborted',
    message: `${spec.method} ${spec.path}: cancelled`,
    userMessage: 'The request to TwinEdge was cancelled',
    method: spec.method,
    path: spec.path,
  });

/** A bug of ours inside an attempt: reported as a network-free, non-retried failure. */
export const unexpectedError = (spec: Call, host: string, e: unknown): TwinEdgeApiError =>
  new TwinEdgeApiError({
    kind: 'invalid_response',
    message: `${spec.method} ${spec.path}: ${e instanceof Error ? e.message : String(e)}`,
    userMessage: `TwinEdge Desktop failed to process the answer from ${host}`,
    method: spec.method,
    path: spec.path,
  });
