import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { callNames, type ServerMessage } from '../../main/contract/wire.js';
import { createRouter, type Handlers } from '../../main/contract/router.js';
import { EventHub } from '../../main/app/event-hub.js';
import { startBrowserServer, type BrowserServer } from '../../main/server/browser-server.js';
import { contentSecurityPolicy, securityHeaders } from '../../main/server/security-headers.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const info = {
  name: 'TwinEdge Desktop',
  version: 't',
  shell: 'browser' as const,
  dataDir: '/d',
  storePath: '/d/s',
  timeZone: 'UTC',
  demo: { enabled: false, running: false, opcuaEndpoint: null, modbusEndpoint: null, error: null, notice: null },
};
const handlers = Object.fromEntries(
  callNames.map((n) => [
    n,
    () => {
      throw new Error(`${n} not used here`);
    },
  ]),
) as unknown as Handlers;
handlers['app.info'] = () => info;

const wsOpen = (url: string, headers: Record<string, string>): Promise<WebSocket> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });

describe('browser mode server', () => {
  const dir = tempDir();
  const events = new EventHub();
  let server: BrowserServer;
  let base: string;
  let cookie: string;

  beforeAll(async () => {
    mkdirSync(join(dir.path, 'assets'));
    writeFileSync(join(dir.path, 'index.html'), '<!doctype html><title>TwinEdge</title>');
    writeFileSync(join(dir.path, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(dir.path, '..', 'secret.txt'), 'outside');
    server = await startBrowserServer({
      router: createRouter(handlers),
      events,
      rendererDir: dir.path,
      host: '127.0.0.1',
      port: 0,
    });
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    await server.close();
    dir.remove();
  });

  it('prints a loopback URL carrying a long random token', () => {
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=[A-Za-z0-9_-]{32}$`));
  });

  it('refuses a request without the token, or with a wrong one', async () => {
    for (const url of [`${base}/`, `${base}/assets/app.js`, `${base}/?token=wrong`]) {
      const res = await fetch(url);
      expect(res.status).toBe(401);
      expect(await res.text()).toMatch(/Open the URL that TwinEdge printed/);
    }
  });

  it('serves the app with the token, sets a cookie and security headers', async () => {
    const res = await fetch(server.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(cookie).toBe(`twinedge_token_${server.port}=${server.token}`);
    const asset = await fetch(`${base}/assets/app.js`, { headers: { cookie } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
  });

  it('sends the shared CSP and the other security headers on every answer, refusals included', async () => {
    const answers = [
      await fetch(server.url),
      await fetch(`${base}/`),
      await fetch(`${base}/missing.js`, { headers: { cookie } }),
      await fetch(server.url, { method: 'POST', body: '{}' }),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 401, 404, 405]);
    for (const res of answers) {
      expect(res.headers.get('content-security-policy')).toBe(contentSecurityPolicy);
      for (const [name, value] of Object.entries(securityHeaders)) expect(res.headers.get(name), name).toBe(value);
    }
  });

  it('refuses other methods than GET and HEAD, with or without the token', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const res = await fetch(server.url, { method, headers: { cookie } });
      expect(res.status, method).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD');
    }
  });

  it("refuses another port's cookie, a token one character off, a longer one and an empty one", async () => {
    const other = `twinedge_token_${server.port + 1}=${server.token}`;
    expect((await fetch(`${base}/`, { headers: { cookie: other } })).status).toBe(401);
    const last = server.token.slice(-1);
    const offByOne = `${server.token.slice(0, -1)}${last === 'A' ? 'B' : 'A'}`;
    for (const token of [offByOne, `${server.token}A`, '']) {
      expect((await fetch(`${base}/?token=${token}`)).status, token).toBe(401);
    }
  });

  it('never serves files outside the renderer folder', async () => {
    const res = await fetch(`${base}/..%2fsecret.txt`, { headers: { cookie } });
    expect(res.status).toBe(404);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    // fetch() may not set Host; a raw request can, as a rebinding attacker's browser would.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      request(
        { host: '127.0.0.1', port: server.port, path: `/?token=${server.token}`, headers: { host: 'evil.example' } },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      )
        .on('error', reject)
        .end();
    });
    expect(status).toBe(403);
  });

  it('refuses a WebSocket without the token', async () => {
    await expect(wsOpen(`ws://127.0.0.1:${server.port}/ws`, { origin: base })).rejects.toThrow('HTTP 401');
  });

  it('refuses a cross-origin WebSocket even with the token', async () => {
    await expect(wsOpen(`ws://127.0.0.1:${server.port}/ws`, { origin: 'http://evil.example', cookie })).rejects.toThrow(
      'HTTP 403',
    );
    await expect(wsOpen(`ws://127.0.0.1:${server.port}/ws`, { cookie })).rejects.toThrow('HTTP 403');
  });

  it('accepts a WebSocket only from the Origin of a page it served', async () => {
    const url = `ws://127.0.0.1:${server.port}/ws`;
    for (const origin of [
      'null',
      `https://127.0.0.1:${server.port}`,
      `http://127.0.0.1:${server.port + 1}`,
      `http://127.0.0.1.evil.example:${server.port}`,
      'file://',
      'not an origin',
    ]) {
      await expect(wsOpen(url, { origin, cookie }), origin).rejects.toThrow('HTTP 403');
    }
    // The loopback names of this server are its own origins; the token may come in the query instead.
    for (const origin of [base, `http://localhost:${server.port}`, `http://[::1]:${server.port}`]) {
      const ws = await wsOpen(url, { origin, cookie });
      ws.close();
    }
    const viaQuery = await wsOpen(`${url}?token=${server.token}`, { origin: base });
    viaQuery.close();
    await expect(wsOpen(`ws://127.0.0.1:${server.port}/other`, { origin: base, cookie })).rejects.toThrow('HTTP 404');
  });

  it('serves calls and pushes events to an authorized same-origin WebSocket', async () => {
    const ws = await wsOpen(`ws://127.0.0.1:${server.port}/ws`, { origin: base, cookie });
    const messages: ServerMessage[] = [];
    ws.on('message', (m) => messages.push(JSON.parse((m as Buffer).toString('utf8')) as ServerMessage));
    ws.send(JSON.stringify({ t: 'call', id: 1, name: 'app.info', input: {} }));
    ws.send(JSON.stringify({ t: 'call', id: 2, name: 'devices.delete', input: { id: 'x' } }));
    await new Promise((r) => setTimeout(r, 200));
    events.emit('devices.changed', { at: 5 });
    await new Promise((r) => setTimeout(r, 100));
    expect(messages).toContainEqual({ t: 'result', id: 1, result: { ok: true, value: info } });
    const bad = messages.find((m) => m.t === 'result' && m.id === 2);
    expect(bad).toMatchObject({ result: { ok: false, error: { code: 'invalid_input', fields: [{ path: 'id' }] } } });
    expect(messages).toContainEqual({ t: 'event', name: 'devices.changed', payload: { at: 5 } });
    ws.close();
  });

  it('answers every message with an id, even one whose name is not a string, with a typed error', async () => {
    const ws = await wsOpen(`ws://127.0.0.1:${server.port}/ws`, { origin: base, cookie });
    const results: ServerMessage[] = [];
    ws.on('message', (m) => {
      const msg = JSON.parse((m as Buffer).toString('utf8')) as ServerMessage;
      if (msg.t === 'result') results.push(msg);
    });
    ws.send(JSON.stringify({ t: 'call', id: 7, name: 42 }));
    ws.send(JSON.stringify({ t: 'call', id: -8, name: { toString: 1 }, input: {} }));
    ws.send(JSON.stringify({ t: 'call', id: 9 }));
    await waitFor(() => results.length >= 3, 10_000, 'three answers');
    expect(results.map((r) => (r.t === 'result' ? [r.id, r.result.ok || r.result.error.code] : null))).toEqual([
      [7, 'unknown_call'],
      [-8, 'unknown_call'],
      [9, 'unknown_call'],
    ]);
    expect(ws.readyState).toBe(ws.OPEN);
    ws.close();
  });

  it('closes a socket that sends something other than a call, and keeps serving others', async () => {
    const ws = await wsOpen(`ws://127.0.0.1:${server.port}/ws`, { origin: base, cookie });
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.send('not json');
    expect(await closed).toBe(1003);
    const res = await fetch(server.url);
    expect(res.status).toBe(200);
  });

  it('names the port when it is already in use', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    await expect(
      startBrowserServer({ router: createRouter(handlers), events, rendererDir: dir.path, host: '127.0.0.1', port }),
    ).rejects.toThrow(`Port ${port} on 127.0.0.1 is already in use by another program`);
    blocker.close();
  });
});
