import type { Sample } from '../../domain/sample/sample.js';
import type { DeviceState } from '../../domain/device/device-state.js';
import type { AlarmEngineApi, AlarmEngineOptions, RuleRuntime, Transition } from '../../domain/alarm/alarm-runtime.js';
import type { AlarmEventKind, AlarmRule, AlarmState } from '../../domain/alarm/rule-schema.js';
import { CompiledRule, freshRuntime } from './compiled-rule.js';
import { CondKind, type Condition } from './condition.js';
import { acknowledgedState, clearedState, isActive, raisedState } from './lifecycle.js';
import { RateWindow } from './rate-window.js';
import { TagClock } from './tag-clock.js';
import { FALSE, TRUE, type Truth } from './truth.js';

/** Everything one tag's sample touches. */
interface TagEntry {
  clock: TagClock;
  windows: RateWindow[];
  conditions: Condition[];
  /** Rules whose first value condition reads this tag (their runtime.lastValue follows it). */
  valueRules: CompiledRule[];
}

/**
 * The alarm engine: pure logic, no I/O and no timers (the service calls tick() about once a second).
 *
 * - Conditions are indexed by tag and by device; a sample re-evaluates only its tag's conditions and a condition
 *   change re-combines only its rule (true/false counts). Rules are evaluated sample by sample, so a spike inside
 *   one batch still raises (and clears) an alarm without delays. The wall clock (now()) is read once per call.
 * - Two clocks. Sample time: value, rate, quality and text conditions change at the time of the sample that
 *   changed them, and on/off delays run on the rule's clock (CompiledRule: its tags' newest sample time, run on
 *   by wall time while no newer sample comes), so a raise or clear is stamped with sample time: the sample's own
 *   time, or the moment its delay ran out. Samples that arrive late (held while the store refused writes, a batch
 *   caught up after an outage) therefore raise the same alarms at the same times as samples arriving at once. The
 *   wall clock: stale (no sample arrived for afterSeconds) and offline (device in 'error' for afterSeconds) are
 *   about data or a connection that is missing, which only our own clock can measure; their changes are stamped
 *   on the rule's clock at the moment the wall-clock time ran out. Shelving and user actions are on the wall clock.
 * - Values: null, non-finite and text samples leave threshold/range/rate conditions unchanged (they still count
 *   for stale and quality). A finite value is used whatever its quality; add a quality condition to gate on it.
 * - Rate windows use the samples' source timestamps, are shared per (tag, window) and survive setRules.
 * - offline: the device state 'error' for at least afterSeconds. 'disabled' (switched off by the user),
 *   'degraded' (answering slowly) and 'connecting' are not offline.
 * - A condition is unknown until evaluated from data; an unknown rule neither raises nor clears. A restored (or
 *   changed) rule therefore keeps its lifecycle state until its conditions are evaluated: a restored active alarm
 *   whose conditions still hold is not raised again, and clears normally once they are false (after the off-delay).
 * - setRules: rules with the same id, enabled flag, conditions and deadband keep their condition memory; others
 *   keep (or take from `restored`) their lifecycle state but re-evaluate conditions from the next samples. Rules
 *   no longer present are forgotten without events. A disabled rule is not evaluated; if its alarm was active it
 *   clears (active-unacked → cleared-unacked or normal, active-acked → normal). setRules returns nothing, so
 *   those 'cleared' transitions are returned by the next onSamples / onDeviceState / tick call.
 */
export class AlarmEngine implements AlarmEngineApi {
  private readonly now: () => number;
  private rules = new Map<number, CompiledRule>();
  private byTag = new Map<number, TagEntry>();
  private byDevice = new Map<number, Condition[]>();
  private timed: Condition[] = [];
  private windows = new Map<string, RateWindow>();
  private clocks = new Map<number, TagClock>();
  private pending = new Set<CompiledRule>();
  private queued: Transition[] = [];
  /** Wall time of the current call (shelving in force is judged on it). */
  private wall = 0;
  /** Device states as reported: since when each device is in 'error' (null when it is not). */
  private devices = new Map<number, number | null>();
  /**
   * Each text tag's latest text, whether a rule watches it or not: a 'changes to' rule made now starts from the
   * text the tag has, so the next change raises (it waited for a second sample and missed a change made right away).
   */
  private texts = new Map<number, string>();

