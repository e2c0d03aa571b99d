import { describe, expect, it } from 'vitest';
import { assignColorSlots, palette } from '../../renderer/src/lib/palette.js';
import { chartNames } from '../../renderer/src/lib/tag-names.js';
import { axisRangeError } from '../../renderer/src/lib/trend-axis.js';

describe('trend colours', () => {
  it('keep each tag its slot when others are removed or added', () => {
    const a = assignColorSlots([1, 2, 3], new Map());
    expect([a.get(1), a.get(2), a.get(3)]).toEqual([0, 1, 2]);
    // Tag 1 removed: 2 and 3 keep theirs (they moved up one place before).
    const b = assignColorSlots([2, 3], a);
    expect([b.get(2), b.get(3)]).toEqual([1, 2]);
    // A new tag takes the free slot, not one in use.
    const c = assignColorSlots([2, 3, 4], b);
    expect(c.get(4)).toBe(0);
    // Tag 1 back: its old slot is taken by 4, so it gets a free one; the others keep theirs.
    const d = assignColorSlots([2, 3, 4, 1], c);
    expect([d.get(2), d.get(3), d.get(4), d.get(1)]).toEqual([1, 2, 0, 3]);
    // Tag 5 removed before anyone took its slot gets it back.
    const e = assignColorSlots([2, 3, 4, 1, 5], d);
    const f = assignColorSlots([2, 3, 4, 1], e);
    expect(assignColorSlots([2, 3, 4, 1, 5], f).get(5)).toBe(e.get(5));
  });

  it('share the least used slot once the palette is used up', () => {
    const ids = Array.from({ length: palette.length + 2 }, (_, i) => i + 1);
    const s = assignColorSlots(ids, new Map());
    expect(s.get(palette.length + 1)).toBe(0);
    expect(s.get(palette.length + 2)).toBe(1);
  });
});

describe('chart names', () => {
  const devices = new Map([
    [1, 'Pump 1'],
    [2, 'Pump 2'],
  ]);
  it('name the device only where two tags on the chart share a name', () => {
    const names = chartNames(
      [
        { id: 10, name: 'Flow', deviceId: 1 },
        { id: 20, name: 'Flow', deviceId: 2 },
        { id: 11, name: 'Speed', deviceId: 1 },
      ],
      devices,
    );
    expect([...names.values()]).toEqual(['Pump 1 · Flow', 'Pump 2 · Flow', 'Speed']);
    expect(chartNames([{ id: 10, name: 'Flow', deviceId: 1 }], devices).get(10)).toBe('Flow');
  });
});

describe('y-axis range', () => {
  const show = (v: number): string => `${v} bar`;
  it('refuses a minimum at or above the maximum, at the end edited', () => {
    expect(axisRangeError(10, 5, 'min', show)).toBe('The minimum must be below the maximum (5 bar).');
    expect(axisRangeError(5, 5, 'max', show)).toBe('The maximum must be above the minimum (5 bar).');
    expect(axisRangeError(1, 5, 'min', show)).toBeNull();
    expect(axisRangeError(null, 5, 'max', show)).toBeNull();
    expect(axisRangeError(7, null, 'min', show)).toBeNull();
  });
});
