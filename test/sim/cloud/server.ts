import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ingestLimits, rateLimitHeaders } from '../../../main/sync/api/model.js';
import { type Tier } from '../../../main/domain/cloud/account.js';
import { ApiError } from './api-error.js';
import { readJsonBody } from './body.js';
import type { Exchange } from './exchange.js';
import type { Faults, FaultInjector } from './faults.js';
import { bearerToken, hasScope } from './keys.js';
import type { RateLimiter } from './rate-limiter.js';
import { matchRoute } from './router.js';
import type { Answer } from './route.js';
import type { SimState } from './state.js';

export interface ServerDeps {
  state: SimState;
  limiter: RateLimiter;
  faults: FaultInjector;
  onExchange?: (ex: Exchange) => void;
  /** Extra JSON routes outside /v1 (the simulator's control surface), loopback only, no auth. */
  control: (method: string, path: string, body: unknown) => Answer | undefined;
}

/** Budget figures for answers to requests without a valid key (they are not counted against anyone). */
const ANONYMOUS_TIER: Tier = 'trial';
const isLoopback = (addr: string | undefined): boolean =>
  addr === '127.0.0.1' || addr === '::1' || addr === '::ffff:127.0.0.1';

const flatHeaders = (h: IncomingMessage['headers']): Record<string, string> =>
  Object.fromEntries(
    Object.entries(h)
      .filter((e): e is [string, string | string[]] => e[1] !== undefined)
      .map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(', ') : v]),
  );

/** The HTTP front: auth, budget, faults, body, handler, dialect rendering; one exchange record per answer. */
export const createSimServer = (deps: ServerDeps): Server => {
  const { state, limiter, faults } = deps;
  const { dialect } = state;
  const server = createServer((req, res) => {
    void handle(req, res).catch(() => res.destroy());
  });
  // An outage refuses service at the socket: the client sees a reset, never an HTTP answer.
  server.on('connection', (socket) => {
    if (faults.current.down) socket.resetAndDestroy();
  });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (faults.current.down) {
      req.socket.destroy();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    if (url.pathname.startsWith('/__sim/')) return control(req, res, method, url.pathname);

    state.counters.requests++;
    const query = Object.fromEntries(url.searchParams.entries());
    const requestHeaders = flatHeaders(req.headers);
    let requestBody: unknown;
    let headers: Record<string, string> = limiter.check(null, ANONYMOUS_TIER).headers;

    const send = (answer: Answer): void => {
      // An answer without a body (a dialect's bare 202) has no content type either.
      const responseHeaders: Record<string, string> = {
        ...headers,
        ...answer.headers,
        ...(answer.body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
      };
      state.counters.byStatus[answer.status] = (state.counters.byStatus[answer.status] ?? 0) + 1;
      res.writeHead(answer.status, responseHeaders);
      res.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
      deps.onExchange?.({
        method,
        path: url.pathname,
        query,
        requestHeaders,
        requestBody,
        status: answer.status,
        responseHeaders,
        responseBody: answer.body,
      });
    };
    const sendError = (err: ApiError): void => send(dialect.renderError(err));
    const drop = (): void => {
      state.counters.dropped++;
      req.socket.destroy();
    };

    try {
      const latency = faults.latency();
      if (latency > 0) await state.clock.sleep(latency);
      if (!url.pathname.startsWith('/v1/')) throw new ApiError(404, 'NOT_FOUND', `No API at ${url.pathname}`);
      const match = matchRoute(method, url.pathname.slice(3));
      // A route the dialect does not offer is answered exactly like one that does not exist.
      if (!match.route || !dialect.offers(match.route)) {
        throw new ApiError(404, 'NOT_FOUND', `No operation ${method} ${url.pathname}`);
      }
      const route = match.route;

      const token = bearerToken(requestHeaders.authorization);
      const stored = token ? state.keys.find(token) : undefined;
      const key = stored ? dialect.key(stored) : undefined;
      if (!key) throw new ApiError(401, 'UNAUTHORIZED', token ? 'Invalid API key' : 'Missing API key');

      const budget = limiter.check(key.id, key.tier);
      headers = budget.headers;
      if (!budget.allowed) {
        state.counters.rateLimited++;
        throw new ApiError(429, 'RATE_LIMITED', 'Rate limit exceeded', undefined, {
          [rateLimitHeaders.retryAfter]: String(budget.retryAfter),
        });
      }
      if (faults.inject429()) {
        state.counters.injected429++;
        throw new ApiError(429, 'RATE_LIMITED', 'Rate limit exceeded (injected)', undefined, {
          [rateLimitHeaders.retryAfter]: '1',
        });
      }
      budget.consume();
      const scope = dialect.scopeFor(route);
      if (!hasScope(key, scope)) {
        throw new ApiError(403, 'FORBIDDEN', `This key lacks the scope ${scope ?? ''}`, { required_scope: scope });
      }
      if (method === 'POST' || method === 'PUT') {
        requestBody = (await readJsonBody(req, ingestLimits.maxBodyBytes)).json;
      }

      const plan = faults.plan();
      if (plan.kind === 'drop' && !plan.afterApply) return drop();
      if (plan.kind === '5xx' && !plan.afterApply) {
        state.counters.injected5xx++;
        throw injected5xx(plan.status);
      }
      const ctx = {
        state,
        key,
        params: match.params,
        query,
        headers: req.headers,
        body: requestBody,
        now: state.clock.now(),
        render: (answer: Answer) => dialect.render(route, answer),
      };
      const answer = route.handler(ctx);
      if (plan.kind === 'drop') return drop();
      if (plan.kind === '5xx') {
        state.counters.injected5xx++;
        throw injected5xx(500);
      }
      // The render step: handlers answer in ours' shape, the dialect turns it into its own on the way out.
      send(answer.final ? answer : ctx.render(answer));
    } catch (err) {
      if (err instanceof ApiError) sendError(err);
      else sendError(new ApiError(500, 'INTERNAL_ERROR', 'Internal error', { reason: String(err) }));
    }
  };

  const control = async (req: IncomingMessage, res: ServerResponse, method: string, path: string): Promise<void> => {
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    if (!isLoopback(req.socket.remoteAddress))
      return reply(403, { error: { code: 'FORBIDDEN', message: 'loopback only' } });
    let body: unknown;
    try {
      if (method === 'POST') body = (await readJsonBody(req, 64 * 1024)).json;
    } catch (err) {
      return reply(
        400,
        err instanceof ApiError ? err.body() : { error: { code: 'VALIDATION_ERROR', message: String(err) } },
      );
    }
    const answer = deps.control(method, path, body);
    if (!answer) return reply(404, { error: { code: 'NOT_FOUND', message: `No control route ${method} ${path}` } });
    reply(answer.status, answer.body);
  };

  return server;
};

const injected5xx = (status: 500 | 503): ApiError =>
  status === 503
    ? new ApiError(503, 'SERVICE_UNAVAILABLE', 'Service unavailable (injected)', undefined, {
        [rateLimitHeaders.retryAfter]: '2',
      })
    : new ApiError(500, 'INTERNAL_ERROR', 'Internal error (injected)');

export type { Faults };
