import type { ApiErrorKind } from './client-api.js';

/** One field error, as in the lower-case variant of the error envelope (`details: [{field, message}]`). */
export interface FieldErrorDetail {
  field: string;
  message: string;
}

export type ApiErrorDetails = Record<string, unknown> | FieldErrorDetail[] | null;

export interface TwinEdgeApiErrorInit {
  kind: ApiErrorKind;
  /** Technical message (for logs); `userMessage` is what the engineer reads. */
  message: string;
  userMessage: string;
  status?: number | null;
  code?: string | null;
  details?: ApiErrorDetails;
  retryAfterMs?: number | null;
  requestId?: string;
  method?: string;
  /** Path relative to the base URL, without the query string. */
  path?: string;
  /** Why a network failure happened (for example ECONNREFUSED), when known. */
  networkCode?: string;
  cause?: unknown;
}

/**
 * Every failure of the TwinEdge client. Callers branch on `kind` (and on `status`/`code` for 'http'),
 * never on message text. The API key never appears in any field: messages are built from status, code,
 * path and the server's message, and the transport scrubs the key from anything the server sends back.
 */
export class TwinEdgeApiError extends Error {
  readonly kind: ApiErrorKind;
  readonly status: number | null;
  /** Upper case: the reference's table is upper case, another page shows lower case. */
  readonly code: string | null;
  readonly details: ApiErrorDetails;
  /** How long the server asked us to wait (Retry-After, or the rate-limit reset on 429), in clock ms. */
  readonly retryAfterMs: number | null;
  readonly requestId?: string;
  readonly method?: string;
  readonly path?: string;
  readonly networkCode?: string;
  readonly userMessage: string;

  constructor(init: TwinEdgeApiErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'TwinEdgeApiError';
    this.kind = init.kind;
    this.status = init.status ?? null;
    this.code = normaliseCode(init.code ?? null);
    this.details = init.details ?? null;
    this.retryAfterMs = init.retryAfterMs ?? null;
    if (init.requestId !== undefined) this.requestId = init.requestId;
    if (init.method !== undefined) this.method = init.method;
    if (init.path !== undefined) this.path = init.path;
    if (init.networkCode !== undefined) this.networkCode = init.networkCode;
    this.userMessage = init.userMessage;
  }

  /** A plain object for logs and IPC (the cause is left out: it may hold transport internals). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      status: this.status,
      code: this.code,
      message: this.message,
      userMessage: this.userMessage,
      details: this.details,
      retryAfterMs: this.retryAfterMs,
      requestId: this.requestId,
      method: this.method,
      path: this.path,
      networkCode: this.networkCode,
    };
  }
}

export const normaliseCode = (code: string | null): string | null => {
  if (code === null) return null;
  const trimmed = code.trim();
  return trimmed === '' ? null : trimmed.toUpperCase();
};

export const isTwinEdgeApiError = (err: unknown): err is TwinEdgeApiError => err instanceof TwinEdgeApiError;

/** The HTTP status TwinEdge answered with an error envelope, or null (no answer, an unreadable one, not ours). */
export const httpStatus = (err: unknown): number | null =>
  err instanceof TwinEdgeApiError && err.kind === 'http' ? err.status : null;

/** Statuses a retry may cure: the server was briefly unable, not unwilling. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

/**
 * Whether trying the same request again later may succeed (ignoring whether repeating it is safe:
 * that is the retry policy's question, see retry.ts). 4xx other than 429 and cancellations are final.
 */
export const isRetryable = (err: unknown): boolean => {
  if (!isTwinEdgeApiError(err)) return false;
  switch (err.kind) {
    case 'network':
    case 'timeout':
      return true;
    case 'http':
      return err.status !== null && RETRYABLE_STATUSES.has(err.status);
    case 'invalid_response':
    case 'aborted':
      return false;
  }
};

// ---- user messages ------------------------------------------------------------------------------

const seconds = (ms: number): string => {
  const s = Math.max(1, Math.ceil(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.ceil(s / 60)} min`;
  return `${Math.round(s / 360) / 10} h`;
};

const fieldList = (details: ApiErrorDetails): string => {
  if (!Array.isArray(details) || details.length === 0) return '';
  const shown = details.slice(0, 3).map((d) => `${d.field}: ${d.message}`);
  const more = details.length > 3 ? ` (and ${details.length - 3} more)` : '';
  return ` (${shown.join('; ')}${more})`;
};

/** The message a plant engineer reads for an error answer from the server. */
export const httpUserMessage = (a: {
  status: number;
  code: string | null;
  serverMessage: string | null;
  details: ApiErrorDetails;
  retryAfterMs: number | null;
}): string => {
  const tag = `${a.status}${a.code ? ` ${a.code}` : ''}`;
  const said = a.serverMessage ? `: ${a.serverMessage}` : '';
  switch (a.status) {
    case 401:
      return `TwinEdge refused the API key (${tag}): check the key in Settings`;
    case 403:
      return `The API key is not allowed to do this (${tag})${said}. Give the key the scope it needs in TwinEdge, or use another key`;
    case 404:
      return `TwinEdge does not know this item (${tag})${said}`;
    case 409:
      return `TwinEdge reports a conflict (${tag})${said}`;
    case 413:
      return `The request is too large for TwinEdge (${tag})${said}`;
    case 429:
      return a.retryAfterMs !== null
        ? `TwinEdge is rate limiting this key: next request allowed in ${seconds(a.retryAfterMs)}`
        : 'TwinEdge is rate limiting this key: wait before sending more requests';
    default:
      if (a.status >= 500)
        return `TwinEdge had a server problem (${tag})${said}. This is usually temporary: try again later`;
      if (a.status === 400 || a.status === 422)
        return `TwinEdge rejected the request (${tag})${said}${fieldList(a.details)}`;
      return `TwinEdge answered ${tag}${said}`;
  }
};

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed (no DNS?)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  EPIPE: 'connection closed while sending',
  UND_ERR_SOCKET: 'connection closed by the server',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate cannot be verified',
};

export const networkReason = (code: string | undefined): string => {
  if (!code) return 'network error';
  return NETWORK_REASONS[code] ?? `network error ${code}`;
};

/** What to show an engineer for any failure of a TwinEdge call: the user message when there is one. */
export const errorText = (err: unknown): string =>
  err instanceof TwinEdgeApiError ? err.userMessage : err instanceof Error ? err.message : String(err);
