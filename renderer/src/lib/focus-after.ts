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

/** The control last focused inside a table's rows, to put the focus back near it when a list update removes it. */
export interface RowFocus {
  el: Element;
  key: string;
  index: number;
}

/** From a focusin event in the table: the focused control and its row (null outside the rows). */
export function rowFocusOf(e: FocusEvent): RowFocus | null {
  const el = e.target instanceof Element ? e.target : null;
  const row = el?.closest<HTMLTableRowElement>('tbody tr[data-key]');
  if (!el || !row) return null;
  return { el, key: row.dataset.key ?? '', index: row.sectionRowIndex };
}

/**
 * After a list update (the server's answer arriving later than the action, say): when the control that had the
 * focus was removed and the focus fell to the body, the row's (or the next row's) action gets it.
 */
export async function refocusIfLost(table: HTMLElement | undefined, last: RowFocus | null): Promise<void> {
  await tick();
  if (last && !last.el.isConnected && document.activeElement === document.body)
    await focusRowAction(table, last.key, last.index);
}
