// The Transport: one HTTP call with retries on Node's fetch, reading the answer's envelope; the only holder of the key.
import { IDEMPOTENCY_HEADER, PageMeta } from '../api/model.js';
import { TwinEdgeApiError } from './api-error.js';
import { encodeJson, isEncodedBody, type EncodedBody } from './body-encoding.js';
import type { RateLimitState } from './client-api.js';
import { redactKey } from './key-redaction.js';
import { parseRateLimit } from './rate-limit.js';
import type { ApiResponse, QueryValue, RequestSpec } from './request-spec.js';
import { mayRetry, retryDelay } from './retry.js';
import {
  abortedError,
  fieldPath,
  httpError,
  invalidResponseError,
  keyUnreadableError,
  networkError,
  noKeyError,
  redirectError,
  timeoutError,
  unexpectedError,
} from './transport-errors.js';
import type { ApiKeySource, MisreadInfo, RequestInfo, TransportOptions, TransportStats } from './transport-options.js';

/**
 * One HTTP request with retries, on Node's global fetch. Everything the API key touches stays here: it is
 * read per call from `apiKey`, sent in the Authorization header, and scrubbed (key-redaction.ts) from anything
 * the server echoes back into an error.
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
      if (spec.signal?.aborted) throw abortedError(spec);
      try {
        return await this.attempt(spec, url, body, key, retry + 1);
      } catch (e) {
        const err = e instanceof TwinEdgeApiError ? e : unexpectedError(spec, this.host, e);
        if (retry >= this.o.maxRetries) throw err;
        const keyed = spec.idempotencyKey !== undefined && spec.retry !== 'unapplied';
        if (!mayRetry(err, spec.method, keyed)) throw err;
        if (err.retryAfterMs !== null && err.retryAfterMs > this.o.maxRetryAfterMs) throw err;
        const wait = retryDelay(err, retry, this.o.backoff, this.o.random);
        this.stats.retries++;
        try {
          await this.o.clock.sleep(wait, spec.signal);
        } catch {
          throw abortedError(spec);
        }
      }
    }
  }

  private async resolveKey(spec: RequestSpec<unknown>): Promise<string> {
    let key: string | null;
    try {
      key = typeof this.#apiKey === 'string' ? this.#apiKey : await this.#apiKey();
    } catch (e) {
      throw keyUnreadableError(spec, e);
    }
    if (!key || key.trim() === '') throw noKeyError(spec);
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
      if (spec.signal?.aborted) throw abortedError(spec);
      if (timedOut) throw timeoutError(spec, this.host, this.o.timeoutMs);
      throw networkError(spec, this.host, e, key);
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

    if (res.status >= 400) throw httpError(spec, res, text, rl, now, key, requestId);
    if (res.status >= 300 && res.status < 400) throw redirectError(spec, res, this.base, this.host, requestId);
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
        json = redactKey(text.slice(0, 200), key);
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
    const info: MisreadInfo = { method: spec.method, path: spec.path, status, what: redactKey(what, key) };
    this.observe(() => this.o.onMisread?.(info));
  }

  private invalid(
    spec: RequestSpec<unknown>,
    what: string,
    key: string,
    status: number,
    requestId: string | undefined,
    field?: string,
  ): TwinEdgeApiError {
    return invalidResponseError(spec, this.host, what, key, status, requestId, field);
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
}
