import type { TagInfo } from '../../../main/domain/device/device-view.js';
import type { AlarmCountSource, AlarmCounts, AlarmTally } from '../../../main/domain/alarm/alarm-counts.js';
import type { AlarmHistoryEvent } from '../../../main/domain/alarm/alarm-history-event.js';
import type { AlarmPreview } from '../../../main/domain/alarm/alarm-preview.js';
import type {
  ActiveAlarm,
  AlarmCondition,
  AlarmEventKind,
  AlarmRuleInput,
  AlarmSeverity,
  AlarmState,
} from '../../../main/domain/alarm/rule-schema.js';
import { formatSeconds } from '../../../main/domain/format-seconds.js';
import { conditionText, plainNumber, ruleText, type TagLabel } from '../../../main/domain/alarm/condition-text.js';

/** What condition text needs to know about tags and devices. */
export interface AlarmFormatContext {
  tags: readonly TagInfo[];
  deviceName: (deviceId: number) => string | undefined;
}

/** A tag as the engineer knows it: its name, with the device when another device has a tag of the same name. */
export function tagLabel(tagId: number, ctx: AlarmFormatContext): string {
  const tag = ctx.tags.find((t) => t.id === tagId);
  if (!tag) return `tag #${tagId} (deleted?)`;
  const twins = ctx.tags.filter((t) => t.name === tag.name).length;
  if (twins < 2) return tag.name;
  return `${ctx.deviceName(tag.deviceId) ?? `device #${tag.deviceId}`} / ${tag.name}`;
}

const labelOf =
  (ctx: AlarmFormatContext) =>
  (tagId: number): TagLabel | null => {
    const tag = ctx.tags.find((t) => t.id === tagId);
    return tag ? { name: tagLabel(tagId, ctx), unit: tag.unit } : null;
  };
const deviceOf =
  (ctx: AlarmFormatContext) =>
  (deviceId: number): string | null =>
    ctx.deviceName(deviceId) ?? null;

/** One local condition in plain words (the wording main uses for alarm messages). */
export function formatAlarmCondition(c: AlarmCondition, ctx: AlarmFormatContext): string {
  return conditionText(c, labelOf(ctx), deviceOf(ctx));
}

/** All conditions joined by the combinator. */
export function formatAlarmRule(
  rule: Pick<AlarmRuleInput, 'conditions' | 'combinator'>,
  ctx: AlarmFormatContext,
): string {
  return ruleText(rule.conditions as AlarmCondition[], rule.combinator ?? 'AND', labelOf(ctx), deviceOf(ctx));
}

/** Deadband and delays, or "" when none: "deadband 2 %, on after 10 s, off after 30 s". */
export function formatRuleTiming(
  rule: Pick<AlarmRuleInput, 'deadband' | 'deadbandMode' | 'onDelaySeconds' | 'offDelaySeconds'>,
): string {
  const parts: string[] = [];
  if (rule.deadband)
    parts.push(`deadband ${plainNumber(rule.deadband)}${rule.deadbandMode === 'percent' ? ' % of the limit' : ''}`);
  if (rule.onDelaySeconds) parts.push(`on after ${formatSeconds(rule.onDelaySeconds)}`);
  if (rule.offDelaySeconds) parts.push(`off after ${formatSeconds(rule.offDelaySeconds)}`);
  return parts.join(', ');
}

export const alarmSeverityLabel: Record<AlarmSeverity, string> = {
  critical: 'Critical',
  warning: 'Warning',
  info: 'Info',
};

export const severityRank: Record<AlarmSeverity, number> = { critical: 0, warning: 1, info: 2 };

export const alarmStateLabel: Record<AlarmState, string> = {
  normal: 'Normal',
  'active-unacked': 'Active unacknowledged',
  'active-acked': 'Active acknowledged',
  'cleared-unacked': 'Cleared unacknowledged',
};

export const eventKindLabel: Record<AlarmEventKind, string> = {
  raised: 'raised',
  acknowledged: 'acknowledged',
  cleared: 'cleared',
  shelved: 'shelved',
  unshelved: 'unshelved',
};

/** The worst severity with a non-zero count, or null when nothing is counted. */
export function worstSeverity(bySeverity: Record<AlarmSeverity, number>): AlarmSeverity | null {
  for (const s of ['critical', 'warning', 'info'] as const) if (bySeverity[s] > 0) return s;
  return null;
}

