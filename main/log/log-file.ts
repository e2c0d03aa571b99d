import {
  closeSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

/** How long a line may wait in memory before it is written (an ERROR or WARN line does not wait). */
export const LOG_FLUSH_MS = 100;
/** Buffered text past which the lines are written at once. */
const FLUSH_BYTES = 64 * 1024;

/** FILE, FILE.1 … FILE.keep: newest first. */
export const logFiles = (file: string, keep: number): string[] => [
  file,
  ...Array.from({ length: keep }, (_, i) => `${file}.${i + 1}`),
];

/** One log entry: its text (one line, or a line and its stack trace), ending in a newline, and its time. */
interface Entry {
  text: string;
  ts: string;
  /** The "N lines could not be written" notice: not counted as lost itself. */
  notice?: boolean;
}

const reasons: Record<string, string> = {
  ENOSPC: 'disk full',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'no permission to write the log file',
  EPERM: 'no permission to write the log file',
  EIO: 'disk input/output error',
};

const reasonOf = (err: unknown): string => {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return (code ? reasons[code] : undefined) ?? (err instanceof Error ? err.message : 'write failed');
};

/** Files with lines waiting, flushed synchronously when the process exits (process.exit included). */
const unflushed = new Set<LogFile>();
let exitHook = false;
const hookExit = (): void => {
  if (exitHook) return;
  exitHook = true;
  process.on('exit', () => {
    for (const f of [...unflushed]) f.flush();
  });
};

/**
 * The log file: entries are buffered and appended in batches (at most LOG_FLUSH_MS late, an ERROR line and
 * everything before it at once, all of it at exit), so logging costs no open/write/close per line. A batch is
 * written whole entries only: a write that stops part-way (a full disk) is cut back to the last whole entry,
 * so no torn line stays in the file. What could not be written is counted, and the count, with the time span,
 * is the first entry written once writing works again. Rotated to FILE.1 … FILE.keep past maxBytes.
 */
export class LogFile {
  private pending: Entry[] = [];
  private pendingBytes = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lost = 0;
  private lostFrom = '';
  private lostTo = '';
  private lostReason = '';

  constructor(
    readonly file: string,
    private readonly maxBytes: number,
    private readonly keep: number,
    /** Called with the notice text when lost lines are reported (so the console shows it too). */
    private readonly onNotice: (text: string) => void = () => {},
  ) {}

  /** Lines counted as not written since the last notice (for tests and status). */
  get lostLines(): number {
    return this.lost;
  }

  append(text: string, ts: string, urgent: boolean): void {
    this.pending.push({ text, ts });
    this.pendingBytes += text.length;
    unflushed.add(this);
    hookExit();
    if (urgent || this.pendingBytes >= FLUSH_BYTES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), LOG_FLUSH_MS).unref();
  }

  /** Writes every waiting entry now, synchronously. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    unflushed.delete(this);
    if (this.pending.length === 0) return;
    const entries = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    if (this.lost > 0) {
      const now = new Date().toISOString();
      const text = `${now} WARN  ${this.lost} log line${this.lost === 1 ? '' : 's'} could not be written (${this.lostReason}) between ${this.lostFrom} and ${this.lostTo}.\n`;
      entries.unshift({ text, ts: now, notice: true });
    }
    this.writeEntries(entries);
  }

  private countLost(entries: readonly Entry[], err: unknown): void {
    for (const e of entries) {
      if (e.notice) continue;
      if (this.lost === 0) this.lostFrom = e.ts;
      this.lost++;
      this.lostTo = e.ts;
    }
    this.lostReason = reasonOf(err);
  }

  private rotate(): void {
    const names = logFiles(this.file, this.keep);
    rmSync(names[names.length - 1] ?? `${this.file}.${this.keep}`, { force: true });
    for (let i = names.length - 2; i >= 0; i--) {
      const from = names[i];
      const to = names[i + 1];
      if (from && to && statSync(from, { throwIfNoEntry: false })) renameSync(from, to);
    }
  }

  private writeEntries(entries: Entry[]): void {
    let fd: number | null = null;
    let i = 0;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      fd = openSync(this.file, 'a');
      let size = fstatSync(fd).size;
      while (i < entries.length) {
        // The entries that fit in the current file (at least one, so an entry larger than a file still goes).
        let bytes = 0;
        let j = i;
        const parts: Buffer[] = [];
        while (j < entries.length) {
          const b = Buffer.from(entries[j]?.text ?? '', 'utf8');
          if (j > i && size + bytes + b.length > this.maxBytes) break;
          parts.push(b);
          bytes += b.length;
          j++;
        }
        if (size > 0 && size + bytes > this.maxBytes) {
          closeSync(fd);
          fd = null;
          this.rotate();
          fd = openSync(this.file, 'a');
          size = fstatSync(fd).size;
          continue;
        }
        const buf = Buffer.concat(parts, bytes);
        let off = 0;
        try {
          while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
        } catch (err) {
          // Keep the entries written whole; cut the one that stopped part-way.
          let whole = 0;
          let k = i;
          for (const p of parts) {
            if (whole + p.length > off) break;
            whole += p.length;
            k++;
          }
          try {
            ftruncateSync(fd, size + whole);
          } catch {
            // nothing more can be done for this file now; the next flush appends after what is there
          }
          if (entries.slice(i, k).some((e) => e.notice)) this.lost = 0;
          this.countLost(entries.slice(k), err);
          return;
        }
        if (entries.slice(i, j).some((e) => e.notice)) {
          this.lost = 0;
          const notice = entries.find((e) => e.notice);
          if (notice) this.onNotice(notice.text);
        }
        size += bytes;
        i = j;
      }
    } catch (err) {
      // Not even opened (or rotation failed): none of the remaining entries reached the file.
      this.countLost(entries.slice(i), err);
    } finally {
      if (fd !== null) {
        try {
          closeSync(fd);
        } catch {
          // closing cannot lose written data here; ignore
        }
      }
    }
  }
}
