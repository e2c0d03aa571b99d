import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirLock, LOCK_DB, LOCK_INFO } from '../../main/store/data-dir-lock.js';
import { tempDir } from '../helpers/temp-dir.js';

const holderScript = join(import.meta.dirname, '..', 'fixtures', 'lock-holder.ts');

/** Starts a process that tries the lock; resolves with its first line (LOCKED pid / REFUSED message). */
const tryLock = (dir: string): { child: ChildProcess; line: Promise<string> } => {
  const child = spawn(process.execPath, ['--import', 'tsx', holderScript, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const line = new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0] ?? '');
    });
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => reject(new Error(`lock holder exited (${code}) without a line: ${err}`)));
  });
  return { child, line };
};

const killed = (child: ChildProcess): Promise<void> =>
  new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null) return r();
    child.once('exit', () => r());
    child.kill('SIGKILL');
  });

describe('data folder lock', () => {
  let dir: ReturnType<typeof tempDir>;
  const children: ChildProcess[] = [];
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(async () => {
    await Promise.all(children.splice(0).map(killed));
    dir.remove();
  });

  it('is not blocked by a lock file naming a live unrelated process, or holding junk', () => {
    for (const forged of ['1', String(process.ppid), String(process.pid), '123xyz', '', '{"pid":1,"host":"x"}']) {
      writeFileSync(join(dir.path, LOCK_INFO), forged);
      const lock = DataDirLock.acquire(dir.path);
      // The file now names the holder, as information for a second process's message.
      expect(JSON.parse(readFileSync(join(dir.path, LOCK_INFO), 'utf8'))).toMatchObject({
        pid: process.pid,
        host: hostname(),
      });
      lock.release();
    }
    // Bytes in the lock database itself that are not a database: emptied, and the lock taken.
    writeFileSync(join(dir.path, LOCK_DB), 'this is not a database, it was copied here'.repeat(200));
    DataDirLock.acquire(dir.path).release();
  });

  it('is held against a second taker in the same process until released', () => {
    const lock = DataDirLock.acquire(dir.path);
    expect(() => DataDirLock.acquire(dir.path)).toThrow(
      new RegExp(`in use by another TwinEdge process \\(pid ${process.pid} on `),
    );
    lock.release();
    lock.release(); // twice is harmless
    DataDirLock.acquire(dir.path).release();
  });

  it('has exactly one winner between two live processes; the other names it; a SIGKILLed holder blocks nobody', async () => {
    const a = tryLock(dir.path);
    const b = tryLock(dir.path);
    children.push(a.child, b.child);
    const lines = await Promise.all([a.line, b.line]);
    const won = lines.filter((l) => l.startsWith('LOCKED '));
    expect(won, lines.join('\n')).toHaveLength(1);
    const winner = Number(won[0]?.split(' ')[1]);
    const loser = lines.find((l) => l.startsWith('REFUSED '));
    expect(loser).toMatch(
      new RegExp(
        `^REFUSED The data folder .* is in use by another TwinEdge process \\(pid ${winner} on .+, since \\d{4}-`,
      ),
    );
    expect(() => DataDirLock.acquire(dir.path)).toThrow(`(pid ${winner} on `);

    // kill -9 the holder: the kernel drops its lock, the next start wins at once, with no file to delete.
    const holder = [a, b].find((p) => p.child.pid === winner);
    if (!holder) throw new Error('winner not among the children');
    await killed(holder.child);
    const lock = DataDirLock.acquire(dir.path);
    lock.release();
  }, 30_000);
});
