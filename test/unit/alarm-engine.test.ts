import { describe, expect, it } from 'vitest';
import { StatusCodes } from '../../main/domain/sample/status-codes.js';
import { type Sample } from '../../main/domain/sample/sample.js';
import { AlarmEngine } from '../../main/alerts/engine/alarm-engine.js';
import type { RuleRuntime, Transition } from '../../main/domain/alarm/alarm-runtime.js';
import {
  AlarmRuleInput,
  type AlarmCondition,
  type AlarmRule,
  type CompareOperator,
} from '../../main/domain/alarm/rule-schema.js';

const T0 = 1_700_000_000_000;

const rule = (id: number, conditions: AlarmCondition[], extra: Partial<AlarmRuleInput> = {}): AlarmRule => ({
  ...AlarmRuleInput.parse({ name: `rule ${id}`, severity: 'warning', conditions, ...extra }),
  id,
  source: 'local',
  cloudId: null,
  createdAt: T0,
  updatedAt: T0,
});

const gt = (threshold: number, tagId = 1): AlarmCondition => ({ kind: 'threshold', tagId, operator: '>', threshold });

/** An engine on a clock the test moves. */
const setup = (rules: AlarmRule[], restored?: RuleRuntime[]) => {
  let now = T0;
  const engine = new AlarmEngine({ now: () => now });
  engine.setRules(rules, restored);
  const at = (ms: number) => {
    now = T0 + ms;
  };
  const feed = (tagId: number, ...values: (number | null)[]) =>
    engine.onSamples(values.map((value) => ({ tagId, ts: now, value, quality: StatusCodes.Good })));
  return { engine, at, feed, advance: (ms: number) => at(now - T0 + ms) };
};

/** "kind from>to" per transition, for compact exact assertions. */
const brief = (ts: Transition[]) => ts.map((t) => `${t.kind} ${t.from}>${t.to}`);
const RAISE = 'raised normal>active-unacked';
const CLEAR = 'cleared active-unacked>cleared-unacked';

/** Feeds each value in its own batch; per value, the transitions it caused (comma separated, "" for none). */
const trace = (feed: (tag: number, ...v: number[]) => Transition[], values: number[]) =>
  values.map((v) => brief(feed(1, v)).join(','));

describe('threshold conditions', () => {
  const cases: [CompareOperator, number, number[], string[]][] = [
    ['>', 10, [10, 10.5], ['', RAISE]],
    ['>=', 10, [9.9, 10], ['', RAISE]],
    ['<', 10, [10, 9.9], ['', RAISE]],
    ['<=', 10, [10.1, 10], ['', RAISE]],
    ['==', 10, [10.001, 10], ['', RAISE]],
    ['!=', 10, [10, 10.001], ['', RAISE]],
  ];
  for (const [operator, threshold, values, expected] of cases) {
    it(`${operator} ${threshold}`, () => {
      const { feed } = setup([rule(1, [{ kind: 'threshold', tagId: 1, operator, threshold }], { ackMode: 'auto' })]);
      expect(trace(feed, values)).toEqual(expected);
    });
  }

  it('== and != compare exactly, ignoring the deadband', () => {
    const eq = setup([
      rule(1, [{ kind: 'threshold', tagId: 1, operator: '==', threshold: 10 }], { deadband: 5, ackMode: 'auto' }),
    ]);
    expect(trace(eq.feed, [10, 10.5, 10])).toEqual([RAISE, 'cleared active-unacked>normal', RAISE]);
    const ne = setup([
      rule(1, [{ kind: 'threshold', tagId: 1, operator: '!=', threshold: 10 }], { deadband: 5, ackMode: 'auto' }),
    ]);
    expect(trace(ne.feed, [10.5, 10])).toEqual([RAISE, 'cleared active-unacked>normal']);
  });

  it('clears when the value falls back', () => {
    const { feed } = setup([rule(1, [gt(80)])]);
    expect(trace(feed, [81, 80])).toEqual([RAISE, CLEAR]);
  });
});

