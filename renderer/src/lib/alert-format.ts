import type { AlertRule } from '../../../main/domain/cloud/alert.js';
import { formatSeconds } from '../../../main/domain/format-seconds.js';

/** One condition of a TwinEdge alert rule (as the API returns it). */
export type AlertConditionView = AlertRule['conditions'][number];

const num = (v: number | null): string => (v === null ? '?' : String(Math.round(v * 1e6) / 1e6));

/**
 * What a condition watches, e.g. "T101.Level", "rate of change of T101.Level (per min)" or
 * "anomaly score of T101.Level". `assetName` turns a TwinEdge asset id into a local device name.
 */
function subject(c: AlertConditionView, assetName?: (assetId: string) => string | undefined): string {
  const asset = c.asset_id ? (assetName?.(c.asset_id) ?? c.asset_id) : null;
  const tag = asset && !c.tag_name.startsWith(`${asset}.`) ? `${asset} / ${c.tag_name}` : c.tag_name;
  switch (c.kind) {
    case 'rate_of_change':
      return `rate of change of ${tag} (per min)`;
    case 'anomaly_score':
      return `anomaly score of ${tag}`;
    case 'threshold':
      return tag;
    case 'unknown':
      return `${tag} (a condition kind this version does not know)`;
  }
}

/** One condition in readable form: "T101.Level > 80 for 30 s", "P2.Flow between 10 and 20". */
export function formatCondition(c: AlertConditionView, assetName?: (assetId: string) => string | undefined): string {
  let test: string;
  if (c.operator === 'between' || c.operator === 'outside') {
    test = `${c.operator} ${num(c.threshold)} and ${num(c.threshold_high)}`;
  } else {
    test = `${c.operator === 'unknown' ? '(unknown operator)' : c.operator} ${num(c.threshold)}`;
  }
  const duration = c.duration_seconds > 0 ? ` for ${formatSeconds(c.duration_seconds)}` : '';
  return `${subject(c, assetName)} ${test}${duration}`;
}

/** All conditions of a rule joined by its combinator: "T101.Level > 80 for 30 s AND T101.Temp >= 60". */
export function formatRuleConditions(
  rule: Pick<AlertRule, 'conditions' | 'combinator'>,
  assetName?: (assetId: string) => string | undefined,
): string {
  return rule.conditions.map((c) => formatCondition(c, assetName)).join(` ${rule.combinator} `);
}

export const severityLabel: Record<AlertRule['severity'], string> = {
  critical: 'Critical',
  warning: 'Warning',
  info: 'Info',
  unknown: 'Unknown severity',
};
