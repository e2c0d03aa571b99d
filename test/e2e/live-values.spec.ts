import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { expectNoAxeViolations } from './axe.js';
import { demoDevices, expect, openApp, startServer, stopServer, test } from './fixtures.js';
import { seedLiveValues } from './live-values-seed.js';

async function openLiveValues(page: Page): Promise<Locator> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Live values' }).click();
  await expect(page.getByRole('heading', { name: 'Live values' })).toBeVisible();
  return page.getByRole('table', { name: 'Live values' });
}

/**
 * The body row of the live values table for this device and tag. Its cells by role (the tag is the row header):
 * 0 device, 1 value, 2 unit, 3 quality, 4 source time, 5 age.
 */
function liveRow(table: Locator, device: string, tag: string): Locator {
  return table
    .getByRole('row')
    .filter({ has: table.page().getByRole('rowheader', { name: tag, exact: true }) })
    .filter({ has: table.page().getByRole('cell', { name: device, exact: true }) });
}

/** The bits of the page's DOM these tests read (the test project has no DOM types). */
interface El {
  children: ArrayLike<{ innerText: string }>;
  scrollWidth: number;
  clientWidth: number;
}
interface PageGlobals {
  document: { querySelector(sel: string): object | null };
  MutationObserver: new (cb: () => void) => {
    observe(target: object, opts: { subtree: boolean; childList: boolean; characterData: boolean }): void;
    disconnect(): void;
  };
}

/** Cell texts of one column (0-based, the row header counted) of the table's body rows. */
async function column(table: Locator, index: number): Promise<string[]> {
  return table
    .locator('tbody tr')
    .evaluateAll((rows: unknown[], i: number) => rows.map((r) => (r as El).children[i]?.innerText.trim() ?? ''), index);
}

const sourceTime = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} (CET|CEST|GMT\+1|GMT\+2)$/;

