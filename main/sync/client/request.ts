// Facade: the sync client's HTTP transport, split by concept into the files below; importers keep this path.
export { GZIP_THRESHOLD_BYTES, decodeBody, encodeJson, isEncodedBody, type EncodedBody } from './body-encoding.js';
export type { ApiResponse, QueryValue, RequestSpec } from './request-spec.js';
export type { ApiKeySource, MisreadInfo, RequestInfo, TransportOptions, TransportStats } from './transport-options.js';
export { Transport } from './transport.js';
