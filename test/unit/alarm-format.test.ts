import { describe, expect, it } from 'vitest';
import {
  compareActive,
  fieldErrorMap,
  formatAlarmCondition,
  formatAlarmRule,
  formatPreview,
  formatRuleTiming,
  historyCsv,
  severityWords,
  sourceWords,
  tagLabel,
  tallyWords,
  worstSeverity,
  type AlarmFormatContext,
} from '../../renderer/src/lib/alarm-format.js';
import type { AlarmCounts, AlarmTally } from '../../main/domain/alarm/alarm-counts.js';
import type { AlarmHistoryEvent } from '../../main/domain/alarm/alarm-history-event.js';

const ctx: AlarmFormatContext = {
  tags: [
    { id: 1, deviceId: 10, name: 'T-101 level', unit: '%', address: 'HR 0' },
    { id: 2, deviceId: 20, name: 'T-101 level', unit: '%', address: 'ns=2;s=Level' },
    { id: 3, deviceId: 10, name: 'P-101 flow', unit: 'm³/h', address: 'HR 2' },
    { id: 4, deviceId: 10, name: 'Run count', unit: '', address: 'HR 4' },
  ],
  deviceName: (id) => ({ 10: 'Demo pump skid (Modbus)', 20: 'Demo pump skid (OPC UA)' })[id],
};

describe('alarm condition text', () => {
  it('names tags, with the device only when two devices share the name', () => {
    expect(tagLabel(3, ctx)).toBe('P-101 flow');
    expect(tagLabel(1, ctx)).toBe('Demo pump skid (Modbus) / T-101 level');
    expect(tagLabel(99, ctx)).toBe('tag #99 (deleted?)');
  });

  it('writes every condition kind with units', () => {
    expect(formatAlarmCondition({ kind: 'threshold', tagId: 3, operator: '>=', threshold: 12.5 }, ctx)).toBe(
      'P-101 flow >= 12.5 m³/h',
    );
    expect(formatAlarmCondition({ kind: 'threshold', tagId: 4, operator: '==', threshold: 0 }, ctx)).toBe(
      'Run count == 0',
    );
    expect(formatAlarmCondition({ kind: 'range', tagId: 3, operator: 'outside', low: 10, high: 20 }, ctx)).toBe(
      'P-101 flow outside 10 and 20 m³/h',
    );
    expect(formatAlarmCondition({ kind: 'rate', tagId: 3, operator: '>', perMinute: 2, windowSeconds: 300 }, ctx)).toBe(
      'P-101 flow changing faster than 2 m³/h/min (over 5 min)',
    );
    expect(formatAlarmCondition({ kind: 'stale', tagId: 3, afterSeconds: 90 }, ctx)).toBe(
      'P-101 flow: no new value for 1 min 30 s',
    );
    expect(formatAlarmCondition({ kind: 'quality', tagId: 3, includeUncertain: false }, ctx)).toBe(
      'P-101 flow quality bad',
    );
    expect(formatAlarmCondition({ kind: 'quality', tagId: 3, includeUncertain: true }, ctx)).toBe(
      'P-101 flow quality not good (bad or uncertain)',
    );
    expect(formatAlarmCondition({ kind: 'offline', deviceId: 20, afterSeconds: 30 }, ctx)).toBe(
      'Demo pump skid (OPC UA) offline for 30 s',
    );
    expect(formatAlarmCondition({ kind: 'offline', deviceId: 77, afterSeconds: 0 }, ctx)).toBe('device #77 offline');
  });

  it('joins conditions by the combinator and lists timing', () => {
    expect(
      formatAlarmRule(
        {
          combinator: 'OR',
          conditions: [
            { kind: 'threshold', tagId: 3, operator: '<', threshold: 2 },
            { kind: 'offline', deviceId: 10, afterSeconds: 0 },
          ],
        },
        ctx,
      ),
    ).toBe('P-101 flow < 2 m³/h OR Demo pump skid (Modbus) offline');
    expect(formatRuleTiming({ deadband: 2, deadbandMode: 'percent', onDelaySeconds: 10, offDelaySeconds: 0 })).toBe(
      'deadband 2 % of the limit, on after 10 s',
    );
    expect(formatRuleTiming({ deadband: 0, onDelaySeconds: 0, offDelaySeconds: 0 })).toBe('');
  });
});