describe('deadband', () => {
  it('absolute: > 80 with 2 stays true above 78 and clears at exactly 78', () => {
    const { feed } = setup([rule(1, [gt(80)], { deadband: 2 })]);
    expect(trace(feed, [80, 80.5, 80, 78.5, 78.0001, 78])).toEqual(['', RAISE, '', '', '', CLEAR]);
    // re-raise needs the limit itself again
    expect(trace(feed, [79, 80, 80.0001])).toEqual(['', '', 'raised cleared-unacked>active-unacked']);
  });

  it('absolute for >=, < and <=: exact edges', () => {
    const ge = setup([rule(1, [{ kind: 'threshold', tagId: 1, operator: '>=', threshold: 80 }], { deadband: 2 })]);
    expect(trace(ge.feed, [80, 78, 77.999])).toEqual([RAISE, '', CLEAR]);
    const lt = setup([rule(1, [{ kind: 'threshold', tagId: 1, operator: '<', threshold: 20 }], { deadband: 2 })]);
    expect(trace(lt.feed, [20, 19.5, 21.9, 22])).toEqual(['', RAISE, '', CLEAR]);
    const le = setup([rule(1, [{ kind: 'threshold', tagId: 1, operator: '<=', threshold: 20 }], { deadband: 2 })]);
    expect(trace(le.feed, [20, 22, 22.001])).toEqual([RAISE, '', CLEAR]);
  });

  it('percent of the limit magnitude: > 50 with 10 % clears at 45; negative limits use |limit|', () => {
    const { feed } = setup([rule(1, [gt(50)], { deadband: 10, deadbandMode: 'percent' })]);
    expect(trace(feed, [51, 45.001, 45])).toEqual([RAISE, '', CLEAR]);
    const neg = setup([
      rule(1, [{ kind: 'threshold', tagId: 1, operator: '<', threshold: -40 }], {
        deadband: 25,
        deadbandMode: 'percent',
      }),
    ]);
    expect(trace(neg.feed, [-41, -30.001, -30])).toEqual([RAISE, '', CLEAR]);
  });

  it('suppresses chatter around the limit', () => {
    const values = [79.5, 80.5, 79.8, 80.2, 79.6, 80.4, 79.9, 80.1, 79.7, 80.3, 77];
    const plain = setup([rule(1, [gt(80)], { ackMode: 'auto' })]);
    const noisy = values.flatMap((v) => plain.feed(1, v));
    expect(noisy.length).toBe(10); // 5 raises, 5 clears
    const damped = setup([rule(1, [gt(80)], { ackMode: 'auto', deadband: 1 })]);
    const quiet = values.flatMap((v) => damped.feed(1, v));
    expect(brief(quiet)).toEqual([RAISE, 'cleared active-unacked>normal']);
  });
});

describe('range conditions', () => {
  const range = (operator: 'between' | 'outside', low: number, high: number): AlarmCondition => ({
    kind: 'range',
    tagId: 1,
    operator,
    low,
    high,
  });

  it('between includes its limits and clears past them by the deadband', () => {
    const { feed } = setup([rule(1, [range('between', 10, 20)], { deadband: 1, ackMode: 'auto' })]);
    expect(trace(feed, [9.99, 10, 9, 8.999, 20, 21, 21.001])).toEqual([
      '',
      RAISE,
      '',
      'cleared active-unacked>normal',
      RAISE,
      '',
      'cleared active-unacked>normal',
    ]);
  });

  it('outside excludes its limits and clears inside [low + db, high − db]', () => {
    const { feed } = setup([rule(1, [range('outside', 10, 20)], { deadband: 1, ackMode: 'auto' })]);
    expect(trace(feed, [10, 20, 9.9, 10.5, 11, 20.01, 19.5, 19])).toEqual([
      '',
      '',
      RAISE,
      '',
      'cleared active-unacked>normal',
      RAISE,
      '',
      'cleared active-unacked>normal',
    ]);
  });

  it('outside with a deadband wider than the band clears anywhere inside [low, high]', () => {
    const { feed } = setup([rule(1, [range('outside', 10, 12)], { deadband: 5, ackMode: 'auto' })]);
    expect(trace(feed, [13, 12.5, 12])).toEqual([RAISE, '', 'cleared active-unacked>normal']);
  });

  it('percent deadband applies to each limit', () => {
    const { feed } = setup([
      rule(1, [range('between', 100, 200)], { deadband: 10, deadbandMode: 'percent', ackMode: 'auto' }),
    ]);
    // low 100 → 10, high 200 → 20
    expect(trace(feed, [150, 90, 89.9, 150, 220, 220.1])).toEqual([
      RAISE,
      '',
      'cleared active-unacked>normal',
      RAISE,
      '',
      'cleared active-unacked>normal',
    ]);
  });
});

