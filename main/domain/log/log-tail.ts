import type { LogLevel } from './log-level.js';

// The newest lines of the app's log, as the log view shows them.

export interface LogLineView {
  /** Epoch ms. */
  ts: number;
  level: LogLevel;
  /** Secrets already redacted (they never reach the file). Stack traces keep their line breaks. */
  message: string;
}

export interface LogTail {
  /** Newest first. */
  lines: LogLineView[];
  /** The current log file (rotated ones are FILE.1 … FILE.N next to it). */
  file: string;
  /** More matching lines exist than were returned. */
  truncated: boolean;
  /** The level the app records at now. */
  recording: LogLevel;
  /** How many rotated files are kept. */
  rotatedFiles: number;
}
