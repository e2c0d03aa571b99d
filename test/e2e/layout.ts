import type { Locator, Page } from '@playwright/test';

// The e2e tests compile without the DOM library: just the parts of it the page functions below use.
interface El {
  readonly scrollWidth: number;
  readonly clientWidth: number;
  readonly className: string;
  readonly textContent: string | null;
  querySelectorAll(selector: string): ArrayLike<El>;
}
interface PageGlobals {
  document: { querySelector(selector: string): El | null; documentElement: El };
}

/** The element and those of its children whose content is wider than their box (cut off or scrolling), in words. */
export function cutOff(box: Locator): Promise<string[]> {
  return box.evaluate((root: unknown) => {
    const el = root as El;
    return [el, ...Array.from(el.querySelectorAll(':scope > *'))]
      .filter((e) => e.scrollWidth > e.clientWidth + 1)
      .map((e) => `${e.className || 'element'} (${e.scrollWidth} px in ${e.clientWidth} px): ${e.textContent ?? ''}`);
  });
}

/** How far the page's main area (and the page itself) scroll sideways, in px: 0 when everything fits. */
export function sideScroll(page: Page): Promise<{ main: number; page: number }> {
  return page.evaluate(() => {
    const d = (globalThis as unknown as PageGlobals).document;
    const main = d.querySelector('main');
    const html = d.documentElement;
    return {
      main: main ? main.scrollWidth - main.clientWidth : 0,
      page: html.scrollWidth - html.clientWidth,
    };
  });
}
