import { z } from 'zod';
import { AlarmRuleInput, alarmSeverities } from '../domain/alarm/rule-schema.js';

/** The alarms part of the renderer contract (spread into `calls` in contract.ts). */

const ruleId = z.number().int().positive();

export const AckInput = z
  .object({ ruleIds: z.array(ruleId).min(1).max(1000), note: z.string().trim().max(1000).default('') })
  .strict();
export const ShelveInput = z
  .object({
    ruleId,
    minutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60),
    note: z.string().trim().max(1000).default(''),
  })
  .strict();
export const UnshelveInput = z.object({ ruleId }).strict();
export const HistoryInput = z
  .object({
    from: z.number().int().nonnegative().optional(),
    to: z.number().int().nonnegative().optional(),
    severity: z.enum(alarmSeverities).optional(),
    ruleId: ruleId.optional(),
    kind: z.enum(['raised', 'acknowledged', 'cleared', 'shelved', 'unshelved']).optional(),
    limit: z.number().int().min(1).max(100_000).default(1000),
  })
  .strict();
export const RuleIdInput = z.object({ id: ruleId }).strict();
export const PreviewInput = z
  .object({
    rule: AlarmRuleInput,
    minutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(60),
  })
  .strict();
