import type { CompareOperator } from '../../domain/alarm/rule-schema.js';

/**
 * Value tests with hysteresis. `wasTrue` is the condition's previous truth: a true condition stays true until
 * the value is past its limit by the deadband `db`. Exact equality operators never use a deadband.
 */

export const thresholdHolds = (
  op: CompareOperator,
  v: number,
  limit: number,
  db: number,
  wasTrue: boolean,
): boolean => {
  switch (op) {
    case '>':
      return v > (wasTrue ? limit - db : limit);
    case '>=':
      return v >= (wasTrue ? limit - db : limit);
    case '<':
      return v < (wasTrue ? limit + db : limit);
    case '<=':
      return v <= (wasTrue ? limit + db : limit);
    case '==':
      return v === limit;
    case '!=':
      return v !== limit;
  }
};

/** between: low ≤ v ≤ high; once true it clears only when v < low − dbLow or v > high + dbHigh. */
export const betweenHolds = (v: number, low: number, high: number, dbLow: number, dbHigh: number, wasTrue: boolean) =>
  wasTrue ? v >= low - dbLow && v <= high + dbHigh : v >= low && v <= high;

/**
 * outside: v < low or v > high; once true it clears only when low + dbLow ≤ v ≤ high − dbHigh. When the deadbands
 * leave no such interval (they overlap), it clears as soon as the value is back inside [low, high] (no hysteresis).
 */
export const outsideHolds = (v: number, low: number, high: number, dbLow: number, dbHigh: number, wasTrue: boolean) => {
  if (!wasTrue) return v < low || v > high;
  const lo = low + dbLow;
  const hi = high - dbHigh;
  return lo <= hi ? v < lo || v > hi : v < low || v > high;
};

/** rate: per-minute change compared > or < the limit, with the same hysteresis as a threshold. */
export const rateHolds = (op: '>' | '<', perMinute: number, limit: number, db: number, wasTrue: boolean): boolean =>
  op === '>' ? perMinute > (wasTrue ? limit - db : limit) : perMinute < (wasTrue ? limit + db : limit);
