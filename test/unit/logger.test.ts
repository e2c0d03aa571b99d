import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { logHandlers } from '../../main/app/handlers/log-handlers.js';
import { calls } from '../../main/contract/contract.js';
import { tailLog } from '../../main/log/log-tail.js';
import { createLogger, logCrashes, logFiles } from '../../main/log/logger.js';
import { SecretRedactor } from '../../main/log/redactor.js';
import { tempDir } from '../helpers/temp-dir.js';

const dirs: { remove: () => void }[] = [];
const fresh = (): string => {
  const d = tempDir('twinedge-log-');
  dirs.push(d);
  return d.path;
};
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});

describe('the logger', () => {
  it('rotates past the size limit and keeps exactly N older files', () => {
    const file = join(fresh(), 'logs', 'twinedge.log');
    const log = createLogger({ file, maxBytes: 2000, keep: 3, level: 'debug' });
    for (let i = 0; i < 400; i++) log.info(`line ${String(i).padStart(4, '0')} ${'x'.repeat(40)}`);
    log.flush();
    const names = logFiles(file, 3);
    expect(names.map((n) => existsSync(n))).toEqual([true, true, true, true]);
    expect(existsSync(`${file}.4`)).toBe(false);
    for (const n of names) expect(readFileSync(n).length).toBeLessThanOrEqual(2000);
    // The newest line is in the current file, and the rotated files are older in order.
    expect(readFileSync(file, 'utf8')).toContain('line 0399');
    const first = (n: string): number => Number(/line (\d+)/.exec(readFileSync(n, 'utf8'))?.[1]);
    expect(first(`${file}.1`)).toBeLessThan(first(file));
    expect(first(`${file}.2`)).toBeLessThan(first(`${file}.1`));
    expect(first(`${file}.3`)).toBeLessThan(first(`${file}.2`));
  });

  it('writes only lines at or above its level, which can change while running', () => {
    const file = join(fresh(), 'a.log');
    const log = createLogger({ file, level: 'warn' });
    log.debug('d1');
    log.info('i1');
    log.warn('w1');
    log.error('e1');
    expect(log.level()).toBe('warn');
    log.setLevel('debug');
    log.debug('d2');
    log.flush();
    const text = readFileSync(file, 'utf8');
    expect(text).not.toMatch(/d1|i1/);
    expect(text).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z WARN {2}w1$/m);
    expect(text).toMatch(/ERROR e1/);
    expect(text).toMatch(/DEBUG d2/);
  });

  it('takes its level from TWINEDGE_LOG_LEVEL and its size and file count from the environment', () => {
    const file = join(fresh(), 'b.log');
    const log = createLogger({
      file,
      env: { TWINEDGE_LOG_LEVEL: 'ERROR', TWINEDGE_LOG_MAX_MB: '2', TWINEDGE_LOG_FILES: '7' },
    });
    expect(log.level()).toBe('error');
    expect(log.keep).toBe(7);
    expect(createLogger({ env: { TWINEDGE_LOG_LEVEL: 'loud' } }).level()).toBe('info');
  });

  it('redacts registered secrets before a line reaches the file', () => {
    const file = join(fresh(), 'c.log');
    const redactor = new SecretRedactor();
    redactor.register('sup3r-s3cret');
    const log = createLogger({ file, redactor });
    log.error(`login failed with sup3r-s3cret: ${new Error('sup3r-s3cret in a stack').stack ?? ''}`);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('sup3r-s3cret');
    expect(text).toContain('login failed with [redacted]: Error: [redacted] in a stack');
  });

  it('logs a crash redacted and then hands over to the fatal handler', () => {
    const file = join(fresh(), 'd.log');
    const redactor = new SecretRedactor();
    redactor.register('crash-secret-9');
    const log = createLogger({ file, redactor });
    const fatal: string[] = [];
    const before = process.listeners('uncaughtException');
    const remove = logCrashes(log, (t) => fatal.push(t), { redactor });
    try {
      const added = process.listeners('uncaughtException').filter((l) => !before.includes(l));
      expect(added).toHaveLength(1);
      added[0]?.(new Error('boom with crash-secret-9'), 'uncaughtException');
    } finally {
      remove();
    }
    expect(process.listeners('uncaughtException')).toEqual(before);
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toContain('Uncaught exception: Error: boom with [redacted]');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('ERROR Uncaught exception: Error: boom with [redacted]');
    expect(text).not.toContain('crash-secret-9');

    // A rejection is logged; with fatalRejections off (the desktop shell) the app goes on.
    const beforeRejections = process.listeners('unhandledRejection');
    const removeSoft = logCrashes(log, (t) => fatal.push(t), { redactor, fatalRejections: false });
    try {
      const added = process.listeners('unhandledRejection').filter((l) => !beforeRejections.includes(l));
      added[0]?.(new Error('rejected with crash-secret-9'), Promise.resolve());
    } finally {
      removeSoft();
    }
    expect(fatal).toHaveLength(1);
    expect(readFileSync(file, 'utf8')).toContain('ERROR Unhandled promise rejection: Error: rejected with [redacted]');
  });
});

