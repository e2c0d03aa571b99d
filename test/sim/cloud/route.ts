import type { IncomingHttpHeaders } from 'node:http';
import type { Scope } from '../../../main/domain/cloud/account.js';
import type { ApiKey } from './keys.js';
import type { SimState } from './state.js';

export interface Ctx {
  state: SimState;
  key: ApiKey;
  params: Record<string, string>;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body (decompressed), undefined when empty. */
  body: unknown;
  /** Clock time when the request was handled, epoch ms. */
  now: number;
  /** This route's answer in the dialect's wire form (for answers remembered as sent, e.g. idempotent replays). */
  render: (answer: Answer) => Answer;
}

export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Already in the dialect's wire form (rendered before it was remembered): the server sends it as is. */
  final?: boolean;
}

/** What a route's `data` holds, so a dialect knows how to render it. */
export type Resource =
  | 'key'
  | 'telemetry_row'
  | 'ingest_result'
  | 'device'
  | 'deletion'
  | 'dashboard'
  | 'alert_rule'
  | 'alert_event'
  | 'ml_model'
  | 'training_job'
  | 'prediction';

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path template below /v1, e.g. /devices/{id}. */
  template: string;
  /** The scope the document records (`x-twinedge-scope`); null = any valid key. */
  scope: Scope | null;
  /** The resource in the answer's `data` (one or a list); undefined = nothing a dialect renders. */
  holds?: Resource;
  handler: (ctx: Ctx) => Answer;
}

export const ok = (body: unknown, status = 200): Answer => ({ status, body });
