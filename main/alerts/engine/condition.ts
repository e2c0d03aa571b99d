import type { AlarmCondition, AlarmRule, CompareOperator } from '../../domain/alarm/rule-schema.js';
import { deadbandFor } from './deadband.js';
import type { CompiledRule } from './compiled-rule.js';
import type { RateWindow } from './rate-window.js';
import { FALSE, TRUE, UNKNOWN, truthOf, type Truth } from './truth.js';
import { betweenHolds, outsideHolds, rateHolds, thresholdHolds } from './value-tests.js';

/** Numeric kinds so the hot path is one monomorphic switch. */
export const CondKind = {
  Threshold: 0,
  Between: 1,
  Outside: 2,
  Rate: 3,
  Stale: 4,
  Quality: 5,
  Offline: 6,
  TextEquals: 7,
  TextChangesTo: 8,
} as const;
export type CondKind = (typeof CondKind)[keyof typeof CondKind];

/**
 * One condition of one rule, compiled, with its memory (its truth, which is the hysteresis state, plus the stale
 * and offline clocks). Evaluation returns the new truth; the engine applies it to the rule.
 */
export class Condition {
  /** Once evaluated from data it never returns to UNKNOWN. */
  truth: Truth = UNKNOWN;
  /** stale: when a sample of the tag last arrived (wall clock), or when the rule was set. */
  lastArrival: number;
  /** offline: whether the device's state is known, and since when it is in 'error' (null: not in error). */
  deviceReported = false;
  errorSince: number | null = null;

  readonly kind: CondKind;
  readonly tagId: number;
  readonly deviceId: number;
  readonly op: CompareOperator;
  /** threshold / low / perMinute. */
  readonly a: number = 0;
  /** high. */
  readonly b: number = 0;
  /** deadband of a, of b. */
  readonly dbA: number = 0;
  readonly dbB: number = 0;
  readonly afterMs: number = 0;
  readonly includeUncertain: boolean = false;
  readonly windowMs: number = 0;
  window: RateWindow | null = null;
  /** text: the text looked for; changes-to: the tag's previous text (null before the first one). */
  readonly text: string = '';
  lastText: string | null = null;

  constructor(
    public rule: CompiledRule,
    spec: AlarmCondition,
    config: Pick<AlarmRule, 'deadband' | 'deadbandMode'>,
    now: number,
  ) {
    this.lastArrival = now;
    this.tagId = spec.kind === 'offline' ? 0 : spec.tagId;
    this.deviceId = spec.kind === 'offline' ? spec.deviceId : 0;
    this.op = '>';
    const db = (limit: number) => deadbandFor(limit, config.deadband, config.deadbandMode);
    switch (spec.kind) {
      case 'threshold':
        this.kind = CondKind.Threshold;
        this.op = spec.operator;
        this.a = spec.threshold;
        this.dbA = spec.operator === '==' || spec.operator === '!=' ? 0 : db(spec.threshold);
        break;
      case 'range':
        this.kind = spec.operator === 'between' ? CondKind.Between : CondKind.Outside;
        this.a = spec.low;
        this.b = spec.high;
        this.dbA = db(spec.low);
        this.dbB = db(spec.high);
        break;
      case 'rate':
        this.kind = CondKind.Rate;
        this.op = spec.operator;
        this.a = spec.perMinute;
        this.dbA = db(spec.perMinute);
        this.windowMs = spec.windowSeconds * 1000;
        break;
      case 'stale':
        this.kind = CondKind.Stale;
        this.afterMs = spec.afterSeconds * 1000;
        break;
      case 'quality':
        this.kind = CondKind.Quality;
        this.includeUncertain = spec.includeUncertain;
        break;
      case 'offline':
        this.kind = CondKind.Offline;
        this.afterMs = spec.afterSeconds * 1000;
        break;
      case 'text':
        this.kind = spec.operator === 'equals' ? CondKind.TextEquals : CondKind.TextChangesTo;
        this.text = spec.text;
        break;
    }
  }

