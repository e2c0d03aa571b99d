import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Router } from '../contract/router.js';
import type { EventHub } from '../app/event-hub.js';
import { AppError } from '../domain/errors/app-error.js';
import type { Logger } from '../log/logger.js';
import { isLoopbackHost } from './loopback.js';
import { RefusalLog } from './refusal-log.js';
import { authorize, originAllowed, type AuthPolicy } from './request-auth.js';
import { readStatic } from './static-files.js';
import { securityHeaders } from './security-headers.js';
import { newToken } from './token.js';
import { WsTransport } from './ws-transport.js';

export interface BrowserServerOptions {
  router: Router;
  events: EventHub;
  /** Folder of the built renderer (dist/renderer). */
  rendererDir: string;
  host: string;
  port: number;
  token?: string;
  /** Where refused logins are logged (rate-limited); none when omitted. */
  log?: Logger;
  /** Counting window of the refused-login summary (default one minute; tests shorten it). */
  refusalWindowMs?: number;
}

export interface BrowserServer {
  /** The URL to open, token included. */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

const listen = (server: Server, host: string, port: number): Promise<void> =>
  new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      if (err.code === 'EADDRINUSE') {
        reject(
          new AppError(
            'unavailable',
            `Port ${port} on ${host} is already in use by another program. Start with --port N to choose another port, or --port 0 for any free one.`,
          ),
        );
      } else if (err.code === 'EACCES') {
        reject(
          new AppError(
            'unavailable',
            `Not allowed to listen on port ${port} on ${host} (ports below 1024 need privileges).`,
          ),
        );
      } else if (err.code === 'EADDRNOTAVAIL') {
        reject(new AppError('unavailable', `${host} is not an address of this machine.`));
      } else reject(err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });

/**
 * Browser mode: the built renderer over HTTP and the contract over WebSocket, on loopback by default,
 * behind a per-run token. The caller decides whether a non-loopback host is allowed.
 */
export const startBrowserServer = async (options: BrowserServerOptions): Promise<BrowserServer> => {
  const token = options.token ?? newToken();
  const server = createServer();
  const transport = new WsTransport(options.router, options.events);
  await listen(server, options.host, options.port);
  const port = (server.address() as AddressInfo).port;
  const urlHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  const hosts = new Set([`${urlHost}:${port}`]);
  if (isLoopbackHost(options.host)) ['127.0.0.1', 'localhost', '[::1]'].forEach((h) => hosts.add(`${h}:${port}`));
  const policy: AuthPolicy = { token, allowedHosts: hosts, cookieName: `twinedge_token_${port}` };
  const refusals = options.log ? new RefusalLog(options.log, options.refusalWindowMs) : null;
  const pathOf = (req: IncomingMessage): string => new URL(req.url ?? '/', 'http://x').pathname;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...securityHeaders, Allow: 'GET, HEAD' }).end();
      return;
    }
    const auth = authorize(req, policy);
    if (!auth.ok) {
      refusals?.record(req.socket.remoteAddress, 'request', pathOf(req), auth.reason);
      res
        .writeHead(auth.status, { ...securityHeaders, 'Content-Type': 'text/plain; charset=utf-8' })
        .end(
          `TwinEdge: ${auth.reason}. Open the URL that TwinEdge printed when it started; it contains the access token.\n`,
        );
      return;
    }
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = await readStatic(options.rendererDir, path);
    if (!file) {
      res.writeHead(404, { ...securityHeaders, 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
      return;
    }
    const headers: Record<string, string> = {
      ...securityHeaders,
      'Content-Type': file.type,
      'Cache-Control': file.type.startsWith('text/html') ? 'no-store' : 'private, max-age=3600',
    };
    if (auth.viaQuery) {
      headers['Set-Cookie'] = `${policy.cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    }
    res.writeHead(200, headers).end(req.method === 'HEAD' ? undefined : file.body);
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, securityHeaders);
      res.end();
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
    const auth = authorize(req, policy);
    const path = pathOf(req);
    const origin = originAllowed(req, policy);
    if (path === '/ws' && (!auth.ok || !origin)) {
      const reason = !auth.ok ? auth.reason : 'the page is not from this server (Origin)';
      refusals?.record(req.socket.remoteAddress, 'WebSocket', path, reason);
    }
    if (path !== '/ws' || !auth.ok || !origin) {
      const status =
        path !== '/ws' ? '404 Not Found' : !auth.ok && auth.status === 401 ? '401 Unauthorized' : '403 Forbidden';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    transport.accept(req, socket, head);
  });

  return {
    url: `http://${urlHost}:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        transport.close();
        refusals?.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};
