import { closeSync, existsSync, openSync, rmSync, statSync, writeSync } from 'node:fs';

/** Default room kept for the last write at shutdown on a full disk. */
export const DEFAULT_RESERVE_BYTES = 16 * 1024 ** 2;

/**
 * A file of zeros beside the store, written (not sparse) while there is space, released only when the disk is
 * full at shutdown: then the write-ahead log can be checkpointed and the samples held in memory still stored.
 * On a full disk nothing inside SQLite can be freed: even a DELETE needs room in the log first.
 */
export class DiskReserve {
  constructor(
    readonly path: string,
    private readonly bytes: number,
  ) {}

  /** Makes sure the reserve is there (at open); false when the disk has no room for it now. */
  ensure(): boolean {
    if (this.bytes <= 0) return false;
    try {
      if (statSync(this.path).size >= this.bytes) return true;
    } catch {
      // not there yet
    }
    let written = false;
    try {
      const fd = openSync(this.path, 'w');
      try {
        const chunk = Buffer.alloc(Math.min(this.bytes, 1024 * 1024));
        for (let done = 0; done < this.bytes; done += chunk.length)
          writeSync(fd, chunk, 0, Math.min(chunk.length, this.bytes - done));
        written = true;
      } finally {
        closeSync(fd);
      }
    } catch {
      // no room for it now
    }
    // A part-written reserve would only take room without promising any.
    if (!written) rmSync(this.path, { force: true });
    return written;
  }

  /** Gives the room back to the file system; true when there was a reserve to release. */
  release(): boolean {
    if (!existsSync(this.path)) return false;
    rmSync(this.path, { force: true });
    return true;
  }
}
