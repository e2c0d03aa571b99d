import { describe, expect, it } from 'vitest';
import { AlertConditionAnswer } from '../../main/sync/api/answers.js';
import {
  formatCondition as formatRead,
  formatRuleConditions as formatRuleRead,
  type AlertConditionView,
} from '../../renderer/src/lib/alert-format.js';
import { formatSeconds } from '../../main/domain/format-seconds.js';

const cond = {
  tag_name: 'T101.Level',
  kind: 'threshold' as const,
  operator: '>' as const,
  threshold: 80,
  duration_seconds: 30,
};

// Conditions reach the view as the client read them from TwinEdge.
const read = (c: Record<string, unknown>): AlertConditionView => AlertConditionAnswer.parse(c);
const formatCondition = (c: Record<string, unknown>, names?: (id: string) => string | undefined): string =>
  formatRead(read(c), names);
const formatRuleConditions = (rule: { combinator: 'AND' | 'OR'; conditions: Record<string, unknown>[] }): string =>
  formatRuleRead({ combinator: rule.combinator, conditions: rule.conditions.map(read) });

describe('alert rule formatting', () => {
  it('writes a threshold condition as an engineer reads it', () => {
    expect(formatCondition(cond)).toBe('T101.Level > 80 for 30 s');
    expect(formatCondition({ ...cond, duration_seconds: 0 })).toBe('T101.Level > 80');
    expect(formatCondition({ ...cond, duration_seconds: 300 })).toBe('T101.Level > 80 for 5 min');
  });

  it('writes ranges, rates and anomaly scores', () => {
    expect(formatCondition({ ...cond, operator: 'between', threshold: 10, threshold_high: 20.5 })).toBe(
      'T101.Level between 10 and 20.5 for 30 s',
    );
    expect(
      formatCondition({ ...cond, kind: 'rate_of_change', operator: '>=', threshold: 2, duration_seconds: 0 }),
    ).toBe('rate of change of T101.Level (per min) >= 2');
    expect(formatCondition({ ...cond, kind: 'anomaly_score', threshold: 0.9, duration_seconds: 0 })).toBe(
      'anomaly score of T101.Level > 0.9',
    );
  });

  it('names the device of an asset id when known', () => {
    const names = (id: string): string | undefined => (id === 'as_1' ? 'Pump skid' : undefined);
    expect(formatCondition({ ...cond, asset_id: 'as_1', tag_name: 'Level' }, names)).toBe(
      'Pump skid / Level > 80 for 30 s',
    );
    expect(formatCondition({ ...cond, asset_id: 'as_9', tag_name: 'Level' }, names)).toBe('as_9 / Level > 80 for 30 s');
  });

  it('joins conditions with the combinator', () => {
    const rule = {
      combinator: 'OR' as const,
      conditions: [
        cond,
        { ...cond, tag_name: 'T101.Temp', operator: '<=' as const, threshold: 5, duration_seconds: 0 },
      ],
    };
    expect(formatRuleConditions(rule)).toBe('T101.Level > 80 for 30 s OR T101.Temp <= 5');
  });

  it('says what it cannot read instead of hiding it', () => {
    expect(formatCondition({ ...cond, operator: 'approx', threshold: undefined })).toBe(
      'T101.Level (unknown operator) ? for 30 s',
    );
    expect(formatCondition({ ...cond, kind: 'ml_drift' })).toBe(
      'T101.Level (a condition kind this version does not know) > 80 for 30 s',
    );
  });

  it('formats seconds', () => {
    expect(formatSeconds(59)).toBe('59 s');
    expect(formatSeconds(90)).toBe('1 min 30 s');
    expect(formatSeconds(5400)).toBe('1 h 30 min');
    expect(formatSeconds(7200)).toBe('2 h');
  });
});
