import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirLock } from '../../main/store/data-dir-lock.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('data folder lock', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.remove());

  it('refuses a folder held by another live process, naming it and the pid', () => {
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      writeFileSync(join(dir.path, 'twinedge.lock'), String(other.pid));
      expect(() => DataDirLock.acquire(dir.path)).toThrow(
        new RegExp(`in use by another TwinEdge process \\(pid ${other.pid}\\)`),
      );
    } finally {
      other.kill();
    }
  });

  it('takes over a stale lock left by a crashed process, and releases it', () => {
    writeFileSync(join(dir.path, 'twinedge.lock'), '999999999');
    const lock = DataDirLock.acquire(dir.path);
    lock.release();
    DataDirLock.acquire(dir.path).release();
  });
});
