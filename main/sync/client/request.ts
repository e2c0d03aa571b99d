import { promisify } from 'node:util';
import { gunzipSync, gzip } from 'node:zlib';
import type { z } from 'zod';
import { ErrorAnswer } from '../api/answers.js';
import { IDEMPOTENCY_HEADER, PageMeta } from '../api/model.js';
import type { Clock } from '../clock.js';
import {
  TwinEdgeApiError,
  httpUserMessage,
  networkReason,
  normaliseCode,
  type ApiErrorDetails,
  type FieldErrorDetail,
} from './api-error.js';
import type { RateLimitState } from './client-api.js';
import { parseRateLimit, waitFromRateLimit } from './rate-limit.js';
import { mayRetry, parseRetryAfter, retryDelay, type BackoffOptions, type HttpMethod } from './retry.js';

const gzipAsync = promisify(gzip);

/** Reported after every HTTP attempt (for logs and the sync view): no headers, no body, no key. */
export interface RequestInfo {
  method: HttpMethod;
  /** Path relative to the base URL, without the query string. */
  path: string;
  /** Null when no answer came (network error, timeout, abort). */
  status: number | null;
  /** 1 for the first try. */
  attempt: number;
  /** In clock ms. */
  durationMs: number;
}

/** Counters for benchmarks and the sync view. */
export interface TransportStats {
  /** Calls of `request` (one per API method call). */
  requests: number;
  /** HTTP attempts, retries included. */
  attempts: number;
  retries: number;
  /** Request body bytes on the wire (after gzip). */
  bytesSent: number;
  /** Response body bytes: Content-Length when the server sent it, else the decoded length. */
  bytesReceived: number;
}

export type ApiKeySource = string | (() => Promise<string | null>);

export interface TransportOptions {
  baseUrl: string;
  apiKey: ApiKeySource;
  clock: Clock;
  /** What times each attempt out (default: `clock`). */
  timeoutClock?: Clock;
  timeoutMs: number;
  maxRetries: number;
  backoff: BackoffOptions;
  gzipThresholdBytes: number;
  userAgent: string;
  /**
   * The longest server-advised wait (Retry-After, rate-limit reset) slept through inside one call. A longer
   * one (an exhausted day budget) fails the call at once with `retryAfterMs`, so the caller can schedule.
   */
  maxRetryAfterMs: number;
  /** Jitter source; tests pin it. */
  random: () => number;
  onRateLimit?: (state: RateLimitState) => void;
  onRequest?: (info: RequestInfo) => void;
  /** A successful answer had parts we could not read and went on without (skipped list items, missing meta). */
  onMisread?: (info: MisreadInfo) => void;
}

/** Part of a 2xx answer the client could not use (the rest of the answer was used). */
export interface MisreadInfo {
  method: HttpMethod;
  path: string;
  status: number;
  /** What was not understood, e.g. `data[3].triggered_at: not an ISO 8601 date-time`. */
  what: string;
}

export type QueryValue = string | number | boolean | null | undefined;

export interface RequestSpec<T> {
  method: HttpMethod;
  /** Relative to the base URL, starting with '/'; ids already encoded. */
  path: string;
  query?: Record<string, QueryValue>;
  /** JSON-serialisable request body, or one already encoded (an EncodedBody, sent as is). */
  body?: unknown;
  idempotencyKey?: string;
  /** Validates the envelope's `data`. */
  schema: z.ZodType<T>;
  /**
   * Called with what a tolerant schema skipped (for lists: `TolerantList.skipped`); reported as a misread.
   */
  skipped?(data: T): string | null;
  /**
   * 'unapplied': repeated inside the call only when the server certainly did not act (429, 503 with Retry-After,
   * a refused connection), as a plain POST, even with an Idempotency-Key. For creates a server may apply without
   * honouring the key: the caller looks the result up before it tries again.
   */
  retry?: 'unapplied';
  /** A list endpoint: `meta` is required. */
  paged?: boolean;
  /** An empty body (204) is a success: `data` is then the schema's reading of `undefined`. */
  allowEmpty?: boolean;
  /**
   * False: the whole body is read by `schema`, with or without a `{data}` envelope (undefined when empty, the
   * start of the text when not JSON); for answers the reference does not document (ingest), read by the caller.
   */
  envelope?: false;
  signal?: AbortSignal;
}

