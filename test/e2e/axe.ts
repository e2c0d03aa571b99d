import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

/** The rule sets the UI is held to: WCAG 2.0 and 2.1, levels A and AA. */
const wcagTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Runs axe-core on what the page shows now (a view, or a view with a dialog open) and fails with every violation,
 * its rule, its help text and the elements it was found on. `where` names the view or dialog in the message.
 */
export async function expectNoAxeViolations(page: Page, where: string): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(wcagTags).analyze();
  const found = result.violations.map(
    (v) =>
      `${v.id} (${v.impact ?? 'no impact given'}): ${v.help}\n` +
      v.nodes.map((n) => `    ${n.target.join(' ')}: ${n.failureSummary ?? ''}`).join('\n'),
  );
  expect(found, `axe-core violations in ${where}`).toEqual([]);
}
