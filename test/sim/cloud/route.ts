import type { IncomingHttpHeaders } from 'node:http';
import type { Scope } from '../../../main/sync/api/model.js';
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
}

export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path template below /v1, e.g. /devices/{id}. */
  template: string;
  /** The scope the document records (`x-twinedge-scope`); null = any valid key. */
  scope: Scope | null;
  handler: (ctx: Ctx) => Answer;
}

export const ok = (body: unknown, status = 200): Answer => ({ status, body });
