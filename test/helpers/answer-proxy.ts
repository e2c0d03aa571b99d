import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy forwards or answers in its place. */
export type ProxyAnswer = { status: number; headers?: Record<string, string>; body: string };

export interface ProxiedRequest {
  method: string;
  /** Path with query, as asked. */
  url: string;
  headers: IncomingHttpHeaders;
}

export interface AnswerProxy {
  /** Base URL of the proxy including the path prefix of `target` (e.g. http://127.0.0.1:PORT/v1). */
  url: string;
  port: number;
  /** Every request that reached the proxy. */
  seen: ProxiedRequest[];
  close(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of the simulator that lets a test change TwinEdge's answers: `answer` may
 * replace the answer before the request is forwarded (return it) or rewrite the forwarded one (`rewrite`).
 * For peers' answers the simulator does not give (an unreadable 2xx, a redirect, a status nobody documents).
 */
export const startAnswerProxy = async (
  target: string,
  o: {
    answer?: (req: ProxiedRequest, n: number) => ProxyAnswer | undefined;
    rewrite?: (req: ProxiedRequest, res: ProxyAnswer) => ProxyAnswer;
  },
): Promise<AnswerProxy> => {
  const seen: ProxiedRequest[] = [];
  const base = new URL(target);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: ProxiedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers };
      seen.push(r);
      const send = (a: ProxyAnswer): void => {
        res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
        res.end(a.body);
      };
      const replaced = o.answer?.(r, seen.length);
      if (replaced) return send(replaced);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
      }
      const body = Buffer.concat(chunks);
      fetch(`${base.origin}${r.url}`, {
        method: r.method,
        headers,
        ...(body.byteLength > 0 ? { body } : {}),
        redirect: 'manual',
      })
        .then(async (up) => {
          const text = await up.text();
          const keep: Record<string, string> = {};
          up.headers.forEach((v, k) => {
            if (k.startsWith('x-ratelimit') || k === 'retry-after') keep[k] = v;
          });
          const forwarded: ProxyAnswer = { status: up.status, headers: keep, body: text };
          send(o.rewrite ? o.rewrite(r, forwarded) : forwarded);
        })
        .catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${base.pathname.replace(/\/+$/, '')}`,
    port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};
