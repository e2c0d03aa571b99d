import { tick } from 'svelte';

/**
 * Where the focus goes after an action that may remove the focused control (its row is gone, or its button was
 * swapped for another, as Shelve for Unshelve): once the DOM is updated, the first enabled button in the last cell
 * of the row `data-key=key`, else of the row now at `index` (the next one; the last row when it was the last),
 * else the table itself (give it tabindex="-1"). Never the body.
 */
export async function focusRowAction(table: HTMLElement | undefined, key: string | null, index: number): Promise<void> {
  await tick();
  if (!table) return;
  const rows = [...table.querySelectorAll<HTMLTableRowElement>('tbody tr[data-key]')];
  const row = rows.find((r) => r.dataset.key === key) ?? rows[Math.min(index, rows.length - 1)];
  const button = row?.querySelector<HTMLButtonElement>('td:last-child button:not(:disabled)');
  (button ?? table).focus();
}
