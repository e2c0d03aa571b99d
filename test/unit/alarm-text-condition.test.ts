import { describe, expect, it } from 'vitest';
import { StatusCodes } from '../../main/domain/sample/status-codes.js';
import { AlarmEngine } from '../../main/alerts/engine/alarm-engine.js';
import type { Transition } from '../../main/domain/alarm/alarm-runtime.js';
import { conditionText } from '../../main/domain/alarm/condition-text.js';
import { toCloudRule } from '../../main/sync/cloud-rules.js';
import { AlarmRuleInput, type AlarmRule, type TextOperator } from '../../main/domain/alarm/rule-schema.js';

const T0 = 1_700_000_000_000;
const rule = (operator: TextOperator, text = 'FAULT', extra: Partial<AlarmRuleInput> = {}): AlarmRule => ({
  ...AlarmRuleInput.parse({
    name: 'text rule',
    severity: 'warning',
    conditions: [{ kind: 'text', tagId: 1, operator, text }],
    ackMode: 'auto',
    ...extra,
  }),
  id: 1,
  source: 'local',
  cloudId: null,
  createdAt: T0,
  updatedAt: T0,
});
const brief = (ts: Transition[]) => ts.map((t) => t.kind).join(',');

/** Feeds one sample per entry (text, or a number / null for a non-text sample); the transitions each caused. */
const trace = (r: AlarmRule, samples: (string | number | null)[]): string[] => {
  const engine = new AlarmEngine({ now: () => T0 });
  engine.setRules([r]);
  return samples.map((s) =>
    brief(
      engine.onSamples([
        typeof s === 'string'
          ? { tagId: 1, ts: T0, value: null, quality: StatusCodes.Good, text: s }
          : { tagId: 1, ts: T0, value: s, quality: s === null ? StatusCodes.BadNoCommunication : StatusCodes.Good },
      ]),
    ),
  );
};

describe('text conditions', () => {
  it('changes to: a rule made after the tag has a text starts from it, so the next change raises', () => {
    const engine = new AlarmEngine({ now: () => T0 });
    const text = (t: string, ts: number) => [{ tagId: 1, ts, value: null, quality: StatusCodes.Good, text: t }];
    engine.setRules([]);
    expect(brief(engine.onSamples(text('B-1', T0)))).toBe('');
    engine.setRules([rule('changes-to', 'B-7')]);
    // The first sample the rule sees is already the change (written right after the rule was saved).
    expect(brief(engine.onSamples(text('B-7', T0 + 1000)))).toBe('raised');
    // A rule whose conditions are kept (same id and conditions) keeps what it saw.
    engine.setRules([rule('changes-to', 'B-7', { name: 'renamed' })]);
    expect(brief(engine.onSamples(text('B-7', T0 + 2000)))).toBe('');
  });

  it('equals: raised while the text is exactly the value, cleared when it is another', () => {
    expect(trace(rule('equals'), ['OK', 'FAULT', 'FAULT', 'fault', 'FAULT ', 'FAULT', 'OK'])).toEqual([
      '',
      'raised',
      '',
      'cleared', // exact, case-sensitive
      '',
      'raised',
      'cleared',
    ]);
  });

  it('equals at the first sample raises (the text is what it is)', () => {
    expect(trace(rule('equals'), ['FAULT'])).toEqual(['raised']);
  });

  it('changes to: raised on each change to the value, not for a value it already had at start', () => {
    expect(trace(rule('changes-to'), ['FAULT', 'FAULT', 'OK', 'FAULT', 'FAULT', 'OK', 'STOP', 'FAULT'])).toEqual([
      '', // the first text seen: no change witnessed
      '',
      '',
      'raised',
      '', // the same text again is no new change
      'cleared',
      '',
      'raised',
    ]);
  });

  it('samples without text (numbers, Bad without value) leave both as they are', () => {
    expect(trace(rule('equals'), ['FAULT', 3, null, 'OK'])).toEqual(['raised', '', '', 'cleared']);
    expect(trace(rule('changes-to'), ['OK', null, 'FAULT', 7, 'FAULT'])).toEqual(['', '', 'raised', '', '']);
  });

  it('validates, reads in plain words, and stays local (TwinEdge rules have no text conditions)', () => {
    expect(
      AlarmRuleInput.safeParse({
        ...rule('equals'),
        conditions: [{ kind: 'text', tagId: 1, operator: 'equals', text: '' }],
      }).success,
    ).toBe(false);
    const tag = () => ({ name: 'Batch state', unit: '' });
    const r = rule('changes-to', 'Aborted');
    expect(conditionText(r.conditions[0]!, tag, () => null)).toBe('Batch state changes to “Aborted”');
    expect(conditionText(rule('equals', 'Idle').conditions[0]!, tag, () => null)).toBe('Batch state is “Idle”');
    expect(() => toCloudRule(r, { toCloud: () => null, toLocal: () => null })).toThrow(/no "text" conditions/);
  });
});
