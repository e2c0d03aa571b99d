import { z } from 'zod';
import { baseUrlProblem } from './base-url.js';

// Where sync sends to and how its buffer behaves when full, as the user or the config file sets them.

const httpUrl = z
  .string()
  .trim()
  .max(2048)
  .superRefine((s, ctx) => {
    const problem = baseUrlProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const SyncConfigureInput = z
  .object({
    baseUrl: httpUrl.optional(),
    /** Buffer cap in MiB (at least 16 MiB, at most 1 TiB). */
    capMiB: z
      .number()
      .int()
      .min(16)
      .max(1024 * 1024)
      .optional(),
    policy: z.enum(['drop-oldest', 'drop-newest']).optional(),
  })
  .strict();
