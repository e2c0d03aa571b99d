import type { Sample } from '../sample/sample.js';
import type { DeviceState } from '../device/device-state.js';
import type { AlarmEventKind, AlarmRule, AlarmState } from './rule-schema.js';

/** A rule's alarm state that survives restarts (persisted by the service after every transition). */
export interface RuleRuntime {
  ruleId: number;
  state: AlarmState;
  activeSince: number | null;
  clearedAt: number | null;
  ackedAt: number | null;
  ackedBy: string | null;
  ackNote: string | null;
  shelvedUntil: number | null;
  /** Latest value of the rule's first value condition's tag. */
  lastValue: number | null;
}

/** A lifecycle transition the engine decided on; the service stores it as an AlarmEvent. */
export interface Transition {
  ruleId: number;
  kind: AlarmEventKind;
  from: AlarmState;
  to: AlarmState;
  ts: number;
  value: number | null;
  actor: string;
  note: string | null;
  shelved: boolean;
}

/** What the alarm engine offers the service (main/alerts/engine/alarm-engine.ts implements it). */
export interface AlarmEngineApi {
  /** Replaces the rule set. Runtimes of rules that still exist (same id) are kept; `restored` seeds them after a restart. */
  setRules(rules: readonly AlarmRule[], restored?: readonly RuleRuntime[]): void;
  /**
   * Evaluates the samples' conditions in order; transitions they cause carry sample time (see AlarmEngine). Feed
   * samples as collected, not after they are stored, and never backfilled history (it is not live).
   */
  onSamples(samples: readonly Sample[]): Transition[];
  onDeviceState(deviceId: number, state: DeviceState['state']): Transition[];
  /** Time-based work: on/off delays, stale values, offline durations, shelving expiry. Call about once a second. */
  tick(): Transition[];
  acknowledge(ruleId: number, actor: string, note: string | null): Transition | null;
  shelve(ruleId: number, until: number, actor: string, note: string | null): Transition | null;
  unshelve(ruleId: number, actor: string): Transition | null;
  runtime(ruleId: number): RuleRuntime | null;
  /** Runtimes of every rule not in the normal state (or shelved). */
  activeRuntimes(): RuleRuntime[];
}

export interface AlarmEngineOptions {
  /**
   * The wall clock, epoch ms (a clock that follows the samples when replaying history for a preview): it measures
   * stale and offline, shelving and user actions, and runs a rule's sample clock on between samples.
   */
  now: () => number;
}
