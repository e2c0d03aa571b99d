import net from 'node:net';

/**
 * Port helpers for the demo servers. node-opcua needs a concrete port before it starts (its
 * endpoint URL is built from it), so we ask the OS for a free one first. Never "check, then listen" on a preferred
 * port: another program can take it in between; listen and fall back on EADDRINUSE instead.
 */
export const freePort = (host = '127.0.0.1'): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });

/** True when nothing listens on host:port and we may bind it. */
export const portIsFree = (port: number, host = '127.0.0.1'): Promise<boolean> =>
  new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
