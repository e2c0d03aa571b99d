import type { Locator, Page } from '@playwright/test';
import { expectNoAxeViolations } from './axe.js';
import { demoDevices, expect, openApp, test } from './fixtures.js';

/*
 * Trends on day one with the demo plant: both demo devices carry the same 24 signal names. The tag list is reached
 * past and left by keyboard in a few Tab presses, tags keep their colours, same-named tags are told apart by their
 * device, an inverted y-axis range is refused next to its field, units are not clipped at 1000 px, and axe finds
 * nothing at 1400 and 1000 px.
 */

const [demoUa, demoModbus] = demoDevices;

const nav = (page: Page, name: string): Locator =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

/** A tag's checkbox in the tag list, in its device's group. */
const pick = (page: Page, device: string, tag: string): Locator =>
  page
    .getByRole('complementary')
    .getByRole('group', { name: device, exact: true })
    .getByRole('checkbox', { name: tag, exact: true });

/** Trends at `width` px with no tag on the chart (the demo plant preselects some). */
async function openTrends(page: Page, width: number): Promise<void> {
  await page.setViewportSize({ width, height: 900 });
  await nav(page, 'Trends').click();
  await expect(pick(page, demoModbus, 'Discharge flow (m³/h)')).toBeVisible({ timeout: 30_000 });
  const clear = page.getByRole('button', { name: 'Clear selection' });
  if (await clear.isVisible()) await clear.click();
  await expect(page.getByText('0 of 50 on chart')).toBeVisible();
}

/** What the measurements below use of the page's DOM (the e2e project has no DOM types). */
interface Box {
  getBoundingClientRect(): { left: number; right: number };
  clientLeft: number;
  clientWidth: number;
  scrollWidth: number;
  textContent: string | null;
  parentElement: Box | null;
  closest(selector: string): Box | null;
  querySelector(selector: string): Box | null;
}
interface PageGlobals {
  document: { activeElement: unknown };
  getComputedStyle(el: Box): { backgroundColor: string; overflowX: string };
}

/** The legend swatch colour of one legend entry. */
const swatchColor = (entry: Locator): Promise<string> =>
  entry.locator('xpath=..').evaluate((label: unknown) => {
    const swatch = (label as Box).querySelector('[aria-hidden="true"]');
    return swatch ? (globalThis as unknown as PageGlobals).getComputedStyle(swatch).backgroundColor : '';
  });

/** Tab presses from `start` until `target` has focus (at most `max`). */
async function tabsUntil(page: Page, start: Locator, target: Locator, max = 200): Promise<number> {
  await start.focus();
  for (let n = 1; n <= max; n++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((el) => el === (globalThis as unknown as PageGlobals).document.activeElement)) return n;
  }
  return Infinity;
}

test('keyboard: the chart is a few Tab presses from the tag list, arrow keys move within it', async ({
  page,
  server,
}, testInfo) => {
  await openApp(page, server);
  await openTrends(page, 1400);
  await pick(page, demoUa, 'P-101 speed (%)').check();
  await pick(page, demoUa, 'P-101 motor current (A)').check();
  const chart = page.getByRole('application', { name: 'Trend chart of 2 tags: pan, zoom and cursor' });
  await expect(chart).toBeVisible();

  // The tag list is one Tab stop; the skip link after it goes straight to the chart.
  const first = pick(page, demoModbus, 'P-101 running');
  const presses = await tabsUntil(page, first, chart);
  testInfo.annotations.push({ type: 'Tab presses from the first tag to the chart', description: String(presses) });
  expect(presses).toBeLessThanOrEqual(40);
  await first.focus();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to the chart' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(chart).toBeFocused();

  // Within the list: arrow keys go from tag to tag, across devices, and Space ticks the one reached.
  await first.focus();
  await page.keyboard.press('ArrowDown');
  await expect(pick(page, demoModbus, 'P-101 speed (%)')).toBeFocused();
  await page.keyboard.press('End');
  const last = page.getByRole('complementary').getByRole('checkbox').last();
  await expect(last).toBeFocused();
  await page.keyboard.press('Home');
  await expect(first).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await expect(first).toBeFocused();
  // Back into the list with Shift+Tab lands on the tag last reached, and Space ticks it.
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  const third = pick(page, demoModbus, 'P-101 motor current (A)');
  await expect(third).toBeFocused();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Shift+Tab');
  await expect(third).toBeFocused();
  await page.keyboard.press('Space');
  await expect(third).toBeChecked();
  await expect(page.getByRole('application', { name: /^Trend chart of 3 tags/ })).toBeVisible();
  await expectNoAxeViolations(page, 'Trends with two tags (1400 px)');
});

