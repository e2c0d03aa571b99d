import { join } from 'node:path';
import { onConsoleGone, writeConsole } from './console-output.js';
import { LogFile, logFiles } from './log-file.js';
import { errorForLog, secretRedactor, type SecretRedactor } from './redactor.js';

export const levels = ['debug', 'info', 'warn', 'error'] as const;
export type Level = (typeof levels)[number];
export const levelOrder: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export const isLevel = (v: unknown): v is Level => typeof v === 'string' && (levels as readonly string[]).includes(v);

/** The environment variable that sets the log level at start (debug, info, warn or error). */
export const LOG_LEVEL_ENV = 'TWINEDGE_LOG_LEVEL';
/** Size of one log file in MiB before it is rotated (default 10). */
export const LOG_MAX_MB_ENV = 'TWINEDGE_LOG_MAX_MB';
/** How many rotated files are kept next to the current one (default 5: twinedge.log.1 … .5). */
export const LOG_FILES_ENV = 'TWINEDGE_LOG_FILES';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** A logger that can say where it writes and change its level while running (what createLogger returns). */
export interface AppLogger extends Logger {
  /** The current log file, or null when logging to the console only. */
  readonly file: string | null;
  /** How many rotated files are kept (FILE.1 … FILE.N). */
  readonly keep: number;
  level(): Level;
  setLevel(level: Level): void;
  /** Writes buffered lines to the file now (before the file is read back, e.g. by Settings → Logs). */
  flush(): void;
}

export const isAppLogger = (log: Logger): log is AppLogger =>
  typeof (log as Partial<AppLogger>).setLevel === 'function' && 'file' in log;

export interface LoggerOptions {
  /** Log file; rotated to FILE.1 … FILE.keep past maxBytes so a gateway running for months doesn't fill its disk. */
  file?: string;
  /** Default: TWINEDGE_LOG_LEVEL, else info. */
  level?: Level;
  /** Also print to stderr (browser mode and development). */
  console?: boolean;
  /** Default: TWINEDGE_LOG_MAX_MB MiB, else 10 MiB. */
  maxBytes?: number;
  /** Rotated files kept; default TWINEDGE_LOG_FILES, else 5. */
  keep?: number;
  /** Default: the process-wide redactor every secret is registered with. */
  redactor?: SecretRedactor;
  env?: NodeJS.ProcessEnv;
}

/** The log file of a data dir. */
export const logFileOf = (dataDir: string): string => join(dataDir, 'logs', 'twinedge.log');

export { logFiles };

const positiveInt = (v: string | undefined, max: number): number | undefined => {
  const n = v === undefined || v === '' ? NaN : Number(v);
  return Number.isInteger(n) && n >= 1 && n <= max ? n : undefined;
};

/** The level TWINEDGE_LOG_LEVEL asks for, or undefined when unset or not a level. */
export const levelFromEnv = (env: NodeJS.ProcessEnv = process.env): Level | undefined => {
  const v = env[LOG_LEVEL_ENV]?.trim().toLowerCase();
  return isLevel(v) ? v : undefined;
};

/**
 * Plain-text log lines with ISO timestamps (UTC, so logs from different sites compare directly), one line per
 * entry (continuation lines of a stack trace follow it). Every line goes through the secret redactor before it
 * reaches the file or the console.
 */
export const createLogger = (options: LoggerOptions = {}): AppLogger => {
  const env = options.env ?? process.env;
  let min = levelOrder[options.level ?? levelFromEnv(env) ?? 'info'];
  let current: Level = options.level ?? levelFromEnv(env) ?? 'info';
  const maxBytes = options.maxBytes ?? (positiveInt(env[LOG_MAX_MB_ENV], 1024) ?? 10) * 1024 * 1024;
  const keep = options.keep ?? positiveInt(env[LOG_FILES_ENV], 100) ?? 5;
  const redactor = options.redactor ?? secretRedactor;
  const file = options.file ?? null;
  let toConsole = options.console === true;
  const sink = file
    ? new LogFile(file, maxBytes, keep, (notice) => {
        if (toConsole) writeConsole('stderr', notice);
      })
    : null;
  const write = (level: Level, message: string): void => {
    if (levelOrder[level] < min) return;
    const ts = new Date().toISOString();
    const line = redactor.redact(`${ts} ${level.toUpperCase().padEnd(5)} ${message}`) + '\n';
    if (toConsole) toConsole = writeConsole('stderr', line);
    // ERROR and WARN lines are written at once (a crash or kill right after one must not take it along, and they
    // are few); INFO and DEBUG lines, the bulk, go in batches.
    sink?.append(line, ts, levelOrder[level] >= levelOrder.warn);
  };
  if (toConsole && sink) {
    // The console went away (its reader closed the pipe): say so in the file, which goes on.
    const off = onConsoleGone((stream, reason) => {
      if (stream !== 'stderr') return;
      off();
      toConsole = false;
      write('warn', `The console (stderr) went away (${reason}); logging goes on to ${file} only.`);
    });
  }
  return {
    file,
    keep,
    level: () => current,
    setLevel: (level) => {
      current = level;
      min = levelOrder[level];
    },
    debug: (m) => write('debug', m),
    info: (m) => write('info', m),
    warn: (m) => write('warn', m),
    error: (m) => write('error', m),
    flush: () => sink?.flush(),
  };
};

export const silentLogger: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/**
 * Crash output through the same redaction as every log line: an uncaught exception is logged (file and, with
 * console on, stderr, redacted) and then `onFatal` ends the process, as Node would have without the handler. An
 * unhandled rejection is fatal too (Node's default) unless `fatalRejections` is false (the desktop shell, where
 * Electron only warns): then it is logged as an error. Returns a function that removes the handlers.
 */
export const logCrashes = (
  log: Logger,
  onFatal: (text: string) => void = () => process.exit(1),
  options: { redactor?: SecretRedactor; fatalRejections?: boolean } = {},
): (() => void) => {
  const redactor = options.redactor ?? secretRedactor;
  const report = (what: string, err: unknown, fatal: boolean): void => {
    const text = `${what}: ${errorForLog(err, redactor)}`;
    try {
      log.error(text);
    } finally {
      if (fatal) onFatal(redactor.redact(text));
    }
  };
  const onException = (err: unknown): void => report('Uncaught exception', err, true);
  const onRejection = (err: unknown): void =>
    report('Unhandled promise rejection', err, options.fatalRejections ?? true);
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
};