describe('rate conditions', () => {
  const sample = (ts: number, value: number): Sample => ({ tagId: 1, ts, value, quality: StatusCodes.Good });

  it('rising: change per minute between the oldest and newest sample in the window', () => {
    const { engine } = setup([
      rule(1, [{ kind: 'rate', tagId: 1, operator: '>', perMinute: 10, windowSeconds: 60 }], { ackMode: 'auto' }),
    ]);
    expect(engine.onSamples([sample(T0, 0)])).toEqual([]); // one sample: no rate
    expect(engine.onSamples([sample(T0 + 30_000, 5)])).toEqual([]); // 10 / min: not above
    expect(brief(engine.onSamples([sample(T0 + 60_000, 10.5)]))).toEqual([RAISE]); // 10.5 / min
    // the window drops t0: (11 − 5) / 1 min from t30 to t90
    expect(brief(engine.onSamples([sample(T0 + 90_000, 11)]))).toEqual(['cleared active-unacked>normal']);
  });

  it('falling with a deadband: clears at exactly limit + deadband', () => {
    const { engine } = setup([
      rule(1, [{ kind: 'rate', tagId: 1, operator: '<', perMinute: -6, windowSeconds: 60 }], {
        deadband: 1,
        ackMode: 'auto',
      }),
    ]);
    expect(brief(engine.onSamples([sample(T0, 100), sample(T0 + 60_000, 93)]))).toEqual([RAISE]); // −7 / min
    expect(engine.onSamples([sample(T0 + 120_000, 87.5)])).toEqual([]); // −5.5: inside the deadband
    expect(brief(engine.onSamples([sample(T0 + 180_000, 82.5)]))).toEqual(['cleared active-unacked>normal']); // −5
  });

  it('out-of-order samples are ignored by the window', () => {
    const { engine } = setup([
      rule(1, [{ kind: 'rate', tagId: 1, operator: '>', perMinute: 5, windowSeconds: 60 }], { ackMode: 'auto' }),
    ]);
    expect(engine.onSamples([sample(T0 + 60_000, 0), sample(T0, 100), sample(T0 + 120_000, 4)])).toEqual([]);
  });

  it('too few samples in the window: unknown at first, false once it had been evaluated', () => {
    const { engine } = setup([
      rule(1, [{ kind: 'rate', tagId: 1, operator: '>', perMinute: 1, windowSeconds: 10 }], { ackMode: 'auto' }),
    ]);
    expect(engine.onSamples([sample(T0, 0), sample(T0 + 60_000, 100)])).toEqual([]); // samples a minute apart
    expect(brief(engine.onSamples([sample(T0 + 65_000, 110)]))).toEqual([RAISE]);
    expect(brief(engine.onSamples([sample(T0 + 120_000, 200)]))).toEqual(['cleared active-unacked>normal']);
  });
});