test('colours stay with their tags; same-named tags are named with their device in legend and readout', async ({
  page,
  server,
}) => {
  await openApp(page, server);
  await openTrends(page, 1000);
  await pick(page, demoUa, 'Discharge flow (m³/h)').check();
  await pick(page, demoModbus, 'Discharge flow (m³/h)').check();
  await pick(page, demoUa, 'pH (pH)').check();

  const legend = page.getByRole('list', { name: 'Legend' });
  const uaFlow = legend.getByRole('checkbox', { name: `Show ${demoUa} · Discharge flow [m³/h]`, exact: true });
  const mbFlow = legend.getByRole('checkbox', { name: `Show ${demoModbus} · Discharge flow [m³/h]`, exact: true });
  const ph = legend.getByRole('checkbox', { name: 'Show pH [pH]', exact: true });
  await expect(uaFlow).toBeVisible();
  await expect(mbFlow).toBeVisible();
  await expect(ph).toBeVisible();

  const phColor = await swatchColor(ph);
  const mbColor = await swatchColor(mbFlow);
  expect(new Set([await swatchColor(uaFlow), mbColor, phColor]).size).toBe(3);

  // Removing the first tag leaves the others their colours; adding one gives it a colour nobody on the chart has.
  await pick(page, demoUa, 'Discharge flow (m³/h)').uncheck();
  await expect(uaFlow).toHaveCount(0);
  // The Modbus flow is the only Discharge flow left: named on its own again.
  const flow = legend.getByRole('checkbox', { name: 'Show Discharge flow [m³/h]', exact: true });
  await expect(flow).toBeVisible();
  expect(await swatchColor(flow)).toBe(mbColor);
  expect(await swatchColor(ph)).toBe(phColor);
  await pick(page, demoUa, 'Conductivity (µS/cm)').check();
  const cond = legend.getByRole('checkbox', { name: 'Show Conductivity [µS/cm]', exact: true });
  await expect(cond).toBeVisible();
  expect([mbColor, phColor]).not.toContain(await swatchColor(cond));
  expect(await swatchColor(ph)).toBe(phColor);

  // Back with both flows: the readout names the device of each.
  await pick(page, demoUa, 'Discharge flow (m³/h)').check();
  const chart = page.getByRole('application', { name: /^Trend chart of 4 tags/ });
  await chart.focus();
  await chart.press('Alt+ArrowLeft');
  const readout = page.getByRole('table', { name: 'Cursor readout' });
  await expect(readout.getByRole('rowheader', { name: `${demoUa} · Discharge flow`, exact: true })).toBeVisible();
  await expect(readout.getByRole('rowheader', { name: `${demoModbus} · Discharge flow`, exact: true })).toBeVisible();
  await expectNoAxeViolations(page, 'Trends with four tags and the cursor readout (1000 px)');
});

test('an inverted or empty y-axis range is refused next to its field and not applied', async ({ page, server }) => {
  await openApp(page, server);
  await openTrends(page, 1000);
  await pick(page, demoUa, 'Discharge flow (m³/h)').check();
  const axes = page.getByRole('group', { name: /^Y axes/ });
  const min = axes.getByRole('spinbutton', { name: 'm³/h axis minimum' });
  const max = axes.getByRole('spinbutton', { name: 'm³/h axis maximum' });
  const auto = axes.getByRole('button', { name: 'Auto' });

  await max.fill('5');
  await max.press('Tab');
  await expect(auto).toBeVisible();
  await min.fill('10');
  await min.press('Tab');
  await expect(min).toHaveAttribute('aria-invalid', 'true');
  await expect(min).toHaveAccessibleDescription('The minimum must be below the maximum (5 m³/h).');
  await expectNoAxeViolations(page, 'Trends y-axis fields with a field error (1000 px)');

  // Equal is no range either.
  await min.fill('5');
  await min.press('Tab');
  await expect(min).toHaveAccessibleDescription('The minimum must be below the maximum (5 m³/h).');
  // A valid minimum clears the error.
  await min.fill('1');
  await min.press('Tab');
  await expect(min).not.toHaveAttribute('aria-invalid', 'true');
  await max.fill('0');
  await max.press('Tab');
  await expect(max).toHaveAccessibleDescription('The maximum must be above the minimum (1 m³/h).');
  await page.setViewportSize({ width: 1400, height: 900 });
  await expectNoAxeViolations(page, 'Trends y-axis fields with a field error (1400 px)');
  // Auto clears both fields and the error.
  await auto.click();
  await expect(min).toHaveValue('');
  await expect(max).toHaveValue('');
  await expect(max).not.toHaveAttribute('aria-invalid', 'true');
});

test('units in the tag list are not clipped at 1000 px', async ({ page, server }, testInfo) => {
  await openApp(page, server);
  await openTrends(page, 1000);
  const list = page.getByRole('complementary');
  const clipped = await list.getByRole('checkbox').evaluateAll((boxes: unknown[]) => {
    const g = globalThis as unknown as PageGlobals;
    const out: string[] = [];
    for (const box of boxes as Box[]) {
      const label = box.closest('label');
      const unit = label?.querySelector('[data-unit]');
      if (!label || !unit) continue;
      // Clipped in itself, or pushed past the visible edge of the list that scrolls it (or of the panel).
      let clip = label.parentElement;
      while (clip && g.getComputedStyle(clip).overflowX === 'visible') clip = clip.parentElement;
      const edge = clip ? clip.getBoundingClientRect().left + clip.clientLeft + clip.clientWidth : Infinity;
      const right = unit.getBoundingClientRect().right;
      if (unit.scrollWidth > unit.clientWidth || right > edge + 0.5) out.push(unit.textContent ?? '');
    }
    return out;
  });
  const units = await list.locator('[data-unit]').count();
  testInfo.annotations.push({ type: 'units clipped at 1000 px', description: `${clipped.length} of ${units}` });
  expect(units).toBeGreaterThan(20);
  expect(clipped).toEqual([]);
});

test.describe('in UTC', () => {
  test.use({ timezoneId: 'UTC' });
  test('the zone is named once', async ({ page, server }) => {
    await openApp(page, server);
    await openTrends(page, 1400);
    await expect(page.getByText('UTC', { exact: true })).toBeVisible();
    await expect(page.getByText('UTC (UTC)')).toHaveCount(0);
  });
});
