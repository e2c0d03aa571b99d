import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { isLevel, levelOrder, logFiles, type Level } from './logger.js';

export interface LogLine {
  /** Epoch ms (the file has ISO UTC timestamps). */
  ts: number;
  level: Level;
  /** The message; a stack trace's continuation lines are part of it (joined with \n). */
  message: string;
}

export interface TailQuery {
  /** Lines at this level and above. */
  level?: Level | undefined;
  limit: number;
  /** Case-insensitive text the message must contain. */
  search?: string | undefined;
}

export interface TailResult {
  /** Newest first. */
  lines: LogLine[];
  /** More matching lines exist than were returned (or the scan stopped before the oldest file's start). */
  truncated: boolean;
}

// `2026-01-01T00:00:00.000Z INFO  message`: the level is padded to five characters, then one space.
const HEADER = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z) (DEBUG|INFO |WARN |ERROR)(?: (.*))?$/;
const CHUNK = 64 * 1024;

/**
 * The lines of one file from its end backwards, one complete line at a time (read in 64 KiB chunks, so the
 * newest lines of a 10 MB file cost one read). Stops when `visit` returns false or `budget` bytes were read.
 */
const readBackwards = (
  path: string,
  visit: (line: string) => boolean,
  budget: { bytes: number },
): 'done' | 'stopped' => {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'done';
    throw err;
  }
  try {
    let pos = fstatSync(fd).size;
    let carry: Buffer = Buffer.alloc(0);
    while (pos > 0) {
      if (budget.bytes <= 0) return 'stopped';
      const len = Math.min(CHUNK, pos);
      pos -= len;
      const chunk = Buffer.alloc(len);
      readSync(fd, chunk, 0, len, pos);
      budget.bytes -= len;
      const buf = carry.length ? Buffer.concat([chunk, carry]) : chunk;
      let end = buf.length;
      // Complete lines are those after a newline in this buffer; the part before the first one may continue
      // in the previous chunk.
      for (let i = buf.length - 1; i >= 0; i--) {
        if (buf[i] !== 0x0a) continue;
        if (end > i + 1 || end < buf.length) {
          if (!visit(buf.toString('utf8', i + 1, end))) return 'stopped';
        }
        end = i;
      }
      carry = Buffer.from(buf.subarray(0, end));
    }
    if (carry.length && !visit(carry.toString('utf8'))) return 'stopped';
    return 'done';
  } finally {
    closeSync(fd);
  }
};

/**
 * The newest log entries across FILE, FILE.1 … FILE.keep, newest first, filtered by level and text. Reads
 * backwards and stops as soon as `limit` entries matched, so a refresh costs a few reads, not the whole files;
 * a search that matches little reads at most `maxScanBytes`.
 */
export const tailLog = (file: string, keep: number, query: TailQuery, maxScanBytes = 32 * 1024 * 1024): TailResult => {
  const min = levelOrder[query.level ?? 'debug'];
  const needle = query.search?.trim().toLowerCase() || null;
  const lines: LogLine[] = [];
  const budget = { bytes: maxScanBytes };
  let continuation: string[] = [];
  let truncated = false;
  const visit = (raw: string): boolean => {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const m = HEADER.exec(text);
    if (!m) {
      // A stack trace's line: belongs to the entry above it (seen next, going backwards).
      if (text !== '') continuation.push(text);
      return true;
    }
    const level = (m[2] ?? '').trim().toLowerCase();
    const message = [m[3] ?? '', ...continuation.reverse()].join('\n');
    continuation = [];
    if (!isLevel(level) || levelOrder[level] < min) return true;
    if (needle && !message.toLowerCase().includes(needle)) return true;
    if (lines.length >= query.limit) {
      truncated = true;
      return false;
    }
    lines.push({ ts: Date.parse(m[1] ?? ''), level, message });
    return true;
  };
  for (const path of logFiles(file, keep)) {
    const outcome = readBackwards(path, visit, budget);
    // Lines before the first entry of a file (a cut-off stack) have no entry to belong to.
    continuation = [];
    if (outcome === 'stopped') {
      if (!truncated && budget.bytes <= 0) truncated = true;
      break;
    }
  }
  return { lines, truncated };
};
