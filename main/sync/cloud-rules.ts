import type { AlertRuleAnswer as CloudRule } from './api/answers.js';
import type { AlertRuleBody } from '../domain/cloud/alert-rule-body.js';
import type { AlarmCondition, AlarmRule, AlarmRuleConfig } from '../domain/alarm/rule-schema.js';

/** Where a local tag lives in TwinEdge, and back. */
export interface CloudTagMap {
  /** Local tag id → TwinEdge asset (device) id and tag name; null when its device is not registered. */
  toCloud(tagId: number): { assetId: string; tagName: string } | null;
  /** TwinEdge asset id + tag name → local tag id; null when not one of ours. */
  toLocal(assetId: string | undefined, tagName: string): number | null;
}

export class CloudRuleError extends Error {
  override readonly name = 'CloudRuleError';
}

/** A local rule as a TwinEdge rule (POST /alerts). TwinEdge has no stale, quality, offline or text conditions. */
export const toCloudRule = (rule: AlarmRule, map: CloudTagMap): AlertRuleBody => ({
  name: rule.name,
  ...(rule.description ? { description: rule.description } : {}),
  severity: rule.severity,
  enabled: rule.enabled,
  combinator: rule.combinator,
  conditions: rule.conditions.map((c) => {
    if (c.kind === 'stale' || c.kind === 'quality' || c.kind === 'offline' || c.kind === 'text') {
      throw new CloudRuleError(`TwinEdge rules have no "${c.kind}" conditions: this rule stays local.`);
    }
    const where = map.toCloud(c.tagId);
    if (!where)
      throw new CloudRuleError(
        'A tag of this rule belongs to a device not registered in TwinEdge yet (see Cloud sync → Devices).',
      );
    const base = {
      asset_id: where.assetId,
      tag_name: where.tagName,
      duration_seconds: Math.round(rule.onDelaySeconds),
    };
    if (c.kind === 'threshold')
      return { ...base, kind: 'threshold' as const, operator: c.operator, threshold: c.threshold };
    if (c.kind === 'range')
      return { ...base, kind: 'threshold' as const, operator: c.operator, threshold: c.low, threshold_high: c.high };
    return { ...base, kind: 'rate_of_change' as const, operator: c.operator, threshold: c.perMinute };
  }),
});

/**
 * A TwinEdge rule as a local rule, when every condition names one of our tags (ML conditions and other
 * sites' tags cannot be evaluated here: null, and the rule is left to TwinEdge).
 */
export const fromCloudRule = (rule: CloudRule, map: CloudTagMap): AlarmRuleConfig | null => {
  const conditions: AlarmCondition[] = [];
  // A severity, kind or operator this version does not know, or a missing threshold: TwinEdge evaluates it.
  if (rule.severity === 'unknown' || rule.conditions.length === 0) return null;
  for (const c of rule.conditions) {
    const tagId = map.toLocal(c.asset_id ?? undefined, c.tag_name);
    if (tagId === null || c.kind === 'anomaly_score' || c.kind === 'unknown') return null;
    if (c.operator === 'unknown' || c.threshold === null) return null;
    if (c.kind === 'rate_of_change') {
      if (c.operator !== '>' && c.operator !== '<') return null;
      conditions.push({ kind: 'rate', tagId, operator: c.operator, perMinute: c.threshold, windowSeconds: 60 });
    } else if (c.operator === 'between' || c.operator === 'outside') {
      conditions.push({
        kind: 'range',
        tagId,
        operator: c.operator,
        low: c.threshold,
        high: c.threshold_high ?? c.threshold,
      });
    } else conditions.push({ kind: 'threshold', tagId, operator: c.operator, threshold: c.threshold });
  }
  return {
    name: rule.name,
    description: rule.description ?? '',
    severity: rule.severity,
    enabled: rule.enabled,
    combinator: rule.combinator,
    conditions,
    deadband: 0,
    deadbandMode: 'absolute',
    onDelaySeconds: Math.max(0, ...rule.conditions.map((c) => c.duration_seconds)),
    offDelaySeconds: 0,
    ackMode: 'manual',
  };
};
