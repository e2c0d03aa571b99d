import type { Scope } from '../../../main/domain/cloud/account.js';
import { routeId, type DialectRules } from './dialect.js';
import { oursDialect } from './dialect-ours.js';

/**
 * The scopes every key gets in this dialect: write:telemetry alone, the least privilege an uploader needs. Not
 * read:telemetry as well: the case is "a key with write:telemetry only", and a client that needs to read
 * back what it wrote should find that out here rather than against the real service.
 */
export const STRICT_SCOPES: readonly Scope[] = ['write:telemetry'];

/** A service that keeps our additions to itself: `/auth/key` is not in the reference, so it does not exist. */
const notOffered = new Set(['GET /auth/key']);

/** Like ours, but every key may only write telemetry: /devices, alerts, dashboards and ML answer 403 FORBIDDEN. */
export const strictScopesDialect = (): DialectRules => {
  const ours = oursDialect();
  return {
    ...ours,
    name: 'strict-scopes',
    offers: (route) => !notOffered.has(routeId(route)),
    key: (key) => ({ ...key, scopes: [...STRICT_SCOPES] }),
    // The reference names no ML scope; our document files training under write:telemetry, which this key has.
    // A least-privilege reading keeps ML to admin keys, so the telemetry-only key is refused there too.
    scopeFor: (route) => (route.template.startsWith('/ml/') ? 'admin' : route.scope),
  };
};
