import type { Scope } from '../../../main/domain/cloud/account.js';
import type { ApiError } from './api-error.js';
import { minimalDialect } from './dialect-minimal.js';
import { noisyDialect } from './dialect-noisy.js';
import { oursDialect } from './dialect-ours.js';
import { strictScopesDialect } from './dialect-strict-scopes.js';
import type { ApiKey } from './keys.js';
import type { Answer, Route } from './route.js';

/**
 * Readings of the vendor reference the simulator can answer in. The reference leaves most shapes open, so a
 * client must work against each of them; `ours` is the one our OpenAPI document records.
 */
export const dialects = ['ours', 'minimal', 'strict-scopes', 'noisy'] as const;
export type Dialect = (typeof dialects)[number];

export const isDialect = (raw: string): raw is Dialect => (dialects as readonly string[]).includes(raw);

/**
 * Everything a dialect may change. Rate limiting, faults, ingest idempotency and the telemetry store are shared
 * by all of them, so conformance tests can demand the same outcome (every point once) from every dialect.
 */
export interface DialectRules {
  readonly name: Dialect;
  /** False: the route answers 404 NOT_FOUND, as a path the service does not have. */
  offers(route: Route): boolean;
  /** The key as this service sees it (a dialect may grant fewer scopes than asked for). */
  key(key: ApiKey): ApiKey;
  /** The scope a route needs in this dialect (default: the one the route records). */
  scopeFor(route: Route): Scope | null;
  /** POST /devices replays a repeated Idempotency-Key (and refuses it with another body). */
  readonly deviceIdempotency: boolean;
  /** POST/PUT /devices answer 409 CONFLICT for a name already taken. */
  readonly uniqueDeviceNames: boolean;
  /** Ids are decimal numbers ("1001"), rendered as JSON numbers; else prefixed UUIDs ("dev-…"). */
  readonly numericIds: boolean;
  /** A replayed answer carries `Idempotent-Replayed: true`. */
  readonly replayHeader: boolean;
  /** A handler's answer (canonical, ours-shaped) in this dialect's wire form. */
  render(route: Route, answer: Answer): Answer;
  /** An error in this dialect's wire form. */
  renderError(err: ApiError): Answer;
}

/** Fresh rules per simulator: some dialects keep per-instance counters (minimal's rotating ingest answers). */
export const createDialect = (name: Dialect): DialectRules => {
  switch (name) {
    case 'ours':
      return oursDialect();
    case 'minimal':
      return minimalDialect();
    case 'strict-scopes':
      return strictScopesDialect();
    case 'noisy':
      return noisyDialect();
  }
};

/** `GET /auth/key` style identity of a route, for the dialects' lists of routes they do not offer. */
export const routeId = (route: Route): string => `${route.method} ${route.template}`;
