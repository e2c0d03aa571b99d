import { z } from 'zod';

/** The log part of the renderer contract (spread into `calls` in contract.ts). */

export const logLevels = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof logLevels)[number];

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

export const LogTailQuery = z
  .object({
    /** Lines at this level and above. */
    level: z.enum(logLevels).optional(),
    limit: z.number().int().min(1).max(2000).default(500),
    search: z.string().max(200).optional(),
  })
  .strict();

export const LogLevelInput = z.object({ level: z.enum(logLevels) }).strict();
