// How a Transport is set up (address, key source, timeouts, retries) and what it reports to its observers.
import type { Clock } from '../clock.js';
import type { RateLimitState } from './client-api.js';
import type { BackoffOptions, HttpMethod } from './retry.js';

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
