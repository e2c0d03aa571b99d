/**
 * Three-valued truth of a condition or a rule. UNKNOWN means "not evaluated from data yet" (no sample since the
 * rule was set, a rate window with too few samples, an unreported device): an unknown rule neither raises nor
 * clears, which is what keeps a restored active alarm active until its conditions are really evaluated.
 */
export const UNKNOWN = 0;
export const FALSE = 1;
export const TRUE = 2;
export type Truth = typeof UNKNOWN | typeof FALSE | typeof TRUE;

export const truthOf = (holds: boolean): Truth => (holds ? TRUE : FALSE);
