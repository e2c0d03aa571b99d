import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../main/log/logger.js';
import { tempDir } from '../helpers/temp-dir.js';

const childScript = join(import.meta.dirname, '..', 'fixtures', 'log-exit-child.ts');
const entry = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z (DEBUG|INFO |WARN |ERROR) /;

/** Runs the child to its end (or, in kill mode, kills it with SIGKILL once it says READY); returns the log. */
const runChild = (file: string, mode: string): Promise<{ code: number | null; signal: string | null; log: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', childScript, file, mode], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('READY')) child.kill('SIGKILL');
    });
    child.stderr.resume();
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal, log: readFileSync(file, 'utf8') }));
  });

describe('the log file at exit', () => {
  const dir = tempDir('twinedge-log-exit-');
  afterAll(() => dir.remove());

  it('keeps every line, the ERROR last, when the process exits at once, throws or is killed', async () => {
    for (const mode of ['exit', 'throw', 'kill', 'quiet-exit']) {
      const file = join(dir.path, mode, 'twinedge.log');
      const { code, signal, log } = await runChild(file, mode);
      const lines = log.split('\n').filter((l) => l !== '');
      for (let i = 0; i < 50; i++) expect(log, `${mode}: line ${i}`).toContain(`INFO  before the end ${i}\n`);
      if (mode === 'exit' || mode === 'kill') expect(lines.at(-1), mode).toMatch(/ERROR the last words$/);
      if (mode === 'throw') expect(log).toContain('ERROR Uncaught exception: Error: a bug nobody caught');
      expect({ code, signal }, mode).toEqual(
        mode === 'kill'
          ? { code: null, signal: 'SIGKILL' }
          : { code: mode === 'exit' ? 3 : mode === 'throw' ? 1 : 0, signal: null },
      );
    }
  }, 60_000);
});

/*
 * A real full disk: a 1 MiB tmpfs. The log file gets a head start so its last page has room; then a filler
 * takes every free page, so the next batch is written part-way (to the page's end) and then refused.
 */
describe('the log file on a full disk', () => {
  const dir = tempDir('twinedge-log-full-');
  const mnt = join(dir.path, 'mnt');
  let mounted = false;
  let refused = '';
  beforeAll(() => {
    mkdirSync(mnt);
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt], { encoding: 'utf8' });
    mounted = r.status === 0;
    refused = r.error?.message ?? r.stderr;
  });
  afterAll(() => {
    if (mounted) spawnSync('umount', [mnt]);
    dir.remove();
  });

  const fill = (file: string): void => {
    const fd = openSync(file, 'w');
    const chunk = Buffer.alloc(64 * 1024, 120);
    try {
      for (;;) writeSync(fd, chunk);
    } catch {
      // full: now the last bytes
    }
    try {
      for (;;) writeSync(fd, chunk, 0, 1);
    } catch {
      // full to the last byte
    }
    closeSync(fd);
  };

  it('writes whole lines only, counts the ones it could not write and says so when space returns', (ctx) => {
    if (!mounted) {
      ctx.skip(`cannot mount a tmpfs here (${refused.trim()}): the full-disk test needs root`);
      return;
    }
    const file = join(mnt, 'logs', 'twinedge.log');
    const log = createLogger({ file, level: 'info' });
    log.info('before the disk filled up');
    log.flush();
    const filler = join(mnt, 'filler');
    fill(filler);

    const total = 400;
    for (let i = 0; i < total; i++) {
      const text = `line ${i} of the full disk ${'x'.repeat(60)}`;
      if (i % 50 === 0) log.error(text);
      else log.info(text);
    }
    log.flush();
    const during = readFileSync(file, 'utf8');
    expect(during.endsWith('\n')).toBe(true);
    for (const l of during.split('\n').slice(0, -1)) expect(l).toMatch(entry);

    rmSync(filler);
    log.info('space is back');
    log.flush();
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n').slice(0, -1);
    for (const l of lines) expect(l).toMatch(entry);
    const written = lines.filter((l) => / line \d+ of the full disk /.test(l)).length;
    // Some fitted in the last page, the rest did not: both happen, or this test proves nothing.
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(total);
    const notice = lines.find((l) => / WARN {2}\d+ log lines could not be written/.test(l));
    expect(notice).toMatch(
      new RegExp(
        `WARN {2}${total - written} log lines could not be written \\(disk full\\) between \\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z and \\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z\\.$`,
      ),
    );
    // The notice comes before the line that was written once space returned, and the count starts over.
    expect(lines.indexOf(notice ?? '')).toBe(lines.length - 2);
    expect(lines.at(-1)).toMatch(/INFO {2}space is back$/);
    log.info('one more');
    log.flush();
    expect(readFileSync(file, 'utf8').match(/could not be written/g)).toHaveLength(1);
  });
});
