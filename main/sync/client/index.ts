// The TwinEdge client's public API: import from here, not from the files behind it.
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
  IngestOptions,
  Page,
  PageQuery,
  RateLimitState,
  TwinEdgeCloudApi,
} from './client-api.js';
