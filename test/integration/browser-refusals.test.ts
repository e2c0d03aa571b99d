import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { callNames } from '../../main/contract/wire.js';
import { createRouter, type Handlers } from '../../main/contract/router.js';
import { EventHub } from '../../main/app/event-hub.js';
import { startBrowserServer, type BrowserServer } from '../../main/server/browser-server.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { lineLogger } from '../helpers/line-logger.js';

const handlers = Object.fromEntries(callNames.map((n) => [n, () => ({})])) as unknown as Handlers;

describe('refused browser-mode logins', () => {
  const dir = tempDir();
  const lines: string[] = [];
  const log = lineLogger(lines, { debug: true });
  let server: BrowserServer;
  let base: string;

  beforeAll(async () => {
    mkdirSync(join(dir.path, 'assets'));
    writeFileSync(join(dir.path, 'index.html'), '<!doctype html><title>TwinEdge</title>');
    server = await startBrowserServer({
      router: createRouter(handlers),
      events: new EventHub(),
      rendererDir: dir.path,
      host: '127.0.0.1',
      port: 0,
      log,
      refusalWindowMs: 1000,
    });
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    await server.close();
    dir.remove();
  });

  it('are logged with the address: the first at once, then a count per window, never the offered token', async () => {
    expect((await fetch(`${base}/?token=near-miss-Zq81`)).status).toBe(401);
    expect(lines).toEqual([
      'WARN Browser mode: refused a request from 127.0.0.1 for /: missing or wrong access token.',
    ]);
    for (let i = 0; i < 20; i++) expect((await fetch(`${base}/assets/x.js?token=near-miss-Zq81`)).status).toBe(401);
    // A WebSocket without the token, and one from a foreign page with it.
    for (const headers of [
      { origin: base },
      { origin: 'http://evil.example', cookie: `twinedge_token_${server.port}=${server.token}` },
    ]) {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, { headers });
      await new Promise((r) => ws.once('error', r));
    }
    // Counted, not logged one by one: summary lines (one per window; a loaded machine may need two) add up.
    const counted = (): number =>
      lines
        .slice(1)
        .map((l) => Number(/Browser mode: (\d+) more refused requests? in the last 1 s /.exec(l)?.[1] ?? NaN))
        .reduce((a, b) => a + b, 0);
    await waitFor(() => counted() >= 22, 10_000, 'the summary lines');
    expect(counted()).toBe(22);
    expect(lines.length).toBeLessThanOrEqual(3);
    expect(lines.at(-1)).toMatch(/ from 127\.0\.0\.1 \(\d+\)\.$/);
    expect(lines.join('\n')).toMatch(/\(missing or wrong access token; the page is not from this server \(Origin\)\)/);
    // A quiet window ends the counting: the next refusal is logged at once again.
    const before = lines.length;
    await new Promise((r) => setTimeout(r, 2500));
    expect(lines).toHaveLength(before);
    expect((await fetch(`${base}/`)).status).toBe(401);
    expect(lines[before]).toMatch(/^WARN Browser mode: refused a request from 127\.0\.0\.1 for \/: missing or wrong/);
    expect(lines.join('\n')).not.toContain('near-miss-Zq81');
    expect(lines.join('\n')).not.toContain(server.token);
    // An authorized request is not a refusal.
    expect((await fetch(server.url)).status).toBe(200);
    expect(lines).toHaveLength(before + 1);
  });
});
