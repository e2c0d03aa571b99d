/**
 * The hysteresis of one limit: absolute (in the tag's unit) or percent of the limit's magnitude
 * (|limit| × deadband / 100). Zero or negative deadbands mean no hysteresis.
 */
export const deadbandFor = (limit: number, deadband: number, mode: 'absolute' | 'percent'): number => {
  if (!(deadband > 0)) return 0;
  return mode === 'percent' ? (Math.abs(limit) * deadband) / 100 : deadband;
};