describe('stale, quality and offline', () => {
  it('stale fires after afterSeconds without a sample and clears on a new one', () => {
    const { engine, at, feed } = setup([rule(1, [{ kind: 'stale', tagId: 1, afterSeconds: 30 }])]);
    at(29_999);
    expect(engine.tick()).toEqual([]); // measured from setRules before any sample
    at(30_000);
    expect(brief(engine.tick())).toEqual([RAISE]);
    at(31_000);
    expect(brief(feed(1, null))).toEqual([CLEAR]); // any sample counts, even without a value
    at(60_999);
    expect(engine.tick()).toEqual([]);
    at(61_000);
    expect(brief(engine.tick())).toEqual(['raised cleared-unacked>active-unacked']);
  });

  it('quality: bad only, or with includeUncertain anything not good', () => {
    const q = (quality: number): Sample[] => [{ tagId: 1, ts: T0, value: 1, quality }];
    const bad = setup([rule(1, [{ kind: 'quality', tagId: 1, includeUncertain: false }], { ackMode: 'auto' })]);
    expect(bad.engine.onSamples(q(StatusCodes.UncertainLastUsableValue))).toEqual([]);
    expect(brief(bad.engine.onSamples(q(StatusCodes.BadTimeout)))).toEqual([RAISE]);
    expect(brief(bad.engine.onSamples(q(StatusCodes.Good)))).toEqual(['cleared active-unacked>normal']);
    const unc = setup([rule(1, [{ kind: 'quality', tagId: 1, includeUncertain: true }], { ackMode: 'auto' })]);
    expect(brief(unc.engine.onSamples(q(StatusCodes.UncertainLastUsableValue)))).toEqual([RAISE]);
    expect(unc.engine.onSamples(q(StatusCodes.Bad))).toEqual([]);
    // a text sample updates quality too
    expect(brief(unc.engine.onSamples([{ tagId: 1, ts: T0, value: null, quality: 0, text: 'ok' }]))).toEqual([
      'cleared active-unacked>normal',
    ]);
  });

  it("offline: 'error' for afterSeconds; degraded, connecting and disabled are not offline", () => {
    const { engine, at } = setup([rule(1, [{ kind: 'offline', deviceId: 7, afterSeconds: 10 }])]);
    expect(engine.onDeviceState(7, 'degraded')).toEqual([]);
    expect(engine.onDeviceState(7, 'disabled')).toEqual([]);
    expect(engine.onDeviceState(7, 'error')).toEqual([]);
    at(9_999);
    expect(engine.tick()).toEqual([]);
    expect(engine.onDeviceState(7, 'error')).toEqual([]); // repeated 'error' keeps the original start
    at(10_000);
    expect(brief(engine.tick())).toEqual([RAISE]);
    at(12_000);
    expect(brief(engine.onDeviceState(7, 'connecting'))).toEqual([CLEAR]);
    expect(engine.onDeviceState(8, 'error')).toEqual([]); // other device
  });

  it('offline with afterSeconds 0 raises at once', () => {
    const { engine } = setup([rule(1, [{ kind: 'offline', deviceId: 7, afterSeconds: 0 }])]);
    expect(brief(engine.onDeviceState(7, 'error'))).toEqual([RAISE]);
  });
});

describe('combinators', () => {
  it('AND needs every condition, OR any', () => {
    const conds = [gt(10, 1), gt(10, 2)];
    const and = setup([rule(1, conds, { combinator: 'AND', ackMode: 'auto' })]);
    expect(and.feed(1, 11)).toEqual([]);
    expect(brief(and.feed(2, 11))).toEqual([RAISE]);
    expect(brief(and.feed(1, 9))).toEqual(['cleared active-unacked>normal']);
    const or = setup([rule(1, conds, { combinator: 'OR', ackMode: 'auto' })]);
    expect(brief(or.feed(1, 11))).toEqual([RAISE]);
    expect(or.feed(2, 11)).toEqual([]);
    expect(or.feed(1, 9)).toEqual([]);
    expect(brief(or.feed(2, 9))).toEqual(['cleared active-unacked>normal']);
  });
});

