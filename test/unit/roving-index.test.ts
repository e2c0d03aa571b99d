import { describe, expect, it } from 'vitest';
import { rovingIndex } from '../../renderer/src/lib/roving-index.js';

describe('roving index (ARIA tabs keys)', () => {
  it('steps with Left and Right, wrapping, and jumps with Home and End', () => {
    expect(rovingIndex('ArrowRight', 0, 4)).toBe(1);
    expect(rovingIndex('ArrowRight', 3, 4)).toBe(0);
    expect(rovingIndex('ArrowLeft', 0, 4)).toBe(3);
    expect(rovingIndex('Home', 2, 4)).toBe(0);
    expect(rovingIndex('End', 1, 4)).toBe(3);
  });

  it('leaves other keys, and an empty group, alone', () => {
    expect(rovingIndex('Enter', 1, 4)).toBeNull();
    expect(rovingIndex('ArrowDown', 1, 4)).toBeNull();
    expect(rovingIndex('ArrowRight', 0, 0)).toBeNull();
  });
});