export interface ApiResponse<T> {
  data: T;
  meta: PageMeta | null;
  status: number;
}

/**
 * A request body already serialised (and gzipped above the threshold): sent as is, so a body stored before
 * sending (the upload in flight) goes out byte for byte, and is not serialised a second time.
 */
export interface EncodedBody {
  bytes: Uint8Array;
  gzipped: boolean;
}

export const isEncodedBody = (b: unknown): b is EncodedBody =>
  typeof b === 'object' &&
  b !== null &&
  (b as Partial<EncodedBody>).bytes instanceof Uint8Array &&
  typeof (b as Partial<EncodedBody>).gzipped === 'boolean';

/** Bodies larger than this are gzipped (unless the client is told otherwise). */
export const GZIP_THRESHOLD_BYTES = 1024;

/** JSON text as a request body; gzip runs off the main thread. */
export const encodeJson = async (json: string, gzipThresholdBytes: number): Promise<EncodedBody> => {
  const bytes = Buffer.from(json, 'utf8');
  if (bytes.byteLength <= gzipThresholdBytes) return { bytes, gzipped: false };
  // Telemetry JSON compresses about tenfold; this is most of the upload budget on a slow plant link.
  return { bytes: await gzipAsync(bytes), gzipped: true };
};

/** The JSON text of an encoded body. */
export const decodeBody = (b: EncodedBody): string =>
  (b.gzipped ? gunzipSync(b.bytes) : Buffer.from(b.bytes)).toString('utf8');

/** Formats a zod issue path as `data[3].quality`. */
const fieldPath = (root: string, path: readonly PropertyKey[]): string =>
  path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : `${acc}.${String(p)}`), root);

