import { test as base, expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

export interface BrowserModeServer {
  /** The URL printed by the service, with ?token=. */
  url: string;
  origin: string;
  dataDir: string;
  proc: ChildProcess;
  /** Everything the service printed so far (stdout and stderr), for failure messages. */
  output(): string;
}

const READY_LINE = /TwinEdge browser mode: (https?:\/\/\S+)/;

/**
 * Starts `node dist/main/serve.js --port 0 --data-dir <fresh dir> [args]` and waits for its URL line. `env` adds to
 * the service's environment (e.g. a private keychain session's D-Bus address).
 */
export async function startServer(
  timeoutMs = 45_000,
  env: NodeJS.ProcessEnv = {},
  args: string[] = [],
  /** A data dir prepared beforehand (seeded store); removed by stopServer like a fresh one. */
  options: { dataDir?: string } = {},
): Promise<BrowserModeServer> {
  const serveJs = join(repoRoot, 'dist', 'main', 'serve.js');
  if (!existsSync(serveJs)) throw new Error(`${serveJs} is missing: run \`npm run build\` before the e2e tests`);
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'twinedge-e2e-'));
  const proc = spawn(process.execPath, [serveJs, '--port', '0', '--data-dir', dataDir, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'test', ...env },
  });
  let out = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`browser mode did not print its URL within ${timeoutMs} ms. Output:\n${out}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const m = READY_LINE.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolveUrl(m[1]);
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`browser mode exited early (code ${code}, signal ${signal}). Output:\n${out}`));
    });
    proc.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  }).catch(async (err: unknown) => {
    await stopProcess(proc);
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  });
  return { url, origin: new URL(url).origin, dataDir, proc, output: () => out };
}

async function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 8_000);
  await exited;
  clearTimeout(timer);
}

export async function stopServer(s: BrowserModeServer): Promise<void> {
  await stopProcess(s.proc);
  rmSync(s.dataDir, { recursive: true, force: true });
}

export interface PageProblems {
  /** Console errors, page errors and CSP violations seen so far. */
  readonly seen: string[];
  /** Problems matching this pattern are expected in this test. */
  allow(pattern: RegExp): void;
}

interface Fixtures {
  server: BrowserModeServer;
  /** Checked after each test: the page must not log errors (CSP violations are console errors). */
  pageProblems: PageProblems;
}

export const test = base.extend<Fixtures>({
  // eslint-disable-next-line no-empty-pattern
  server: async ({}, use, testInfo) => {
    const s = await startServer();
    await use(s);
    await stopServer(s);
    await testInfo.attach('service-output.txt', { body: s.output(), contentType: 'text/plain' });
  },
  pageProblems: [
    // Depends on the server so it is torn down (and checks) before the server stops: a page whose service
    // went away at the end of a test logs reconnect errors that are not the test's.
    async ({ page, server: _server }, use) => {
      const seen: string[] = [];
      const allowed: RegExp[] = [];
      page.on('console', (msg) => {
        if (msg.type() === 'error') seen.push(`console error: ${msg.text()}`);
      });
      page.on('pageerror', (err) => seen.push(`page error: ${err.message}`));
      await use({ seen, allow: (p) => void allowed.push(p) });
      const unexpected = seen.filter((p) => !allowed.some((a) => a.test(p)));
      expect(unexpected, 'the page logged errors or CSP violations').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** Opens the app the way a new user does: the printed URL with its token. */
export async function openApp(page: Page, server: BrowserModeServer): Promise<void> {
  await page.goto(server.url);
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
}

export const demoDevices = ['Demo pump skid (OPC UA)', 'Demo pump skid (Modbus)'] as const;

/** An export file's name with its UTC export time as "<time>": "twinedge-trend-<time>.png" (one pattern for all). */
export const exportNameShape = (name: string): string => name.replace(/-\d{4}-\d{2}-\d{2}T\d{6}Z\./, '-<time>.');
