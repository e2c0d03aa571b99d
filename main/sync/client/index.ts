/**
 * The TwinEdge client's public API: import from here, not from the files behind it.
 *
 *   const client = new TwinEdgeClient({ baseUrl: 'http://127.0.0.1:8480/v1', apiKey: () => keychain.read() });
 *   const devices = await client.listAll((page) => client.listDevices({ page, per_page: 100 }));
 *   await client.ingest(points, { idempotencyKey: batchId });
 *
 * Failures are TwinEdgeApiError: branch on `kind` ('http' | 'network' | 'timeout' | 'invalid_response' |
 * 'aborted') and on `status`/`code`; show `userMessage`. A missing key is kind 'http', status null, code
 * 'NO_API_KEY' (no request is sent). Retries (network, timeout, 429, 5xx; plain POSTs only when the server
 * certainly did not act) happen inside each call; a server-advised wait longer than `maxRetryAfterMs`
 * fails the call at once with `retryAfterMs` set, for the caller to schedule.
 */
export { TwinEdgeClient, type TwinEdgeClientOptions } from './twinedge-client.js';
export {
  TwinEdgeApiError,
  isRetryable,
  isTwinEdgeApiError,
  type ApiErrorDetails,
  type FieldErrorDetail,
} from './api-error.js';
export { parseRateLimit, waitFromRateLimit } from './rate-limit.js';
export {
  backoffDelay,
  defaultBackoff,
  mayRetry,
  parseRetryAfter,
  type BackoffOptions,
  type HttpMethod,
} from './retry.js';
export { listAll, pages, type PagesOptions } from './pages.js';
export type { ApiKeySource, RequestInfo, TransportStats } from './request.js';
export type {
  ApiErrorKind,
  CallOptions,
  EncodedBatch,
  IngestOptions,
  Page,
  PageQuery,
  RateLimitState,
  TwinEdgeCloudApi,
} from './client-api.js';
