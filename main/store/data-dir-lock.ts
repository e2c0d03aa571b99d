import { closeSync, openSync, readFileSync, unlinkSync, writeSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../app/errors.js';

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * One TwinEdge process per data folder: two collectors writing one store would double every sample.
 * A lock file holding the owner's pid; a stale lock (owner gone) is taken over.
 */
export class DataDirLock {
  private constructor(private readonly file: string) {}

  static acquire(dir: string): DataDirLock {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'twinedge.lock');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(file, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        return new DataDirLock(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new AppError('store_unavailable', `Cannot use the data folder ${dir}: ${(err as Error).message}.`);
        }
        const owner = Number.parseInt(readFileSync(file, 'utf8'), 10);
        if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
          throw new AppError(
            'store_unavailable',
            `The data folder ${dir} is in use by another TwinEdge process (pid ${owner}). Close it, or start with --data-dir pointing elsewhere.`,
          );
        }
        unlinkSync(file);
      }
    }
    throw new AppError('store_unavailable', `Cannot lock the data folder ${dir}.`);
  }

  release(): void {
    try {
      unlinkSync(this.file);
    } catch {
      // already gone: nothing to release
    }
  }
}