const networkCodeOf = (e: unknown): string | undefined => {
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

const errorText = (e: unknown): string => {
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

/**
 * One HTTP request with retries, on Node's global fetch. Everything the API key touches stays here: it is
 * read per call from `apiKey`, sent in the Authorization header, and scrubbed from anything the server
 * echoes back into an error.
 */
export class Transport {
  readonly stats: TransportStats = { requests: 0, attempts: 0, retries: 0, bytesSent: 0, bytesReceived: 0 };
  rateLimit: RateLimitState | null = null;
  private readonly base: string;
  readonly host: string;
  private readonly o: Omit<TransportOptions, 'apiKey'>;
  /** An ES private field: util.inspect and JSON.stringify of the client do not show it. */
  readonly #apiKey: ApiKeySource;

  constructor(options: TransportOptions) {
    const { apiKey, ...rest } = options;
    this.o = rest;
    this.#apiKey = apiKey;
    // Tolerate a trailing slash; the URL constructor rejects a malformed base at once (a setup error).
    this.base = rest.baseUrl.replace(/\/+$/, '');
    this.host = new URL(this.base).host;
  }

  async request<T>(spec: RequestSpec<T>): Promise<ApiResponse<T>> {
    this.stats.requests++;
    const key = await this.resolveKey(spec);
    const url = this.url(spec.path, spec.query);
    const body = spec.body === undefined ? null : await this.encode(spec.body);
    for (let retry = 0; ; retry++) {
      if (spec.signal?.aborted) throw this.aborted(spec);
      try {
        return await this.attempt(spec, url, body, key, retry + 1);
      } catch (e) {
        const err = e instanceof TwinEdgeApiError ? e : this.unexpected(spec, e);
        if (retry >= this.o.maxRetries) throw err;
        const keyed = spec.idempotencyKey !== undefined && spec.retry !== 'unapplied';
        if (!mayRetry(err, spec.method, keyed)) throw err;
        if (err.retryAfterMs !== null && err.retryAfterMs > this.o.maxRetryAfterMs) throw err;
        const wait = retryDelay(err, retry, this.o.backoff, this.o.random);
        this.stats.retries++;
        try {
          await this.o.clock.sleep(wait, spec.signal);
        } catch {
          throw this.aborted(spec);
        }
      }
    }
  }

  private async resolveKey(spec: RequestSpec<unknown>): Promise<string> {
    let key: string | null;
    try {
      key = typeof this.#apiKey === 'string' ? this.#apiKey : await this.#apiKey();
    } catch (e) {
      throw new TwinEdgeApiError({
        kind: 'http',
        code: 'NO_API_KEY',
        message: `${spec.method} ${spec.path}: reading the API key failed: ${errorText(e)}`,
        userMessage: 'The TwinEdge API key could not be read from the keychain: enter it again in Settings',
        method: spec.method,
        path: spec.path,
      });
    }
    if (!key || key.trim() === '') {
      throw new TwinEdgeApiError({
        kind: 'http',
        code: 'NO_API_KEY',
        message: `${spec.method} ${spec.path}: no API key set`,
        userMessage: 'No TwinEdge API key is set: add one in Settings',
        method: spec.method,
        path: spec.path,
      });
    }
    return key.trim();
  }

  private url(path: string, query?: Record<string, QueryValue>): string {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v !== undefined && v !== null) qs.set(k, String(v));
    }
    const s = qs.toString();
    return `${this.base}${path}${s ? `?${s}` : ''}`;
  }

  /** Serialised once per call, so every retry sends the same bytes. */
  private async encode(body: unknown): Promise<EncodedBody> {
    if (isEncodedBody(body)) return body;
    return encodeJson(JSON.stringify(body), this.o.gzipThresholdBytes);
  }

  private async attempt<T>(
    spec: RequestSpec<T>,
    url: string,
    body: EncodedBody | null,
    key: string,
    attempt: number,
  ): Promise<ApiResponse<T>> {
    this.stats.attempts++;
    const clock = this.o.clock;
    const started = clock.now();
    const headers: Record<string, string> = {
      authorization: `Bearer ${key}`,
      accept: 'application/json',
      'accept-encoding': 'gzip',
      'user-agent': this.o.userAgent,
    };
    if (body) {
      headers['content-type'] = 'application/json';
      if (body.gzipped) headers['content-encoding'] = 'gzip';
    }
    if (spec.idempotencyKey !== undefined) headers[IDEMPOTENCY_HEADER] = spec.idempotencyKey;

    // The timeout runs on the injected clock (or its own), so a time-compressed test can compress it too. It covers the
    // whole exchange, body included: a server that stalls mid-body is as stuck as one that never answers.
    const attemptCtl = new AbortController();
    const stopTimer = new AbortController();
    let timedOut = false;
    (this.o.timeoutClock ?? clock).sleep(this.o.timeoutMs, stopTimer.signal).then(
      () => {
        timedOut = true;
        attemptCtl.abort(new Error('timeout'));
      },
      () => undefined,
    );
    // Joined by hand rather than with AbortSignal.any: an uploader passes one long-lived signal to
    // thousands of calls, and the listener is removed again after each attempt.
    const onCallerAbort = (): void => attemptCtl.abort(spec.signal?.reason);
    spec.signal?.addEventListener('abort', onCallerAbort, { once: true });
    const signal = attemptCtl.signal;

    let res: Response;
    let raw: Uint8Array;
    try {
      if (body) this.stats.bytesSent += body.bytes.byteLength;
      // Never follow a redirect: it would carry the key to a host the engineer did not enter it for.
      res = await fetch(url, { method: spec.method, headers, body: body?.bytes ?? null, signal, redirect: 'manual' });
      raw = new Uint8Array(await res.arrayBuffer());
    } catch (e) {
      const status = null;
      this.report(spec, status, attempt, started);
      if (spec.signal?.aborted) throw this.aborted(spec);
      if (timedOut) {
        throw new TwinEdgeApiError({
          kind: 'timeout',
          message: `${spec.method} ${spec.path}: no answer within ${this.o.timeoutMs} ms`,
          userMessage: `TwinEdge at ${this.host} did not answer within ${shortDuration(this.o.timeoutMs)}`,
          method: spec.method,
          path: spec.path,
        });
      }
      const networkCode = networkCodeOf(e);
      const reason = networkReason(networkCode);
      throw new TwinEdgeApiError({
        kind: 'network',
        message: this.scrub(`${spec.method} ${spec.path}: ${errorText(e)}`, key),
        userMessage: `Cannot reach TwinEdge at ${this.host}: ${reason}`,
        method: spec.method,
        path: spec.path,
        ...(networkCode !== undefined ? { networkCode } : {}),
      });
    } finally {
      stopTimer.abort();
      spec.signal?.removeEventListener('abort', onCallerAbort);
    }

    const now = clock.now();
    const contentLength = Number(res.headers.get('content-length'));
    this.stats.bytesReceived += Number.isFinite(contentLength) && contentLength > 0 ? contentLength : raw.byteLength;
    this.report(spec, res.status, attempt, started);
    const rl = parseRateLimit(res.headers, now);
    if (rl) {
      this.rateLimit = rl;
      this.observe(() => this.o.onRateLimit?.(rl));
    }
    const requestId = res.headers.get('x-request-id') ?? undefined;
    const text = new TextDecoder().decode(raw);

    if (res.status >= 400) throw this.httpError(spec, res, text, rl, now, key, requestId);
    if (res.status >= 300 && res.status < 400) throw this.redirected(spec, res, requestId);
    if (res.status < 200 || res.status >= 300) {
      throw this.invalid(spec, `unexpected status ${res.status}`, key, res.status, requestId);
    }
    return this.success(spec, res.status, text, key, requestId);
  }

  private success<T>(
    spec: RequestSpec<T>,
    status: number,
    text: string,
    key: string,
    requestId: string | undefined,
  ): ApiResponse<T> {
    let json: unknown;
    if (text.trim() === '') {
      if (!spec.allowEmpty && spec.envelope !== false) throw this.invalid(spec, 'empty body', key, status, requestId);
      json = undefined;
    } else {
      try {
        json = JSON.parse(text);
      } catch {
        if (spec.envelope !== false) throw this.invalid(spec, 'body is not JSON', key, status, requestId);
        // The caller reads undocumented answers itself: it gets the start of the text to say what came.
        json = this.scrub(text.slice(0, 200), key);
      }
    }
    if (spec.envelope === false || json === undefined) {
      const whole = spec.schema.safeParse(json);
      if (!whole.success) throw this.invalid(spec, 'empty body', key, status, requestId);
      return { data: whole.data, meta: null, status };
    }
    if (typeof json !== 'object' || json === null || !('data' in json)) {
      throw this.invalid(spec, 'no {data, meta} envelope', key, status, requestId);
    }
    const env = json as { data: unknown; meta?: unknown };
    const parsed = spec.schema.safeParse(env.data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = fieldPath('data', issue?.path ?? []);
      throw this.invalid(spec, `field ${where}: ${issue?.message ?? 'invalid'}`, key, status, requestId, where);
    }
    const skipped = spec.skipped?.(parsed.data);
    if (skipped) this.misread(spec, status, skipped, key);
    let meta: PageMeta | null = null;
    if (spec.paged || env.meta !== undefined) {
      const m = PageMeta.safeParse(env.meta);
      if (m.success) meta = m.data;
      else if (spec.paged) {
        // A list without usable meta is still a list: the caller treats it as the only page.
        const issue = m.error.issues[0];
        this.misread(spec, status, `${fieldPath('meta', issue?.path ?? [])}: ${issue?.message ?? 'invalid'}`, key);
      }
    }
    return { data: parsed.data, meta, status };
  }

  private misread(spec: RequestSpec<unknown>, status: number, what: string, key: string): void {
    const info: MisreadInfo = { method: spec.method, path: spec.path, status, what: this.scrub(what, key) };
    this.observe(() => this.o.onMisread?.(info));
  }

  private redirected(spec: RequestSpec<unknown>, res: Response, requestId: string | undefined): TwinEdgeApiError {
    let where = 'another address';
    try {
      const location = res.headers.get('location');
      if (location) where = new URL(location, this.base).host;
    } catch {
      // An unparsable Location says no more than its absence.
    }
    return new TwinEdgeApiError({
      kind: 'http',
      status: res.status,
      code: 'REDIRECT',
      message: `${spec.method} ${spec.path}: ${res.status} redirect to ${where} (not followed)`,
      userMessage: `TwinEdge at ${this.host} redirects to ${where}; the API key is not sent there. If TwinEdge has moved, enter the new address and the key in Settings`,
      method: spec.method,
      path: spec.path,
      ...(requestId !== undefined ? { requestId } : {}),
    });
  }

  private httpError(
    spec: RequestSpec<unknown>,
    res: Response,
    text: string,
    rl: RateLimitState | null,
    now: number,
    key: string,
    requestId: string | undefined,
  ): TwinEdgeApiError {
    let code: string | null = null;
    let serverMessage: string | null = null;
    let details: ApiErrorDetails = null;
    try {
      const body = ErrorAnswer.safeParse(JSON.parse(text));
      if (body.success) {
        code = body.data.error.code ?? null;
        serverMessage = body.data.error.message === undefined ? null : this.scrub(body.data.error.message, key);
        const d = readDetails(body.data.error.details);
        details = d === null ? null : this.scrubDetails(d, key);
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
  }

  private invalid(
    spec: RequestSpec<unknown>,
    what: string,
    key: string,
    status: number,
    requestId: string | undefined,
    field?: string,
  ): TwinEdgeApiError {
    const said = this.scrub(what, key);
    return new TwinEdgeApiError({
      kind: 'invalid_response',
      status,
      message: `${spec.method} ${spec.path}: unexpected response: ${said}`,
      userMessage: `TwinEdge at ${this.host} sent an answer this version of TwinEdge Desktop does not understand (${said})`,
      details: field !== undefined ? { field } : null,
      method: spec.method,
      path: spec.path,
      ...(requestId !== undefined ? { requestId } : {}),
    });
  }

  private aborted(spec: RequestSpec<unknown>): TwinEdgeApiError {
    return new TwinEdgeApiError({
      kind: 'aborted',
      message: `${spec.method} ${spec.path}: cancelled`,
      userMessage: 'The request to TwinEdge was cancelled',
      method: spec.method,
      path: spec.path,
    });
  }

  /** A bug of ours inside an attempt: reported as a network-free, non-retried failure. */
  private unexpected(spec: RequestSpec<unknown>, e: unknown): TwinEdgeApiError {
    return new TwinEdgeApiError({
      kind: 'invalid_response',
      message: `${spec.method} ${spec.path}: ${e instanceof Error ? e.message : String(e)}`,
      userMessage: `TwinEdge Desktop failed to process the answer from ${this.host}`,
      method: spec.method,
      path: spec.path,
    });
  }

  private report(spec: RequestSpec<unknown>, status: number | null, attempt: number, started: number): void {
    const info: RequestInfo = {
      method: spec.method,
      path: spec.path,
      status,
      attempt,
      durationMs: this.o.clock.now() - started,
    };
    this.observe(() => this.o.onRequest?.(info));
  }

  /** Observers (logging, UI) must not turn a good answer into a failed call. */
  private observe(f: () => void): void {
    try {
      f();
    } catch {
      // The observer's own problem; the request itself went fine.
    }
  }

  /** A server that echoes the Authorization header into an error must not leak the key into our logs. */
  private scrub(s: string, key: string): string {
    return key.length >= 4 ? s.split(key).join('[redacted]') : s;
  }

  private scrubDetails(d: NonNullable<ApiErrorDetails>, key: string): NonNullable<ApiErrorDetails> {
    const json = JSON.stringify(d);
    if (key.length < 4 || !json.includes(key)) return d;
    try {
      return JSON.parse(this.scrub(json, key)) as NonNullable<ApiErrorDetails>;
    } catch {
      return { redacted: true };
    }
  }
}