  constructor(options: AlarmEngineOptions) {
    this.now = options.now;
  }

  setRules(rules: readonly AlarmRule[], restored: readonly RuleRuntime[] = []): void {
    const now = (this.wall = this.now());
    const seeds = new Map(restored.map((r) => [r.ruleId, r]));
    const next = new Map<number, CompiledRule>();
    for (const rule of rules) {
      const previous = this.rules.get(rule.id);
      const seed = seeds.get(rule.id);
      const runtime = seed ? { ...seed, ruleId: rule.id } : (previous?.runtime ?? freshRuntime(rule.id));
      const compiled = new CompiledRule(rule, runtime, now, seed ? undefined : previous);
      if (compiled.conditions !== previous?.conditions) this.startFromLatestText(compiled.conditions);
      next.set(rule.id, compiled);
      if (!rule.enabled && isActive(runtime.state)) this.clear(compiled, now, this.queued);
    }
    this.rules = next;
    this.pending.clear();
    this.index(now);
    for (const r of next.values()) {
      r.recombine(r.clock(now)); // the combinator may have changed
      this.settle(r, r.clock(now), this.queued);
    }
  }

  private startFromLatestText(conditions: readonly Condition[]): void {
    for (const c of conditions)
      if (c.kind === CondKind.TextChangesTo && c.lastText === null) c.lastText = this.texts.get(c.tagId) ?? null;
  }

