import type { IncomingMessage } from 'node:http';
import { tokenMatches } from './token.js';

export interface AuthPolicy {
  token: string;
  /** Host header values this server answers to (blocks DNS-rebinding pages from other sites). */
  allowedHosts: ReadonlySet<string>;
  /** Cookie carrying the token after the first visit; named per port so instances don't collide. */
  cookieName: string;
}

const cookieValue = (req: IncomingMessage, name: string): string | undefined => {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
};

export const queryToken = (req: IncomingMessage): string | null =>
  new URL(req.url ?? '/', 'http://x').searchParams.get('token');

export type AuthResult = { ok: true; viaQuery: boolean } | { ok: false; status: 401 | 403; reason: string };

/** Checks Host and token (query or cookie) for any HTTP request or WebSocket upgrade. */
export const authorize = (req: IncomingMessage, policy: AuthPolicy): AuthResult => {
  if (!policy.allowedHosts.has((req.headers.host ?? '').toLowerCase())) {
    return { ok: false, status: 403, reason: 'unexpected Host header' };
  }
  const fromQuery = queryToken(req);
  if (tokenMatches(policy.token, fromQuery)) return { ok: true, viaQuery: true };
  if (tokenMatches(policy.token, cookieValue(req, policy.cookieName))) return { ok: true, viaQuery: false };
  return { ok: false, status: 401, reason: 'missing or wrong access token' };
};

/** A WebSocket must come from a page this server served: same scheme, host and port. */
export const originAllowed = (req: IncomingMessage, policy: AuthPolicy): boolean => {
  const origin = req.headers.origin;
  if (!origin) return false;
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' && policy.allowedHosts.has(url.host.toLowerCase());
  } catch {
    return false;
  }
};
