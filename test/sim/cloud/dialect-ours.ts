import type { DialectRules } from './dialect.js';

/** Today's simulator, as the OpenAPI document records it: the base the other dialects change. */
export const oursDialect = (): DialectRules => ({
  name: 'ours',
  offers: () => true,
  key: (key) => key,
  scopeFor: (route) => route.scope,
  deviceIdempotency: true,
  uniqueDeviceNames: true,
  numericIds: false,
  replayHeader: true,
  render: (_route, answer) => answer,
  renderError: (err) => ({ status: err.status, body: err.body(), headers: err.headers }),
});
