// What one API call asks of the transport (method, path, body, how to read the answer) and what it gets back.
import type { z } from 'zod';
import type { PageMeta } from '../api/model.js';
import type { HttpMethod } from './retry.js';

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
