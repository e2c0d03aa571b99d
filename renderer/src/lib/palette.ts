/** Distinguishable line colours on a light background (32 tags max on one chart; colours repeat after 16). */
export const palette = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#7f7f7f',
  '#bcbd22',
  '#004c6d',
  '#a50026',
  '#006d2c',
  '#b35806',
  '#542788',
  '#01665e',
];

export function colorFor(index: number): string {
  return palette[index % palette.length]!;
}

/**
 * Palette slots for the tags on a chart, so that a tag keeps its colour for the life of the view: a tag keeps the
 * slot it had (`before`, also remembering tags removed since) unless another tag on the chart took it meanwhile; a
 * new tag takes the least used slot, the lowest first. Returns `before` with the new slots added.
 */
export function assignColorSlots(
  selected: readonly number[],
  before: ReadonlyMap<number, number>,
): Map<number, number> {
  const slots = new Map(before);
  const uses = palette.map(() => 0);
  const kept = new Set<number>();
  for (const id of selected) {
    const slot = before.get(id);
    if (slot === undefined || uses[slot]! > 0) continue;
    uses[slot] = 1;
    kept.add(id);
  }
  for (const id of selected) {
    if (kept.has(id)) continue;
    const slot = uses.indexOf(Math.min(...uses));
    uses[slot]! += 1;
    slots.set(id, slot);
  }
  return slots;
}