describe('delays', () => {
  it('on-delay: a dip cancels the pending raise; tick completes it', () => {
    const { engine, at, feed } = setup([rule(1, [gt(10)], { onDelaySeconds: 5 })]);
    expect(feed(1, 11)).toEqual([]);
    at(3_000);
    expect(feed(1, 9)).toEqual([]); // cancelled
    at(4_000);
    expect(feed(1, 12)).toEqual([]);
    at(8_999);
    expect(engine.tick()).toEqual([]);
    at(9_000);
    expect(engine.tick()).toEqual([
      {
        ruleId: 1,
        kind: 'raised',
        from: 'normal',
        to: 'active-unacked',
        ts: T0 + 9_000,
        value: 12,
        actor: 'system',
        note: null,
        shelved: false,
      },
    ]);
    expect(engine.tick()).toEqual([]);
  });

  it('on-delay completed by a later sample of its tag, or by the tick, stamped when it ran out', () => {
    const { engine, at, feed } = setup([rule(1, [gt(10)], { onDelaySeconds: 5 })]);
    feed(1, 11);
    at(6_000);
    // A sample of another tag (maybe another device, another clock) says nothing about this rule's time.
    expect(feed(2, 0)).toEqual([]);
    expect(engine.tick().map((t) => [t.kind, t.ts - T0])).toEqual([['raised', 5_000]]);
    const again = setup([rule(1, [gt(10)], { onDelaySeconds: 5 })]);
    again.feed(1, 11);
    again.at(6_000);
    expect(again.feed(1, 12).map((t) => [t.kind, t.ts - T0, t.value])).toEqual([['raised', 5_000, 11]]);
  });

  it('off-delay: a bounce keeps the alarm active without extra events', () => {
    const { engine, at, feed } = setup([rule(1, [gt(10)], { offDelaySeconds: 5 })]);
    expect(brief(feed(1, 11))).toEqual([RAISE]);
    at(1_000);
    expect(feed(1, 9)).toEqual([]);
    at(4_000);
    expect(feed(1, 11)).toEqual([]); // back before the off-delay: stays active
    at(5_000);
    expect(feed(1, 9)).toEqual([]);
    at(9_999);
    expect(engine.tick()).toEqual([]);
    at(10_000);
    expect(brief(engine.tick())).toEqual([CLEAR]);
  });
});

describe('lifecycle', () => {
  it('ack before clear → active-acked → normal', () => {
    const { engine, at, feed } = setup([rule(1, [gt(10)])]);
    feed(1, 11);
    at(1_000);
    expect(engine.acknowledge(1, 'op', 'seen')).toEqual({
      ruleId: 1,
      kind: 'acknowledged',
      from: 'active-unacked',
      to: 'active-acked',
      ts: T0 + 1_000,
      value: 11,
      actor: 'op',
      note: 'seen',
      shelved: false,
    });
    expect(engine.acknowledge(1, 'op', null)).toBeNull(); // already acked
    expect(engine.runtime(1)).toMatchObject({ ackedAt: T0 + 1_000, ackedBy: 'op', ackNote: 'seen' });
    at(2_000);
    expect(brief(feed(1, 5))).toEqual(['cleared active-acked>normal']);
    expect(engine.acknowledge(1, 'op', null)).toBeNull(); // normal
    expect(engine.activeRuntimes()).toEqual([]);
  });

  it('clear before ack → cleared-unacked → ack → normal; re-raise from cleared-unacked resets the ack fields', () => {
    const { engine, at, feed } = setup([rule(1, [gt(10)])]);
    feed(1, 11);
    at(1_000);
    expect(brief(feed(1, 9))).toEqual([CLEAR]);
    expect(engine.runtime(1)).toMatchObject({ state: 'cleared-unacked', activeSince: T0, clearedAt: T0 + 1_000 });
    expect(engine.activeRuntimes().map((r) => r.state)).toEqual(['cleared-unacked']);
    expect(brief([engine.acknowledge(1, 'op', null)!])).toEqual(['acknowledged cleared-unacked>normal']);
    at(2_000);
    feed(1, 12);
    at(3_000);
    engine.acknowledge(1, 'op', 'x');
    feed(1, 9);
    at(4_000);
    expect(brief(feed(1, 13))).toEqual([RAISE]);
    feed(1, 9);
    at(5_000);
    expect(brief(feed(1, 14))).toEqual(['raised cleared-unacked>active-unacked']);
    expect(engine.runtime(1)).toMatchObject({
      state: 'active-unacked',
      activeSince: T0 + 5_000,
      clearedAt: null,
      ackedAt: null,
      ackedBy: null,
      ackNote: null,
      lastValue: 14,
    });
  });

  it('auto ack mode clears straight to normal', () => {
    const { feed } = setup([rule(1, [gt(10)], { ackMode: 'auto' })]);
    expect(brief([...feed(1, 11), ...feed(1, 9)])).toEqual([RAISE, 'cleared active-unacked>normal']);
  });
});