test.describe('Live values', () => {
  test('every demo tag with value, unit, quality and source time; filter, device filter, sort', async ({
    page,
    server,
  }, testInfo) => {
    await openApp(page, server);
    const table = await openLiveValues(page);
    const count = page.getByRole('status').filter({ hasText: 'tags shown' });
    await expect(count).toHaveText(/^(\d+) of \1 tags shown$/);

    // Both demo devices, every tag, with a value that arrived.
    const opcSpeed = liveRow(table, demoDevices[0], 'P-101 speed');
    await expect(opcSpeed.getByRole('cell').nth(2)).toHaveText('%');
    await expect(opcSpeed.getByRole('cell').nth(3)).toHaveText('Good');
    await expect(opcSpeed.getByRole('cell').nth(1)).toHaveText(/^-?\d+(\.\d+)?$/);
    await expect(opcSpeed.getByRole('cell').nth(4)).toHaveText(sourceTime);
    await expect(opcSpeed.getByRole('cell').nth(5)).toHaveText(/^\d+ s$/);
    const modbusFlow = liveRow(table, demoDevices[1], 'Discharge flow');
    await expect(modbusFlow.getByRole('cell').nth(2)).toHaveText('m³/h');
    await expect(modbusFlow.getByRole('cell').nth(3)).toHaveText('Good');
    const total = Number(/^(\d+)/.exec((await count.textContent()) ?? '')?.[1]);
    expect(total).toBeGreaterThanOrEqual(4);
    await expect(table.locator('tbody tr')).toHaveCount(total);
    await expectNoAxeViolations(page, 'Live values at 1400 px');
    await page.screenshot({ path: testInfo.outputPath('live-values-1400.png') });

    // Text filter: tag names, any case.
    await page.getByLabel('Filter tags').fill('p-101 SPEED');
    await expect(count).toHaveText(`2 of ${total} tags shown`);
    await expect(table.getByRole('rowheader')).toHaveText(['P-101 speed', 'P-101 speed']);
    await page.getByLabel('Filter tags').fill('');

    // Device filter: one device's tags only.
    await page.getByLabel('Device', { exact: true }).selectOption({ label: demoDevices[1] });
    await expect(count).not.toHaveText(`${total} of ${total} tags shown`);
    const devicesShown = await column(table, 0);
    expect(new Set(devicesShown)).toEqual(new Set([demoDevices[1]]));
    await expect(count).toHaveText(`${devicesShown.length} of ${total} tags shown`);

    // Sort by tag, both ways, announced with aria-sort.
    const tagHeader = table.getByRole('columnheader', { name: 'Tag' });
    await expect(tagHeader).toHaveAttribute('aria-sort', 'none');
    await tagHeader.getByRole('button', { name: 'Tag' }).click();
    await expect(tagHeader).toHaveAttribute('aria-sort', 'ascending');
    const byName = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true, sensitivity: 'base' });
    const names = await column(table, 1);
    expect(names).toEqual([...names].sort(byName));
    await tagHeader.getByRole('button', { name: 'Tag' }).click();
    await expect(tagHeader).toHaveAttribute('aria-sort', 'descending');
    expect(await column(table, 1)).toEqual([...names].sort(byName).reverse());
    await expect(table.getByRole('columnheader', { name: 'Device' })).toHaveAttribute('aria-sort', 'none');

    await page.setViewportSize({ width: 1000, height: 800 });
    await expectNoAxeViolations(page, 'Live values at 1000 px');
    await page.screenshot({ path: testInfo.outputPath('live-values-1000.png') });
    // At 1000 px the table fits: the view does not scroll sideways (the age column is not hidden).
    const main = page.getByRole('main');
    expect(await main.evaluate((el: unknown) => (el as El).scrollWidth - (el as El).clientWidth)).toBeLessThanOrEqual(
      0,
    );
  });

  test('at over 25 batches a second the table is redrawn at most 4 times a second', async ({ page, server }) => {
    // Every samples.batch from the service is passed on, then 29 more copies with other values: 30 times the rate
    // (the demo plant alone gives one or two a second).
    let batches = 0;
    await page.routeWebSocket(/\/ws/, (ws) => {
      const upstream = ws.connectToServer();
      ws.onMessage((m) => upstream.send(m));
      upstream.onMessage((m) => {
        ws.send(m);
        const msg = JSON.parse(String(m)) as { t: string; name?: string; payload?: { samples: unknown[][] } };
        if (msg.t !== 'event' || msg.name !== 'samples.batch' || !msg.payload) return;
        batches++;
        for (let k = 1; k < 30; k++) {
          const samples = msg.payload.samples.map((s) =>
            typeof s[2] === 'number' ? [s[0], Number(s[1]) + k, s[2] + k / 1000, ...s.slice(3)] : s,
          );
          ws.send(JSON.stringify({ ...msg, payload: { samples } }));
          batches++;
        }
      });
    });
    await openApp(page, server);
    const table = await openLiveValues(page);
    await expect(table.getByRole('cell', { name: 'Good', exact: true }).first()).toBeVisible();

    const windowMs = 5000;
    const before = batches;
    const renders = await page.evaluate(async (ms: number) => {
      const g = globalThis as unknown as PageGlobals;
      const body = g.document.querySelector('table[aria-label="Live values"] tbody');
      if (!body) throw new Error('no live values table');
      let n = 0;
      const observer = new g.MutationObserver(() => n++);
      observer.observe(body, { subtree: true, childList: true, characterData: true });
      await new Promise((r) => setTimeout(r, ms));
      observer.disconnect();
      return n;
    }, windowMs);
    const received = batches - before;
    test.info().annotations.push({
      type: 'figures',
      description: `${received} batches in ${windowMs} ms (${(received / (windowMs / 1000)).toFixed(1)}/s), ${renders} renders (${(renders / (windowMs / 1000)).toFixed(1)}/s)`,
    });
    // The rate is really high, the table really updates, and at most one render per 250 ms (plus the one a window
    // can start inside).
    expect(received).toBeGreaterThan(25 * (windowMs / 1000));
    expect(renders).toBeGreaterThan(4);
    expect(renders).toBeLessThanOrEqual(windowMs / 250 + 1);
  });

  test('stored values at first, a down device named once with its reason, its rows stale', async ({ page }) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'twinedge-e2e-live-'));
    const storedAt = Date.now() - 3_600_000;
    const seed = seedLiveValues(dataDir, storedAt);
    const server = await startServer(45_000, {}, [], { dataDir });
    try {
      await openApp(page, server);
      const table = await openLiveValues(page);
      await expect(page.getByRole('status').filter({ hasText: 'tags shown' })).toHaveText('5 of 5 tags shown');

      // Initial values from the store (the device is disabled: nothing live), text as text.
      const temp = liveRow(table, seed.stored.device, 'Boiler temperature').getByRole('cell');
      await expect(temp.nth(1)).toHaveText('81.25');
      await expect(temp.nth(2)).toHaveText('°C');
      await expect(temp.nth(4)).toHaveText(sourceTime);
      await expect(temp.nth(5)).toContainText('1 h 0 min');
      await expect(temp.nth(5)).toContainText('Stale: device disabled: last known value');
      const text = liveRow(table, seed.stored.device, 'Batch name').getByRole('cell');
      await expect(text.nth(1)).toHaveText('LOT-2291');
      const steam = liveRow(table, seed.stored.device, 'Steam pressure').getByRole('cell');
      await expect(steam.nth(3)).toHaveText('Uncertain: UncertainLastUsableValue');

      // The down device's reason once, above the table; its rows say stale without repeating it.
      const down = page.getByRole('list', { name: 'Devices not connected' });
      const chiller = down.getByRole('listitem').filter({ hasText: seed.down.device });
      await expect(chiller).toContainText(/refused/i);
      await expect(chiller).toContainText('Its 2 tags show their last known value, marked stale.');
      await expect(page.getByRole('main').getByText(/refused/i)).toHaveCount(1);
      for (const tag of seed.down.tags) {
        const cells = liveRow(table, seed.down.device, tag).getByRole('cell');
        await expect(cells.nth(1)).toHaveText('—');
        await expect(cells.nth(3)).toHaveText('no value: device not connected');
      }
      await expectNoAxeViolations(page, 'Live values with a device down');
    } finally {
      await stopServer(server);
    }
  });
});