describe('reading the log backwards', () => {
  const line = (ts: number, level: string, msg: string): string =>
    `${new Date(ts).toISOString()} ${level.toUpperCase().padEnd(5)} ${msg}\n`;

  it('returns the newest entries first across rotated files, with stack lines kept with their entry', () => {
    const file = join(fresh(), 'twinedge.log');
    const t0 = Date.UTC(2026, 0, 1);
    writeFileSync(`${file}.2`, line(t0, 'info', 'oldest'));
    writeFileSync(`${file}.1`, line(t0 + 1000, 'warn', 'middle') + line(t0 + 2000, 'error', 'boom\n    at a (x.js:1)'));
    writeFileSync(file, line(t0 + 3000, 'debug', 'newest'));
    const all = tailLog(file, 5, { limit: 100 });
    expect(all.truncated).toBe(false);
    expect(all.lines.map((l) => l.message)).toEqual(['newest', 'boom\n    at a (x.js:1)', 'middle', 'oldest']);
    expect(all.lines[0]).toEqual({ ts: t0 + 3000, level: 'debug', message: 'newest' });

    expect(tailLog(file, 5, { limit: 100, level: 'warn' }).lines.map((l) => l.level)).toEqual(['error', 'warn']);
    expect(tailLog(file, 5, { limit: 100, search: 'X.JS' }).lines.map((l) => l.message)).toEqual([
      'boom\n    at a (x.js:1)',
    ]);
    const two = tailLog(file, 5, { limit: 2 });
    expect(two.lines).toHaveLength(2);
    expect(two.truncated).toBe(true);
    expect(tailLog(join(fresh(), 'none.log'), 5, { limit: 10 })).toEqual({ lines: [], truncated: false });
  });

  it('reads lines that span chunk boundaries whole, and stops early on big files', () => {
    const file = join(fresh(), 'big.log');
    const t0 = Date.UTC(2026, 0, 1);
    let text = '';
    for (let i = 0; i < 20_000; i++)
      text += line(t0 + i, i % 10 === 0 ? 'warn' : 'info', `entry ${i} ${'é'.repeat(i % 37)}`);
    writeFileSync(file, text);
    const all = tailLog(file, 0, { limit: 2000 });
    expect(all.lines).toHaveLength(2000);
    expect(all.truncated).toBe(true);
    all.lines.forEach((l, k) => {
      const i = 19_999 - k;
      expect(l.message).toBe(`entry ${i} ${'é'.repeat(i % 37)}`);
    });
    const warns = tailLog(file, 0, { limit: 5000, level: 'warn' });
    expect(warns.lines).toHaveLength(2000);
    expect(warns.truncated).toBe(false);
    // A search that matches nothing reads at most the scan budget and says so.
    const capped = tailLog(file, 0, { limit: 10, search: 'no such text' }, 100_000);
    expect(capped).toEqual({ lines: [], truncated: true });
  });
});

describe('the log calls', () => {
  it('validate their input and answer with typed errors', () => {
    expect(calls['logs.tail'].input.safeParse({ limit: 2001 }).success).toBe(false);
    expect(calls['logs.tail'].input.safeParse({ level: 'loud' }).success).toBe(false);
    expect(calls['logs.tail'].input.parse({})).toEqual({ limit: 500 });
    expect(calls['logs.setLevel'].input.safeParse({ level: 'trace' }).success).toBe(false);

    const consoleOnly = createLogger({ console: false });
    const none = logHandlers({ logger: consoleOnly, log: consoleOnly, store: () => null });
    expect(() => none['logs.tail']({ limit: 10 })).toThrow(
      expect.objectContaining({ name: 'AppError', code: 'unavailable' }) as Error,
    );
  });

  it('tail the file and change the level at runtime', async () => {
    const file = join(fresh(), 'logs', 'twinedge.log');
    const log = createLogger({ file, keep: 2 });
    const h = logHandlers({ logger: log, log, store: () => null });
    log.debug('hidden');
    log.info('shown');
    expect(await h['logs.setLevel']({ level: 'debug' })).toEqual({ level: 'debug' });
    log.debug('now shown');
    const tail = await h['logs.tail']({ limit: 10 });
    expect(tail).toMatchObject({ file, truncated: false, recording: 'debug', rotatedFiles: 2 });
    expect(tail.lines.map((l) => l.message)).toEqual(['now shown', 'Log level changed from info to debug.', 'shown']);
  });
});
