/**
 * Where a key moves the focus in a one-row group with a roving tabindex (ARIA tabs, toolbars): Left and Right step
 * and wrap around, Home and End go to the ends. null: not a key the group handles.
 */
export function rovingIndex(key: string, current: number, count: number): number | null {
  if (count <= 0) return null;
  switch (key) {
    case 'ArrowRight':
      return (current + 1) % count;
    case 'ArrowLeft':
      return (current - 1 + count) % count;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}