describe('shelving', () => {
  it('marks transitions while shelved; tick unshelves at until', () => {
    const { engine, at, feed } = setup([rule(1, [gt(10)])]);
    expect(engine.shelve(1, T0 - 1, 'op', null)).toBeNull(); // already over
    expect(engine.shelve(1, T0 + 10_000, 'op', 'maintenance')).toEqual({
      ruleId: 1,
      kind: 'shelved',
      from: 'normal',
      to: 'normal',
      ts: T0,
      value: null,
      actor: 'op',
      note: 'maintenance',
      shelved: true,
    });
    const raised = feed(1, 11);
    expect(raised.map((t) => [t.kind, t.shelved])).toEqual([['raised', true]]);
    expect(engine.activeRuntimes()).toHaveLength(1);
    at(9_999);
    expect(engine.tick()).toEqual([]);
    at(10_000);
    expect(engine.tick()).toEqual([
      {
        ruleId: 1,
        kind: 'unshelved',
        from: 'active-unacked',
        to: 'active-unacked',
        ts: T0 + 10_000,
        value: 11,
        actor: 'system',
        note: null,
        shelved: true,
      },
    ]);
    expect(feed(1, 9).map((t) => [t.kind, t.shelved])).toEqual([['cleared', false]]);
    expect(engine.runtime(1)?.shelvedUntil).toBeNull();
  });

  it('unshelve early', () => {
    const { engine, at } = setup([rule(1, [gt(10)])]);
    engine.shelve(1, T0 + 60_000, 'op', null);
    at(1_000);
    expect(brief([engine.unshelve(1, 'op')!])).toEqual(['unshelved normal>normal']);
    expect(engine.unshelve(1, 'op')).toBeNull();
    at(60_000);
    expect(engine.tick()).toEqual([]);
  });
});