  get isValue(): boolean {
    return this.kind <= CondKind.Rate;
  }

  get isTimed(): boolean {
    return this.kind === CondKind.Stale || this.kind === CondKind.Offline;
  }

  /**
   * A sample of this condition's tag arrived. `finite` says whether value is a usable number: null, non-finite
   * and text samples leave value conditions as they are but still count for stale and quality. `text` is a text
   * sample's text (undefined for others), for text conditions.
   */
  onSample(value: number, finite: boolean, quality: number, now: number, text?: string): Truth {
    const wasTrue = this.truth === TRUE;
    switch (this.kind) {
      case CondKind.Threshold:
        return finite ? truthOf(thresholdHolds(this.op, value, this.a, this.dbA, wasTrue)) : this.truth;
      case CondKind.Between:
        return finite ? truthOf(betweenHolds(value, this.a, this.b, this.dbA, this.dbB, wasTrue)) : this.truth;
      case CondKind.Outside:
        return finite ? truthOf(outsideHolds(value, this.a, this.b, this.dbA, this.dbB, wasTrue)) : this.truth;
      case CondKind.Rate: {
        if (!finite) return this.truth;
        const perMinute = this.window!.perMinute();
        // Too few samples in the window: no rate, so false, unless nothing was ever evaluated (then unknown).
        if (Number.isNaN(perMinute)) return this.truth === UNKNOWN ? UNKNOWN : FALSE;
        return truthOf(rateHolds(this.op as '>' | '<', perMinute, this.a, this.dbA, wasTrue));
      }
      case CondKind.Stale:
        this.lastArrival = now;
        return FALSE;
      case CondKind.Quality: {
        const severity = quality >>> 30;
        return truthOf(this.includeUncertain ? severity !== 0 : severity >= 2);
      }
      case CondKind.Offline:
        return this.truth;
      case CondKind.TextEquals:
        return text === undefined ? this.truth : truthOf(text === this.text);
      case CondKind.TextChangesTo: {
        if (text === undefined) return this.truth;
        const before = this.lastText;
        this.lastText = text;
        if (text !== this.text) return FALSE;
        // The first text seen, or the same text again, is no change: keep the truth (a restored alarm stays).
        return before === null || before === text ? this.truth : TRUE;
      }
    }
  }

  /** Time passed (stale and offline only). */
  onTime(now: number): Truth {
    if (this.kind === CondKind.Stale) {
      if (now - this.lastArrival >= this.afterMs) return TRUE;
      return this.truth; // unknown until the first sample or the first expiry, else false since the last sample
    }
    if (this.kind === CondKind.Offline) return this.offlineTruth(now);
    return this.truth;
  }

  /**
   * stale / offline: the wall time at which `truth` (the new one) began — when afterSeconds ran out for a true one
   * (not when a tick noticed), else `wall`. The engine stamps the change at the rule's clock at that moment.
   */
  since(truth: Truth, wall: number): number {
    if (truth !== TRUE) return wall;
    if (this.kind === CondKind.Stale) return Math.min(wall, this.lastArrival + this.afterMs);
    if (this.kind === CondKind.Offline && this.errorSince !== null)
      return Math.min(wall, this.errorSince + this.afterMs);
    return wall;
  }

  /**
   * offline: the device has been in 'error' for at least afterSeconds. In error for less than that is false, except
   * while the condition has never been evaluated (after setRules / a restart), when it is unknown so that a
   * restored offline alarm is not cleared and raised again while the delay runs.
   */
  offlineTruth(now: number): Truth {
    if (!this.deviceReported) return this.truth;
    if (this.errorSince === null) return FALSE;
    if (now - this.errorSince >= this.afterMs) return TRUE;
    return this.truth === UNKNOWN ? UNKNOWN : FALSE;
  }
}
