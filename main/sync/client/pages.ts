import { TwinEdgeApiError } from './api-error.js';
import type { Page } from './client-api.js';

export interface PagesOptions {
  /** First page to fetch (1-based). */
  startPage?: number;
  /**
   * Stop with an error after this many pages: a server whose `total` keeps growing, or that ignores the
   * `page` parameter, would otherwise be iterated for ever.
   */
  maxPages?: number;
}

const DEFAULT_MAX_PAGES = 1_000;

const endless = (what: string): TwinEdgeApiError =>
  new TwinEdgeApiError({
    kind: 'invalid_response',
    message: `pagination: ${what}`,
    userMessage: `TwinEdge kept sending pages of a list without end (${what})`,
  });

/**
 * Every page of a list, in order, fetching the next only when the consumer asks. Stops when the items up to
 * this page reach `meta.total` or a page comes back empty.
 */
export async function* pages<T>(
  fetchPage: (page: number) => Promise<Page<T>>,
  o: PagesOptions = {},
): AsyncGenerator<Page<T>, void, undefined> {
  const maxPages = o.maxPages ?? DEFAULT_MAX_PAGES;
  let page = o.startPage ?? 1;
  for (let fetched = 0; ; fetched++) {
    if (fetched >= maxPages) throw endless(`more than ${maxPages} pages`);
    const p = await fetchPage(page);
    if (p.items.length === 0) return;
    // A server that ignores `page` sends page 1 again and again: stop at once rather than at maxPages.
    if (p.meta.page !== page) throw endless(`asked for page ${page}, got page ${p.meta.page}`);
    yield p;
    if ((p.meta.page - 1) * p.meta.per_page + p.items.length >= p.meta.total) return;
    page++;
  }
}

/** All items of a list (use `pages` for lists too large to hold at once). */
export const listAll = async <T>(fetchPage: (page: number) => Promise<Page<T>>, o: PagesOptions = {}): Promise<T[]> => {
  const all: T[] = [];
  for await (const p of pages(fetchPage, o)) all.push(...p.items);
  return all;
};