describe('restart and rule changes', () => {
  const active: RuleRuntime = {
    ruleId: 1,
    state: 'active-unacked',
    activeSince: T0 - 60_000,
    clearedAt: null,
    ackedAt: null,
    ackedBy: null,
    ackNote: null,
    shelvedUntil: null,
    lastValue: 15,
  };

  it('a restored active alarm is not raised again and clears later', () => {
    const { engine, at, feed } = setup([rule(1, [gt(10)], { offDelaySeconds: 2 })], [active]);
    expect(engine.tick()).toEqual([]);
    expect(feed(1, 12)).toEqual([]); // still true: no duplicate raise
    expect(engine.runtime(1)).toMatchObject({ state: 'active-unacked', activeSince: T0 - 60_000, lastValue: 12 });
    at(1_000);
    expect(feed(1, 5)).toEqual([]);
    at(3_000);
    expect(brief(engine.tick())).toEqual([CLEAR]);
  });

  it('a restored active stale alarm holds until a sample arrives or the stale time passes again', () => {
    const { engine, at, feed } = setup([rule(1, [{ kind: 'stale', tagId: 1, afterSeconds: 30 }])], [active]);
    at(30_000);
    expect(engine.tick()).toEqual([]);
    expect(brief(feed(1, 1))).toEqual([CLEAR]);
  });

  it('a restored active offline alarm holds while its delay runs', () => {
    const { engine, at } = setup([rule(1, [{ kind: 'offline', deviceId: 3, afterSeconds: 10 }])], [active]);
    expect(engine.onDeviceState(3, 'error')).toEqual([]);
    at(10_000);
    expect(engine.tick()).toEqual([]);
    expect(brief(engine.onDeviceState(3, 'connected'))).toEqual([CLEAR]);
  });

  it('setRules keeps state and condition memory of unchanged rules; changed ones re-evaluate', () => {
    const r1 = rule(1, [gt(80)], { deadband: 5 });
    const r2 = rule(2, [gt(80, 2)], { deadband: 5 });
    const { engine, feed } = setup([r1, r2]);
    feed(1, 90);
    feed(2, 90);
    feed(1, 77); // inside the deadband: still true
    feed(2, 77);
    engine.setRules([
      { ...r1, name: 'renamed' },
      { ...r2, conditions: [gt(70, 2)] },
    ]);
    expect(engine.runtime(1)?.state).toBe('active-unacked');
    expect(engine.runtime(2)?.state).toBe('active-unacked');
    expect(feed(1, 76)).toEqual([]); // memory kept: still inside the deadband
    expect(feed(2, 71)).toEqual([]); // re-evaluated: true, already active, no new raise
    expect(brief(feed(2, 64))).toEqual([CLEAR]);
    expect(brief(feed(1, 75))).toEqual([CLEAR]);
  });

  it('a rule that becomes disabled clears on setRules (returned by the next call) and is not evaluated', () => {
    const r1 = rule(1, [gt(10)]);
    const { engine, feed } = setup([r1, rule(2, [gt(10)], { ackMode: 'auto' })]);
    feed(1, 11);
    engine.acknowledge(1, 'op', null);
    engine.setRules([{ ...r1, enabled: false }]);
    expect(engine.runtime(2)).toBeNull(); // removed
    expect(brief(engine.tick())).toEqual(['cleared active-acked>normal']);
    expect(feed(1, 20)).toEqual([]);
    expect(engine.activeRuntimes()).toEqual([]);
  });

  it('disabled rules are not evaluated', () => {
    const { feed, engine } = setup([rule(1, [gt(10)], { enabled: false })]);
    expect(feed(1, 11)).toEqual([]);
    expect(engine.runtime(1)?.state).toBe('normal');
  });
});

describe('values', () => {
  it('null and non-finite values leave value conditions unchanged', () => {
    const { engine, feed } = setup([rule(1, [gt(10)])]);
    expect(brief(feed(1, 11))).toEqual([RAISE]);
    expect(feed(1, null, NaN, -Infinity)).toEqual([]);
    expect(engine.runtime(1)?.lastValue).toBe(11);
    expect(feed(1, Infinity)).toEqual([]);
    expect(brief(feed(1, 1))).toEqual([CLEAR]);
  });

  it('a spike inside one batch raises and clears', () => {
    const { feed } = setup([rule(1, [gt(10)], { ackMode: 'auto' })]);
    expect(feed(1, 5, 11, 5).map((t) => [t.kind, t.value])).toEqual([
      ['raised', 11],
      ['cleared', 5],
    ]);
  });

  it('transitions carry the first value condition’s tag value (null without one)', () => {
    const bad = (tagId: number): Sample[] => [{ tagId, ts: T0, value: 99, quality: StatusCodes.Bad }];
    const { engine, feed } = setup([
      rule(1, [{ kind: 'quality', tagId: 2, includeUncertain: false }, gt(10, 3)], { combinator: 'OR' }),
      rule(2, [{ kind: 'quality', tagId: 4, includeUncertain: false }]),
    ]);
    feed(3, 4);
    expect(engine.onSamples(bad(2)).map((t) => [t.kind, t.value])).toEqual([['raised', 4]]);
    expect(engine.onSamples(bad(4)).map((t) => [t.kind, t.value])).toEqual([['raised', null]]);
  });
});

/**
 * Sample time: transitions are stamped with the time of the samples that caused them, and delays run on the
 * samples' clock, so samples that arrive late (held while the store refused writes, a collector catching up, a
 * device whose clock differs from ours) give the same alarms, at the same times, as samples arriving at once.
 */
