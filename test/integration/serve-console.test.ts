import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logFileOf } from '../../main/log/logger.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const serveJs = join(import.meta.dirname, '..', '..', 'dist', 'main', 'serve.js');

/*
 * The real browser-mode service with its console on pipes (as under systemd or `| tee`), whose reader then
 * goes away: writing to stdout or stderr now fails with EPIPE. The service must go on: answer HTTP, log to its
 * file, stop cleanly on SIGTERM.
 */
describe('browser mode when whatever reads its console goes away', () => {
  const dir = tempDir('twinedge-serve-console-');
  let proc: ChildProcessByStdio<null, Readable, Readable>;
  let url = '';
  let exited: Promise<{ code: number | null; signal: string | null }>;

  beforeAll(async () => {
    if (!existsSync(serveJs)) throw new Error(`${serveJs} is missing: run \`npm run build\` first`);
    const config = join(dir.path, 'config.json');
    writeFileSync(config, JSON.stringify({ demoPlant: false }));
    proc = spawn(
      process.execPath,
      [serveJs, '--port', '0', '--host', '127.0.0.1', '--data-dir', join(dir.path, 'data'), '--config', config],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    exited = new Promise((r) => proc.once('exit', (code, signal) => r({ code, signal })));
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(() => /TwinEdge browser mode: (http\S+)/.test(out), 30_000, `the URL line (${out})`);
    url = /TwinEdge browser mode: (http\S+)/.exec(out)?.[1] ?? '';
  });
  afterAll(async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await exited;
    }
    dir.remove();
  });

  it('goes on serving and logging to its file, and stops cleanly', async () => {
    // The reader goes away: both pipes closed on our side.
    proc.stdout.destroy();
    proc.stderr.destroy();
    const base = new URL(url).origin;
    // Refused logins are logged (to stderr first, which now fails, and to the file).
    for (let i = 0; i < 3; i++) expect((await fetch(`${base}/?token=guess-7Qx9`)).status).toBe(401);
    const log = (): string => readFileSync(logFileOf(join(dir.path, 'data')), 'utf8');
    await waitFor(() => log().includes('The console (stderr) went away (EPIPE)'), 10_000, 'the console line');
    await waitFor(() => log().includes('Browser mode: refused a request from 127.0.0.1'), 10_000, 'the refusal');
    expect((await fetch(url)).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await fetch(`${base}/?token=guess-7Qx9`)).status).toBe(401);
    expect((await fetch(url)).status).toBe(200);
    expect(proc.exitCode).toBeNull();

    // SIGTERM prints a line to the closed stdout, then stops: exit 0, the stop logged.
    proc.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(log()).toMatch(/INFO {2}Stopped\.\n$/);
    expect(log()).not.toContain('Uncaught exception');
    expect(log()).not.toContain('guess-7Qx9');
  });
});