/** One count of the banner: its number (a zero is shown plain, not bold) and its words. */
export interface CountWords {
  n: number;
  text: string;
}

/** "2 active", "1 unacknowledged", "0 shelved": the three counts of a tally, always all three. */
export const tallyWords = (t: AlarmTally): CountWords[] => [
  { n: t.active, text: `${t.active} active` },
  { n: t.unacknowledged, text: `${t.unacknowledged} unacknowledged` },
  { n: t.shelved, text: `${t.shelved} shelved` },
];

/** The active alarms' severities, the non-zero ones only: "1 critical, 2 warnings" ("" when none is active). */
export function severityWords(bySeverity: Record<AlarmSeverity, number>): string {
  const word = { critical: 'critical', warning: 'warning', info: 'info' } as const;
  return (['critical', 'warning', 'info'] as const)
    .filter((s) => bySeverity[s] > 0)
    .map((s) => `${bySeverity[s]} ${word[s]}${s === 'warning' && bySeverity[s] !== 1 ? 's' : ''}`)
    .join(', ');
}

export const countSourceLabel: Record<AlarmCountSource, string> = {
  local: 'Local rules',
  twinedge: 'TwinEdge',
  server: 'OPC UA servers',
};

/**
 * Where the counted alarms come from, when more than one source has any: "Local rules: 1 active, 0
 * unacknowledged, 0 shelved; TwinEdge: 1 active, 1 unacknowledged, 0 shelved". "" when one source (or none) has any.
 */
export function sourceWords(c: AlarmCounts): string {
  const sources = (['local', 'twinedge', 'server'] as const).filter((s) => {
    const t = c.bySource[s];
    return t.active + t.unacknowledged + t.shelved > 0;
  });
  if (sources.length < 2 && (sources[0] ?? 'local') === 'local') return '';
  return sources
    .map(
      (s) =>
        `${countSourceLabel[s]}: ${tallyWords(c.bySource[s])
          .map((w) => w.text)
          .join(', ')}`,
    )
    .join('; ');
}

/** Default order of the active list: worst severity first, then newest first. */
export function compareActive(a: Pick<ActiveAlarm, 'severity' | 'activeSince'>, b: typeof a): number {
  return severityRank[a.severity] - severityRank[b.severity] || b.activeSince - a.activeSince;
}

/** "Would have raised 3 times in the last hour (active 12 min in total), first at 2025-11-29 14:03:07 CET". */
export function formatPreview(p: AlarmPreview, minutes: number, formatTime: (ms: number) => string): string {
  const span = minutes === 60 ? 'the last hour' : `the last ${formatSeconds(minutes * 60)}`;
  if (p.raises === 0) return `Would not have raised in ${span} (${p.samples} samples checked).`;
  const times = p.raises === 1 ? '1 time' : `${p.raises} times`;
  const active = formatSeconds(p.activeSeconds);
  const first = p.firstRaiseAt === null ? '' : `, first at ${formatTime(p.firstRaiseAt)}`;
  return `Would have raised ${times} in ${span} (active ${active} in total)${first}.`;
}

/** Field problems by path, the first message per path (paths like "conditions.0.threshold"). */
export function fieldErrorMap(fields: readonly { path: string; message: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) if (!(f.path in out)) out[f.path] = f.message;
  return out;
}

function csvCell(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export const historyCsvHeader = [
  'time',
  'rule_id',
  'rule',
  'severity',
  'event',
  'from_state',
  'to_state',
  'value',
  'unit',
  'who',
  'note',
  'shelved',
] as const;

/** History rows as CSV: a header row, ISO 8601 UTC timestamps, the value's unit in its own column, CRLF line ends. */
export function historyCsv(events: readonly AlarmHistoryEvent[]): string {
  const lines = [historyCsvHeader.join(',')];
  for (const e of events) {
    lines.push(
      [
        new Date(e.ts).toISOString(),
        String(e.ruleId),
        e.ruleName,
        e.severity,
        e.kind,
        e.from,
        e.to,
        e.value === null ? '' : String(e.value),
        e.value === null ? '' : e.unit,
        e.actor,
        e.note ?? '',
        e.shelved ? 'yes' : 'no',
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}
