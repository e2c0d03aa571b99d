import { z } from 'zod';

/**
 * Local alarm rules: what the engine evaluates, what the rule editor edits, what the store keeps. Modelled on
 * Ignition's alarming (setpoint modes, deadband, on/off delays, acknowledgement, shelving) plus TwinEdge's
 * conditions (operators, AND/OR, duration) and a rate-of-change mode.
 */

export const alarmSeverities = ['critical', 'warning', 'info'] as const;
export type AlarmSeverity = (typeof alarmSeverities)[number];

export const compareOperators = ['>', '>=', '<', '<=', '==', '!='] as const;
export type CompareOperator = (typeof compareOperators)[number];

const tagId = z.number().int().positive();
const finite = z.number().finite();
const seconds = (max: number) => z.number().min(0).max(max);

export const ThresholdCondition = z
  .object({ kind: z.literal('threshold'), tagId, operator: z.enum(compareOperators), threshold: finite })
  .strict();
export const RangeCondition = z
  .object({ kind: z.literal('range'), tagId, operator: z.enum(['between', 'outside']), low: finite, high: finite })
  .strict()
  .refine((c) => c.low <= c.high, { message: 'low must not be above high', path: ['high'] });
/** Change of the value per minute, from the oldest to the newest sample inside the window. */
export const RateCondition = z
  .object({
    kind: z.literal('rate'),
    tagId,
    operator: z.enum(['>', '<']),
    /** Engineering units per minute (negative for falling). */
    perMinute: finite,
    windowSeconds: z.number().min(1).max(3600),
  })
  .strict();
export const textOperators = ['equals', 'changes-to'] as const;
export type TextOperator = (typeof textOperators)[number];
/**
 * A text tag (a Modbus string, an OPC UA String...): 'equals' holds while its latest text is exactly `text`;
 * 'changes-to' holds from a sample where the text became `text` (the text before was another one) until it is
 * another text again, so each change to `text` raises once and a text that already was `text` at start does not.
 * Samples without text (numbers, a Bad sample with no value) leave it as it is; add a quality condition for those.
 */
export const TextCondition = z
  .object({
    kind: z.literal('text'),
    tagId,
    operator: z.enum(textOperators),
    text: z.string().min(1, 'the text to look for').max(200, 'at most 200 characters'),
  })
  .strict();
/** No new sample for `afterSeconds`. */
export const StaleCondition = z
  .object({ kind: z.literal('stale'), tagId, afterSeconds: z.number().min(1).max(86_400) })
  .strict();
/** The latest sample's quality is bad (or, with includeUncertain, not good). */
export const QualityCondition = z
  .object({ kind: z.literal('quality'), tagId, includeUncertain: z.boolean().default(false) })
  .strict();
/** The device's connection is in error (or degraded) for `afterSeconds`. */
export const OfflineCondition = z
  .object({
    kind: z.literal('offline'),
    deviceId: z.number().int().positive(),
    afterSeconds: seconds(86_400).default(0),
  })
  .strict();

export const AlarmCondition = z.discriminatedUnion('kind', [
  ThresholdCondition,
  RangeCondition,
  RateCondition,
  StaleCondition,
  QualityCondition,
  OfflineCondition,
  TextCondition,
]);
export type AlarmCondition = z.infer<typeof AlarmCondition>;

export const AlarmRuleInput = z
  .object({
    /** Present when editing an existing rule. */
    id: z.number().int().positive().optional(),
    name: z.string().trim().min(1, 'give the rule a name').max(200),
    description: z.string().max(2000).default(''),
    severity: z.enum(alarmSeverities),
    enabled: z.boolean().default(true),
    combinator: z.enum(['AND', 'OR']).default('AND'),
    conditions: z.array(AlarmCondition).min(1, 'a rule needs at least one condition').max(10),
    /**
     * Hysteresis: a value condition that became true clears only once the value is back past its limit by
     * this much (absolute, in the tag's unit, or percent of the limit's magnitude).
     */
    deadband: z.number().min(0).max(1e9).default(0),
    deadbandMode: z.enum(['absolute', 'percent']).default('absolute'),
    /** The rule must hold this long before the alarm becomes active. */
    onDelaySeconds: seconds(86_400).default(0),
    /** The rule must be false this long before the alarm clears. */
    offDelaySeconds: seconds(86_400).default(0),
    /** auto: the alarm acknowledges itself when it clears (for events nobody needs to confirm). */
    ackMode: z.enum(['manual', 'auto']).default('manual'),
  })
  .strict();
export type AlarmRuleInput = z.input<typeof AlarmRuleInput>;
export type AlarmRuleConfig = z.output<typeof AlarmRuleInput>;

export type AlarmRuleSource = 'local' | 'demo' | 'cloud';

/** A stored rule. */
export interface AlarmRule extends Omit<AlarmRuleConfig, 'id'> {
  id: number;
  source: AlarmRuleSource;
  /** The TwinEdge rule id when pushed to or pulled from TwinEdge. */
  cloudId: string | null;
  createdAt: number;
  updatedAt: number;
}

/** The four states of Ignition's (and ISA-18.2's) alarm lifecycle, plus "normal" for no alarm at all. */
export type AlarmState = 'normal' | 'active-unacked' | 'active-acked' | 'cleared-unacked';

export type AlarmEventKind = 'raised' | 'acknowledged' | 'cleared' | 'shelved' | 'unshelved';

/** One lifecycle transition, as stored and shown in the history. */
export interface AlarmEvent {
  id: number;
  ts: number;
  ruleId: number;
  ruleName: string;
  severity: AlarmSeverity;
  kind: AlarmEventKind;
  from: AlarmState;
  to: AlarmState;
  /** The value that made the transition (the first condition's tag), if any. */
  value: number | null;
  /** "system" for the engine, else who acknowledged / shelved (e.g. "browser 127.0.0.1"). */
  actor: string;
  note: string | null;
  /** Whether the rule was shelved when this happened (notifications were silent). */
  shelved: boolean;
}

/** A rule's current alarm, as the active list shows it. */
export interface ActiveAlarm {
  ruleId: number;
  ruleName: string;
  severity: AlarmSeverity;
  source: AlarmRuleSource;
  state: Exclude<AlarmState, 'normal'>;
  /** When it became active (last raise). */
  activeSince: number;
  clearedAt: number | null;
  ackedAt: number | null;
  ackedBy: string | null;
  ackNote: string | null;
  /** Latest value of the first condition's tag and its unit. */
  value: number | null;
  unit: string;
  /** Plain-language condition, e.g. "T-101 level > 85 %". */
  condition: string;
  shelvedUntil: number | null;
}
