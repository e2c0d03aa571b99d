import { closeSync, openSync, readSync } from 'node:fs';

/**
 * A reader for Electron's asar archives, enough for tests to see what a package holds. The format: an
 * 8-byte pickle holding the header size, then the header pickle (payload size, string length, JSON
 * string), then the files' bytes; each file entry gives its offset (a decimal string) from the end of
 * the header and its size. Entries marked `unpacked` live beside the archive in app.asar.unpacked/.
 */

interface DirEntry {
  files: Record<string, Entry>;
}
interface FileEntry {
  offset?: string;
  size: number;
  unpacked?: boolean;
  executable?: boolean;
}
interface LinkEntry {
  link: string;
}
type Entry = DirEntry | FileEntry | LinkEntry;

export interface AsarFile {
  /** Path inside the archive, '/'-separated, without a leading slash. */
  path: string;
  size: number;
  unpacked: boolean;
}

export interface Asar {
  /** Every file (not folders or links), in header order. */
  files: AsarFile[];
  has(path: string): boolean;
  /** A packed file's bytes (throws for unpacked or missing files). */
  read(path: string): Buffer;
}

const readAt = (fd: number, position: number, length: number): Buffer => {
  const buf = Buffer.alloc(length);
  const n = readSync(fd, buf, 0, length, position);
  if (n !== length) throw new Error(`asar: short read at ${position} (${n} of ${length} bytes)`);
  return buf;
};

export const openAsar = (archive: string): Asar => {
  const fd = openSync(archive, 'r');
  try {
    const sizePickle = readAt(fd, 0, 8);
    if (sizePickle.readUInt32LE(0) !== 4) throw new Error(`asar: ${archive} does not start with a size pickle`);
    const headerSize = sizePickle.readUInt32LE(4);
    const headerPickle = readAt(fd, 8, headerSize);
    const jsonLength = headerPickle.readUInt32LE(4);
    const header = JSON.parse(headerPickle.toString('utf8', 8, 8 + jsonLength)) as DirEntry;
    const base = 8 + headerSize;

    const files: AsarFile[] = [];
    const entries = new Map<string, FileEntry>();
    const walk = (dir: DirEntry, prefix: string): void => {
      for (const [name, entry] of Object.entries(dir.files)) {
        const path = prefix ? `${prefix}/${name}` : name;
        if ('files' in entry) walk(entry, path);
        else if (!('link' in entry)) {
          entries.set(path, entry);
          files.push({ path, size: entry.size, unpacked: entry.unpacked === true });
        }
      }
    };
    walk(header, '');

    return {
      files,
      has: (path) => entries.has(path),
      read: (path) => {
        const entry = entries.get(path);
        if (!entry || entry.unpacked || entry.offset === undefined) throw new Error(`asar: no packed file ${path}`);
        const rfd = openSync(archive, 'r');
        try {
          return readAt(rfd, base + Number(entry.offset), entry.size);
        } finally {
          closeSync(rfd);
        }
      },
    };
  } finally {
    closeSync(fd);
  }
};
