import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface LoggerOptions {
  /** Log file; rotated to FILE.1 past maxBytes so a gateway running for months doesn't fill its disk. */
  file?: string;
  level?: Level;
  /** Also print to stderr (browser mode and development). */
  console?: boolean;
  maxBytes?: number;
}

/** Plain-text log lines with ISO timestamps (UTC, so logs from different sites compare directly). */
export const createLogger = (options: LoggerOptions = {}): Logger => {
  const min = order[options.level ?? 'info'];
  const maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
  let fileOk = Boolean(options.file);
  if (options.file) {
    try {
      mkdirSync(dirname(options.file), { recursive: true });
    } catch {
      fileOk = false;
    }
  }
  const write = (level: Level, message: string): void => {
    if (order[level] < min) return;
    const line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${message}\n`;
    if (options.console) process.stderr.write(line);
    if (!fileOk || !options.file) return;
    try {
      if ((statSync(options.file, { throwIfNoEntry: false })?.size ?? 0) > maxBytes) {
        renameSync(options.file, `${options.file}.1`);
      }
      appendFileSync(options.file, line);
    } catch {
      // A full or read-only disk must not take the collectors down with the log.
    }
  };
  return {
    debug: (m) => write('debug', m),
    info: (m) => write('info', m),
    warn: (m) => write('warn', m),
    error: (m) => write('error', m),
  };
};

export const silentLogger: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
