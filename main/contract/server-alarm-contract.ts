import { z } from 'zod';

/** The server alarms part of the renderer contract: OPC UA conditions the servers own, and their plain events. */

const deviceId = z.number().int().positive();
const key = z.string().min(1).max(2000);
const comment = z.string().trim().max(1000).default('');

export const ServerAckInput = z.object({ deviceId, key, comment }).strict();
export const ServerShelveInput = z
  .object({
    deviceId,
    key,
    kind: z.enum(['timed', 'oneShot', 'unshelve']),
    minutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .optional(),
  })
  .strict()
  .refine((s) => s.kind !== 'timed' || s.minutes !== undefined, {
    message: 'a timed shelve needs its duration',
    path: ['minutes'],
  });
export const ServerEventsQuery = z
  .object({
    deviceId: deviceId.optional(),
    from: z.number().int().nonnegative().optional(),
    to: z.number().int().nonnegative().optional(),
    minSeverity: z.number().int().min(0).max(1000).optional(),
    text: z.string().trim().max(200).optional(),
    kind: z.enum(['plain', 'all']).default('plain'),
    limit: z.number().int().min(1).max(100_000).default(1000),
  })
  .strict();