describe('sample time', () => {
  const at = (tagId: number, ts: number, value: number): Sample => ({ tagId, ts, value, quality: 0 });
  /** "kind@ms after T0" per transition. */
  const when = (ts: Transition[]) => ts.map((t) => `${t.kind}@${t.ts - T0}`);

  it('raised and cleared carry the sample time, not the time the engine saw the sample', () => {
    const { engine, at: clock } = setup([rule(1, [gt(80)], { ackMode: 'auto' })]);
    clock(120_000); // the engine sees them two minutes late
    expect(when(engine.onSamples([at(1, T0 + 1_000, 79), at(1, T0 + 2_000, 85), at(1, T0 + 7_000, 70)]))).toEqual([
      'raised@2000',
      'cleared@7000',
    ]);
    expect(engine.runtime(1)).toMatchObject({ activeSince: T0 + 2_000, clearedAt: T0 + 7_000 });
  });

  it('on- and off-delays run on sample time inside one late batch', () => {
    const { engine, at: clock } = setup([rule(1, [gt(80)], { onDelaySeconds: 5, offDelaySeconds: 3 })]);
    clock(60_000);
    const seconds = [85, 85, 70, 85, 85, 85, 85, 85, 85, 70, 85, 70, 70, 70, 70, 70];
    const batch = seconds.map((v, i) => at(1, T0 + i * 1000, v));
    // Above from 3 s (the dip at 2 s restarted the on-delay): raised at 8 s. Below from 11 s (the bounce at 10 s
    // restarted the off-delay): cleared at 14 s.
    expect(when(engine.onSamples(batch))).toEqual(['raised@8000', 'cleared@14000']);
  });

  it('a delay completes while the value stays, on the rule’s own clock run on from its newest sample', () => {
    // The device's clock is an hour behind ours; its samples arrive as they are taken.
    const skew = -3_600_000;
    const { engine, at: clock } = setup([rule(1, [gt(80)], { onDelaySeconds: 5 }), rule(2, [gt(80, 2)])]);
    expect(engine.onSamples([at(1, T0 + skew, 85)])).toEqual([]);
    clock(3_000);
    // A sample of another device (clock right) says nothing about how long tag 1 has been above.
    expect(when(engine.onSamples([at(2, T0 + 3_000, 90)]))).toEqual(['raised@3000']);
    clock(4_999);
    expect(engine.tick()).toEqual([]);
    clock(5_000);
    expect(when(engine.tick())).toEqual([`raised@${skew + 5_000}`]);
  });

  it('a later sample completes a pending delay at the moment it ran out, then applies its own value', () => {
    const { engine } = setup([rule(1, [gt(80)], { onDelaySeconds: 5, ackMode: 'auto' })]);
    expect(engine.onSamples([at(1, T0, 85)])).toEqual([]);
    // Nothing for 9 s (report by exception), then a value below: the alarm was active from 5 s to 9 s.
    expect(engine.onSamples([at(1, T0 + 9_000, 70)]).map((t) => [t.kind, t.ts - T0, t.value])).toEqual([
      ['raised', 5_000, 85],
      ['cleared', 9_000, 70],
    ]);
  });

  it('stale is measured on our clock (arrivals), stamped on the tag’s clock', () => {
    const skew = -3_600_000;
    const { engine, at: clock } = setup([rule(1, [{ kind: 'stale', tagId: 1, afterSeconds: 30 }])]);
    expect(engine.onSamples([at(1, T0 + skew, 1)])).toEqual([]); // old source time, but it did arrive
    clock(29_999);
    expect(engine.tick()).toEqual([]);
    clock(31_000);
    expect(when(engine.tick())).toEqual([`raised@${skew + 30_000}`]);
    clock(40_000);
    expect(when(engine.onSamples([at(1, T0 + skew + 40_000, 2)]))).toEqual([`cleared@${skew + 40_000}`]);
  });

  it('shelving is judged on our clock whatever the sample time', () => {
    const { engine } = setup([rule(1, [gt(80)])]);
    engine.shelve(1, T0 + 60_000, 'op', null);
    const [raised] = engine.onSamples([at(1, T0 + 3_600_000, 85)]); // a device clock an hour ahead
    expect(raised).toMatchObject({ kind: 'raised', ts: T0 + 3_600_000, shelved: true });
  });
});
