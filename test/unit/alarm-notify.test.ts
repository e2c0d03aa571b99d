import { describe, expect, it } from 'vitest';
import { alarmsToNotify, type RaisedAlarm } from '../../renderer/src/lib/alarm-notify.js';

const raised = (over: Partial<RaisedAlarm> = {}): RaisedAlarm => ({
  ruleId: 1,
  ruleName: 'T-101 level above 60 %',
  severity: 'warning',
  condition: 'T-101 level > 60 %',
  value: 80.25,
  unit: '%',
  shelved: false,
  at: 1000,
  ...over,
});

describe('which raised alarms notify', () => {
  it('notifies critical and warning, not info or shelved ones', () => {
    const seen = new Set<string>();
    const out = alarmsToNotify(
      [
        raised(),
        raised({
          ruleId: 2,
          severity: 'critical',
          ruleName: 'P-101 tripped',
          condition: 'P-101 tripped == 1',
          unit: '',
          value: 1,
        }),
        raised({ ruleId: 3, severity: 'info' }),
        raised({ ruleId: 4, shelved: true }),
      ],
      seen,
    );
    expect(out).toEqual([
      {
        title: 'Warning alarm: T-101 level above 60 %',
        body: 'T-101 level > 60 % (now 80.25 %)',
        tag: 'twinedge-alarm-1@1000',
      },
      { title: 'Critical alarm: P-101 tripped', body: 'P-101 tripped == 1 (now 1)', tag: 'twinedge-alarm-2@1000' },
    ]);
  });

  it('notifies each raise once, and a new raise of the same rule again', () => {
    const seen = new Set<string>();
    expect(alarmsToNotify([raised()], seen)).toHaveLength(1);
    expect(alarmsToNotify([raised()], seen)).toHaveLength(0);
    expect(alarmsToNotify([raised({ at: 2000 })], seen)).toHaveLength(1);
  });

  it('leaves out the value when there is none', () => {
    expect(alarmsToNotify([raised({ value: null })], new Set())[0]?.body).toBe('T-101 level > 60 %');
  });

  it('keeps its memory bounded', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1200; i++) alarmsToNotify([raised({ at: i })], seen);
    expect(seen.size).toBeLessThanOrEqual(1000);
    expect(alarmsToNotify([raised({ at: 1199 })], seen)).toHaveLength(0);
  });
});
