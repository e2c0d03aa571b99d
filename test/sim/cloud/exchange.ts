/**
 * One request/response pair as the simulator saw it, with parsed JSON bodies (a gzip request body is given
 * decompressed). The OpenAPI validator (test/helpers/openapi.ts) checks exchanges of this shape.
 */
export interface Exchange {
  method: string;
  /** With or without the /v1 prefix. */
  path: string;
  query: Record<string, string>;
  /** Header names in lower case. */
  requestHeaders: Record<string, string>;
  requestBody: unknown;
  status: number;
  /** Header names in lower case. */
  responseHeaders: Record<string, string>;
  responseBody: unknown;
}