  onSamples(samples: readonly Sample[]): Transition[] {
    const wall = (this.wall = this.now());
    const out = this.begin();
    const byTag = this.byTag;
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i]!;
      if (s.text !== undefined) this.texts.set(s.tagId, s.text);
      const entry = byTag.get(s.tagId);
      if (entry === undefined) continue;
      const conditions = entry.conditions;
      const clock = entry.clock;
      clock.seen(s.ts, wall);
      // The rules' clocks reach this sample: a delay that ran out before it completes first, with the value
      // that held until then. Those still waiting set nextDue again.
      if (clock.ts >= clock.nextDue) {
        clock.nextDue = Infinity;
        for (let c = 0; c < conditions.length; c++) {
          const r = conditions[c]!.rule;
          if (r.pending) this.settle(r, r.dataTime(wall), out);
        }
      }
      const value = s.value ?? NaN;
      const finite = Number.isFinite(value);
      if (finite) {
        const windows = entry.windows;
        for (let w = 0; w < windows.length; w++) windows[w]!.push(s.ts, value);
        const valueRules = entry.valueRules;
        for (let r = 0; r < valueRules.length; r++) valueRules[r]!.runtime.lastValue = value;
      }
      for (let c = 0; c < conditions.length; c++) {
        const condition = conditions[c]!;
        // Stale counts arrivals on the wall clock; the change itself is at the rule's (sample) time.
        const truth = condition.onSample(value, finite, s.quality, wall, s.text);
        if (truth !== condition.truth) this.change(condition, truth, condition.rule.dataTime(wall), out);
      }
    }
    return out;
  }

  onDeviceState(deviceId: number, state: DeviceState['state']): Transition[] {
    const wall = (this.wall = this.now());
    const out = this.begin();
    const previous = this.devices.get(deviceId);
    const errorSince = state === 'error' ? (previous ?? wall) : null;
    this.devices.set(deviceId, errorSince);
    for (const condition of this.byDevice.get(deviceId) ?? []) {
      condition.deviceReported = true;
      condition.errorSince = errorSince;
      const truth = condition.offlineTruth(wall);
      if (truth !== condition.truth)
        this.change(condition, truth, condition.rule.clock(condition.since(truth, wall)), out);
    }
    this.settlePending(wall, out);
    return out;
  }

  tick(): Transition[] {
    const wall = (this.wall = this.now());
    const out = this.begin();
    for (const condition of this.timed) {
      const truth = condition.onTime(wall);
      if (truth !== condition.truth)
        this.change(condition, truth, condition.rule.clock(condition.since(truth, wall)), out);
    }
    this.settlePending(wall, out);
    for (const r of this.rules.values()) {
      const until = r.runtime.shelvedUntil;
      if (until !== null && until <= wall) this.unshelveAt(r, wall, 'system', out);
    }
    return out;
  }

  acknowledge(ruleId: number, actor: string, note: string | null): Transition | null {
    const r = this.rules.get(ruleId);
    if (!r) return null;
    const to = acknowledgedState(r.runtime.state);
    if (to === null) return null;
    const now = (this.wall = this.now());
    const t = this.transition(r, 'acknowledged', to, now, actor, note);
    r.runtime.ackedAt = now;
    r.runtime.ackedBy = actor;
    r.runtime.ackNote = note;
    return t;
  }

  shelve(ruleId: number, until: number, actor: string, note: string | null): Transition | null {
    const r = this.rules.get(ruleId);
    const now = (this.wall = this.now());
    if (!r || until <= now) return null;
    r.runtime.shelvedUntil = until;
    return this.transition(r, 'shelved', r.runtime.state, now, actor, note);
  }

  unshelve(ruleId: number, actor: string): Transition | null {
    const r = this.rules.get(ruleId);
    if (!r || r.runtime.shelvedUntil === null) return null;
    const out: Transition[] = [];
    this.unshelveAt(r, (this.wall = this.now()), actor, out);
    return out[0] ?? null;
  }

  runtime(ruleId: number): RuleRuntime | null {
    const r = this.rules.get(ruleId);
    return r ? { ...r.runtime } : null;
  }

  activeRuntimes(): RuleRuntime[] {
    const list: RuleRuntime[] = [];
    for (const r of this.rules.values()) {
      if (r.runtime.state !== 'normal' || r.runtime.shelvedUntil !== null) list.push({ ...r.runtime });
    }
    return list;
  }

  // ---- internals ----------------------------------------------------------------------------------------------

  /** Start of every evaluating call: the transitions queued by setRules. */
  private begin(): Transition[] {
    return this.queued.length > 0 ? this.queued.splice(0) : [];
  }

  /**
   * Delays that have run out on their rule's clock (tick, device states). onSamples settles only the rules of the
   * tags it sees (TagClock.nextDue): a sample of another tag says nothing about another rule's time, and this
   * keeps the sample path from visiting every waiting rule per batch. Either way a raise or clear is stamped
   * with the moment its delay ran out, so a later notice (at most one tick) changes no time.
   */
  private settlePending(wall: number, out: Transition[]): void {
    for (const r of this.pending) this.settle(r, r.clock(wall), out);
  }

  private change(condition: Condition, truth: Truth, now: number, out: Transition[]): void {
    const r = condition.rule;
    if (r.apply(condition, truth, now)) this.settle(r, now, out);
  }

  /**
   * Raises or clears a rule whose truth disagrees with its lifecycle once the on/off delay has run out by `now`
   * (the rule's clock), stamped with the moment it ran out (truthSince + delay), not with when it was noticed.
   */
  private settle(r: CompiledRule, now: number, out: Transition[]): void {
    const active = isActive(r.runtime.state);
    let waiting = false;
    if (r.truth === TRUE && !active) {
      const due = r.truthSince + r.rule.onDelaySeconds * 1000;
      if (now >= due) this.raise(r, due, out);
      else {
        waiting = true;
        r.waitUntil(due);
      }
    } else if (r.truth === FALSE && active) {
      const due = r.truthSince + r.rule.offDelaySeconds * 1000;
      if (now >= due) this.clear(r, due, out);
      else {
        waiting = true;
        r.waitUntil(due);
      }
    }
    if (waiting !== r.pending) {
      r.pending = waiting;
      if (waiting) this.pending.add(r);
      else this.pending.delete(r);
    }
  }

  private raise(r: CompiledRule, now: number, out: Transition[]): void {
    const to = raisedState(r.runtime.state);
    if (to === null) return;
    out.push(this.transition(r, 'raised', to, now, 'system', null));
    const rt = r.runtime;
    rt.activeSince = now;
    rt.clearedAt = null;
    rt.ackedAt = null;
    rt.ackedBy = null;
    rt.ackNote = null;
  }

  private clear(r: CompiledRule, now: number, out: Transition[]): void {
    const to = clearedState(r.runtime.state, r.rule.ackMode);
    if (to === null) return;
    out.push(this.transition(r, 'cleared', to, now, 'system', null));
    r.runtime.clearedAt = now;
  }

  private unshelveAt(r: CompiledRule, now: number, actor: string, out: Transition[]): void {
    r.runtime.shelvedUntil = null;
    out.push(this.transition(r, 'unshelved', r.runtime.state, now, actor, null));
  }

  /**
   * Records a transition at `ts` and moves the runtime to `to`; `shelved` is the shelving in force now (wall
   * clock: shelving is a user's action on our clock, while `ts` may be a device's).
   */
  private transition(
    r: CompiledRule,
    kind: AlarmEventKind,
    to: AlarmState,
    ts: number,
    actor: string,
    note: string | null,
  ): Transition {
    const rt = r.runtime;
    const shelved =
      kind === 'shelved' || kind === 'unshelved' || (rt.shelvedUntil !== null && rt.shelvedUntil > this.wall);
    const t: Transition = {
      ruleId: rt.ruleId,
      kind,
      from: rt.state,
      to,
      ts,
      value: rt.lastValue,
      actor,
      note,
      shelved,
    };
    rt.state = to;
    return t;
  }

  /**
   * Rebuilds the tag and device indexes, the rate windows and the tags' clocks (both kept per tag across rule
   * changes), and each rule's list of clocks. No rule is waiting for a delay here (setRules settles them after).
   */
  private index(now: number): void {
    const byTag = new Map<number, TagEntry>();
    const byDevice = new Map<number, Condition[]>();
    const windows = new Map<string, RateWindow>();
    const clocks = new Map<number, TagClock>();
    const timed: Condition[] = [];
    const entry = (tagId: number): TagEntry => {
      let e = byTag.get(tagId);
      if (!e) {
        const clock = this.clocks.get(tagId) ?? new TagClock();
        clock.nextDue = Infinity;
        clocks.set(tagId, clock);
        byTag.set(tagId, (e = { clock, windows: [], conditions: [], valueRules: [] }));
      }
      return e;
    };
    for (const r of this.rules.values()) {
      const ruleClocks = new Set<TagClock>();
      for (const c of r.conditions) {
        if (c.kind === CondKind.Offline) {
          let list = byDevice.get(c.deviceId);
          if (!list) byDevice.set(c.deviceId, (list = []));
          list.push(c);
          if (this.devices.has(c.deviceId)) {
            c.deviceReported = true;
            c.errorSince = this.devices.get(c.deviceId) ?? null;
          }
        } else {
          const e = entry(c.tagId);
          e.conditions.push(c);
          ruleClocks.add(e.clock);
          if (c.kind === CondKind.Rate) {
            const key = `${c.tagId}:${c.windowMs}`;
            let w = windows.get(key);
            if (!w) {
              w = this.windows.get(key) ?? new RateWindow(c.tagId, c.windowMs);
              windows.set(key, w);
              e.windows.push(w);
            }
            c.window = w;
          }
        }
        if (c.isTimed) timed.push(c);
      }
      if (r.conditions.length > 0 && r.valueTagId !== null) entry(r.valueTagId).valueRules.push(r);
      r.clocks = [...ruleClocks];
    }
    this.byTag = byTag;
    this.byDevice = byDevice;
    this.windows = windows;
    this.clocks = clocks;
    this.timed = timed;
    void now;
  }
}
