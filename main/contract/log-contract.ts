import { z } from 'zod';
import { logLevels } from '../domain/log/log-level.js';

/** The log part of the renderer contract (spread into `calls` in contract.ts). */

export const LogTailQuery = z
  .object({
    /** Lines at this level and above. */
    level: z.enum(logLevels).optional(),
    limit: z.number().int().min(1).max(2000).default(500),
    search: z.string().max(200).optional(),
  })
  .strict();

export const LogLevelInput = z.object({ level: z.enum(logLevels) }).strict();
