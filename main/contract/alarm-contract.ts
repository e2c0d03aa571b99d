import { z } from 'zod';
import { AlarmRuleInput, alarmSeverities } from '../domain/alarm/rule-schema.js';
import type { ActiveAlarm, AlarmEvent, AlarmRule, AlarmSeverity } from '../domain/alarm/rule-schema.js';

/** The alarms part of the renderer contract (spread into `calls` in contract.ts). */

/** One source's alarms counted three ways. A shelved alarm is counted as shelved only. */
export interface AlarmTally {
  /** Active now, acknowledged or not. */
  active: number;
  /** Waiting for an acknowledgement, active or already cleared. */
  unacknowledged: number;
  /** Shelved: silent until unshelved or the time is up. */
  shelved: number;
}

/** Where an alarm comes from: this app's rules (local, demo, TwinEdge rules run here), TwinEdge's alert events, OPC UA servers. */
export type AlarmCountSource = 'local' | 'twinedge' | 'server';

/** Every source added up, for the banner and the tray. */
export interface AlarmCounts extends AlarmTally {
  /** Active alarms per severity (acknowledged or not), not counting shelved ones. */
  bySeverity: Record<AlarmSeverity, number>;
  bySource: Record<AlarmCountSource, AlarmTally>;
}

/** A history entry with the unit of its value (the first condition's tag's unit; "" when none or the tag is gone). */
export interface AlarmHistoryEvent extends AlarmEvent {
  unit: string;
}

export interface AlarmsChanged {
  counts: AlarmCounts;
  /** Alarms raised since the last event, for desktop notifications (shelved ones flagged: stay silent). */
  raised: {
    ruleId: number;
    ruleName: string;
    severity: AlarmSeverity;
    condition: string;
    value: number | null;
    unit: string;
    shelved: boolean;
    at: number;
  }[];
  at: number;
}

export interface AlarmPreview {
  /** Stored data the preview ran over, epoch ms. */
  from: number;
  to: number;
  samples: number;
  /** How many times the rule would have raised an alarm. */
  raises: number;
  /** Seconds it would have been active in total. */
  activeSeconds: number;
  firstRaiseAt: number | null;
  /** Why the preview could not be exact (e.g. device offline conditions are not replayed). */
  notes: string[];
}

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

export { AlarmRuleInput };
export type { ActiveAlarm, AlarmEvent, AlarmRule };
