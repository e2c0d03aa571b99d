export type AxisEnd = 'min' | 'max';

/**
 * Why a y-axis range cannot be drawn, said at the end just edited, or null when it can: a minimum at or above the
 * maximum would draw the series upside down or flat, with no ticks. Either end may be empty (automatic).
 */
export function axisRangeError(
  min: number | null,
  max: number | null,
  edited: AxisEnd,
  show: (v: number) => string,
): string | null {
  if (min === null || max === null || min < max) return null;
  return edited === 'min'
    ? `The minimum must be below the maximum (${show(max)}).`
    : `The maximum must be above the minimum (${show(min)}).`;
}