describe('alarm ordering, preview and errors', () => {
  it('sorts worst severity first, then newest', () => {
    const list = [
      { severity: 'info' as const, activeSince: 5 },
      { severity: 'warning' as const, activeSince: 1 },
      { severity: 'critical' as const, activeSince: 2 },
      { severity: 'warning' as const, activeSince: 3 },
    ].sort(compareActive);
    expect(list.map((a) => `${a.severity}@${a.activeSince}`)).toEqual([
      'critical@2',
      'warning@3',
      'warning@1',
      'info@5',
    ]);
    expect(worstSeverity({ critical: 0, warning: 2, info: 1 })).toBe('warning');
    expect(worstSeverity({ critical: 0, warning: 0, info: 0 })).toBeNull();
  });

  it('says what the preview found', () => {
    const base = { from: 0, to: 3_600_000, samples: 3600, notes: [] };
    const t = (ms: number): string => `T${ms}`;
    expect(formatPreview({ ...base, raises: 3, activeSeconds: 720, firstRaiseAt: 42 }, 60, t)).toBe(
      'Would have raised 3 times in the last hour (active 12 min in total), first at T42.',
    );
    expect(formatPreview({ ...base, raises: 1, activeSeconds: 45, firstRaiseAt: 7 }, 60, t)).toBe(
      'Would have raised 1 time in the last hour (active 45 s in total), first at T7.',
    );
    expect(formatPreview({ ...base, raises: 0, activeSeconds: 0, firstRaiseAt: null }, 60, t)).toBe(
      'Would not have raised in the last hour (3600 samples checked).',
    );
  });

  it('keeps the first field problem per path', () => {
    expect(
      fieldErrorMap([
        { path: 'conditions.0.threshold', message: 'a' },
        { path: 'conditions.0.threshold', message: 'b' },
        { path: 'name', message: 'c' },
      ]),
    ).toEqual({ 'conditions.0.threshold': 'a', name: 'c' });
  });
});

describe('alarm history CSV', () => {
  it('has a header, ISO times and quoted notes', () => {
    const e: AlarmHistoryEvent = {
      id: 1,
      ts: Date.UTC(2025, 10, 29, 13, 3, 7),
      ruleId: 4,
      ruleName: 'T-101 level above 60 %',
      severity: 'warning',
      kind: 'acknowledged',
      from: 'active-unacked',
      to: 'active-acked',
      value: 80.5,
      unit: '%',
      actor: 'browser 127.0.0.1',
      note: 'Checked sight glass, inflow valve "stuck" open',
      shelved: false,
    };
    const lines = historyCsv([e, { ...e, id: 2, kind: 'cleared', note: null, value: null, shelved: true }]).split(
      '\r\n',
    );
    expect(lines[0]).toBe('time,rule_id,rule,severity,event,from_state,to_state,value,unit,who,note,shelved');
    expect(lines[1]).toBe(
      '2025-11-29T13:03:07.000Z,4,T-101 level above 60 %,warning,acknowledged,active-unacked,active-acked,80.5,%,' +
        'browser 127.0.0.1,"Checked sight glass, inflow valve ""stuck"" open",no',
    );
    expect(lines[2]).toBe(
      '2025-11-29T13:03:07.000Z,4,T-101 level above 60 %,warning,cleared,active-unacked,active-acked,,,browser 127.0.0.1,,yes',
    );
    expect(lines[3]).toBe('');
    expect(historyCsv([])).toBe('time,rule_id,rule,severity,event,from_state,to_state,value,unit,who,note,shelved\r\n');
  });
});

describe('banner counts in words', () => {
  const none = { active: 0, unacknowledged: 0, shelved: 0 };
  const counts = (local: AlarmTally, twinedge: AlarmTally = none): AlarmCounts => ({
    active: local.active + twinedge.active,
    unacknowledged: local.unacknowledged + twinedge.unacknowledged,
    shelved: local.shelved + twinedge.shelved,
    bySeverity: { critical: 1, warning: 2, info: 0 },
    bySource: { local, twinedge, server: none },
  });

  it('says all three counts, the active severities, and the sources when TwinEdge has any', () => {
    const c = counts({ active: 2, unacknowledged: 0, shelved: 1 }, { active: 1, unacknowledged: 1, shelved: 0 });
    expect(tallyWords(c).map((w) => w.text)).toEqual(['3 active', '1 unacknowledged', '1 shelved']);
    expect(severityWords(c.bySeverity)).toBe('1 critical, 2 warnings');
    expect(sourceWords(c)).toBe(
      'Local rules: 2 active, 0 unacknowledged, 1 shelved; TwinEdge: 1 active, 1 unacknowledged, 0 shelved',
    );
  });

  it('names no source when only local rules have alarms, and TwinEdge when it alone has', () => {
    expect(sourceWords(counts({ active: 1, unacknowledged: 1, shelved: 0 }))).toBe('');
    expect(sourceWords(counts(none, { active: 1, unacknowledged: 0, shelved: 0 }))).toBe(
      'TwinEdge: 1 active, 0 unacknowledged, 0 shelved',
    );
  });
});
