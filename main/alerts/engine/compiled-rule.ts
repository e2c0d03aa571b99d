import type { RuleRuntime } from '../../domain/alarm/alarm-runtime.js';
import type { AlarmRule } from '../../domain/alarm/rule-schema.js';
import { Condition } from './condition.js';
import type { TagClock } from './tag-clock.js';
import { FALSE, TRUE, UNKNOWN, type Truth } from './truth.js';

/** What must be equal for a rule to keep its condition memory across setRules. */
export const conditionsKey = (rule: AlarmRule): string =>
  JSON.stringify([rule.enabled, rule.conditions, rule.deadband, rule.deadbandMode]);

export const freshRuntime = (ruleId: number): RuleRuntime => ({
  ruleId,
  state: 'normal',
  activeSince: null,
  clearedAt: null,
  ackedAt: null,
  ackedBy: null,
  ackNote: null,
  shelvedUntil: null,
  lastValue: null,
});

/**
 * A rule as the engine evaluates it: its compiled conditions, counts of true and false ones (so a condition change
 * re-combines the rule in O(1)), the combined truth and since when it holds (for the on/off delays), the rule's
 * clock, and the lifecycle runtime.
 *
 * The rule's clock is sample time: the newest source timestamp among samples of its tags, run on by the wall time
 * passed since that sample was seen when no newer one has come. Running on means "the value holds until a sample
 * says otherwise" (OPC UA reports changes only), so an on-delay completes while the value stays. The clock is the
 * rule's own (from its tags) because devices' clocks differ: a sample from another device says nothing about how
 * long this rule's condition has held. Without samples of its tags (yet, or an offline-only rule) it is the wall
 * clock.
 */
export class CompiledRule {
  readonly conditions: Condition[];
  readonly key: string;
  /** Tag of the first value condition (threshold/range/rate), whose latest value transitions carry. */
  readonly valueTagId: number | null;
  trueCount = 0;
  falseCount = 0;
  truth: Truth = UNKNOWN;
  truthSince: number;
  /** In the engine's set of rules waiting for an on/off delay. */
  pending = false;
  /** The clocks of the tags its conditions read, once each (set by the engine's index). */
  clocks: TagClock[] = [];

  constructor(
    public rule: AlarmRule,
    public runtime: RuleRuntime,
    now: number,
    keep?: CompiledRule,
  ) {
    this.key = conditionsKey(rule);
    this.truthSince = now;
    if (keep && keep.key === this.key) {
      this.conditions = keep.conditions;
      for (const c of this.conditions) c.rule = this;
      this.trueCount = keep.trueCount;
      this.falseCount = keep.falseCount;
      this.truth = keep.truth;
      this.truthSince = keep.truthSince;
    } else {
      this.conditions = rule.enabled ? rule.conditions.map((c) => new Condition(this, c, rule, now)) : [];
    }
    let valueTagId: number | null = null;
    for (const c of rule.conditions) {
      if (c.kind === 'threshold' || c.kind === 'range' || c.kind === 'rate') {
        valueTagId = c.tagId;
        break;
      }
    }
    this.valueTagId = valueTagId;
  }

  /** The rule's time at wall time `wall`: its tags' newest sample time, run on since that sample was seen. */
  clock(wall: number): number {
    const clocks = this.clocks;
    let ts = -Infinity;
    let seenAt = 0;
    for (let i = 0; i < clocks.length; i++) {
      const c = clocks[i]!;
      if (c.ts > ts) {
        ts = c.ts;
        seenAt = c.wall;
      }
    }
    return ts === -Infinity ? wall : ts + (wall - seenAt);
  }

  /** Its tags' newest sample time (the time of a change a sample makes; never earlier than the rule has seen). */
  dataTime(fallback: number): number {
    const clocks = this.clocks;
    let ts = -Infinity;
    for (let i = 0; i < clocks.length; i++) if (clocks[i]!.ts > ts) ts = clocks[i]!.ts;
    return ts === -Infinity ? fallback : ts;
  }

  /** Waits for a delay that runs out at `due` (sample time): a sample of its tags from then on settles it. */
  waitUntil(due: number): void {
    for (const c of this.clocks) if (due < c.nextDue) c.nextDue = due;
  }

  /** AND: true when all are true, false when any is false; OR: true when any is true, false when all are false. */
  combine(): Truth {
    const n = this.conditions.length;
    if (n === 0) return UNKNOWN;
    if (this.rule.combinator === 'OR') {
      return this.trueCount > 0 ? TRUE : this.falseCount === n ? FALSE : UNKNOWN;
    }
    return this.trueCount === n ? TRUE : this.falseCount > 0 ? FALSE : UNKNOWN;
  }

  /** Applies a condition's new truth; returns whether the rule's combined truth changed (then truthSince = now). */
  apply(condition: Condition, truth: Truth, now: number): boolean {
    if (condition.truth === TRUE) this.trueCount--;
    else if (condition.truth === FALSE) this.falseCount--;
    condition.truth = truth;
    if (truth === TRUE) this.trueCount++;
    else if (truth === FALSE) this.falseCount++;
    return this.recombine(now);
  }

  recombine(now: number): boolean {
    const truth = this.combine();
    if (truth === this.truth) return false;
    this.truth = truth;
    this.truthSince = now;
    return true;
  }
}
