import type { Locator, Page } from '@playwright/test';
import { expectNoAxeViolations } from './axe.js';
import { openDevices } from './devices-page.js';
import { demoDevices, expect, openApp, test } from './fixtures.js';

/**
 * Devices at 1000 px: the row actions of the device list, the register map and the OPC UA tag list are on screen
 * without scrolling the page or the table sideways, and the views and forms have no axe-core violations.
 */

const [demoUa, demoModbus] = demoDevices;
/** Long names and a long endpoint, the kind a plant has: they must wrap, not widen the page. */
const longName = 'Line 3 booster station PLC, discharge header pressure and flow (south hall)';
const longEndpoint = 'opc.tcp://127.0.0.1:9/TwinEdge/Line3/BoosterStation/PumpSkid/DischargeHeader/OpcUaServer';

interface Browser {
  document: {
    documentElement: { scrollWidth: number; clientWidth: number };
    elementFromPoint(x: number, y: number): unknown;
  };
}
interface Box {
  getBoundingClientRect(): { left: number; right: number; top: number; bottom: number; width: number };
  contains(other: unknown): boolean;
  scrollIntoView(options: { block: string; inline: string }): void;
  parentElement: Box | null;
  scrollLeft: number;
}

/** How far the page scrolls sideways: document scrollWidth minus clientWidth (0 = no sideways scroll). */
async function sidewaysScroll(page: Page): Promise<number> {
  return page.evaluate(() => {
    const d = (globalThis as unknown as Browser).document.documentElement;
    return d.scrollWidth - d.clientWidth;
  });
}

/**
 * The buttons a user cannot reach by scrolling down alone: bringing one into view has to scroll something sideways
 * (the page or a table), or it ends up outside the window's width or covered.
 */
async function buttonsOffScreen(buttons: Locator): Promise<string[]> {
  const out: string[] = [];
  for (const b of await buttons.all()) {
    const where = await b.evaluate((el: unknown) => {
      const g = globalThis as unknown as Browser;
      const box = el as Box;
      const ancestors: Box[] = [];
      for (let a = box.parentElement; a; a = a.parentElement) ancestors.push(a);
      const before = ancestors.map((a) => a.scrollLeft);
      box.scrollIntoView({ block: 'center', inline: 'nearest' });
      const moved = ancestors.reduce((n, a, i) => n + Math.abs(a.scrollLeft - before[i]!), 0);
      ancestors.forEach((a, i) => (a.scrollLeft = before[i]!));
      const r = box.getBoundingClientRect();
      const width = g.document.documentElement.clientWidth;
      const hit = g.document.elementFromPoint(r.left + r.width / 2, (r.top + r.bottom) / 2);
      if (moved > 0) return `needs ${Math.round(moved)} px of sideways scrolling`;
      if (r.left < 0 || r.right > width) return `right edge at ${Math.round(r.right)} px of ${width}`;
      return hit !== null && box.contains(hit) ? null : 'covered';
    });
    if (where !== null) out.push(`${(await b.getAttribute('aria-label')) ?? (await b.innerText())}: ${where}`);
  }
  return out;
}

test('Devices at 1000 px: row actions on screen without sideways scrolling; no axe violations at 1400 and 1000', async ({
  page,
  server,
}) => {
  test.setTimeout(180_000);
  await openApp(page, server);
  await openDevices(page);

  // A device with a long name and a long endpoint that does not answer (its state message is long too).
  await page.getByRole('button', { name: 'Add OPC UA device' }).click();
  const form = page.getByRole('form', { name: 'New OPC UA device' });
  await form.getByLabel('Device name', { exact: true }).fill(longName);
  await form.getByLabel('Endpoint URL', { exact: true }).fill(longEndpoint);
  await form.getByLabel('Tag 1 name', { exact: true }).fill('Header pressure');
  await form.getByLabel('Tag 1 node id', { exact: true }).fill('ns=1;s=PumpSkid.Header.Pressure');
  await form.getByRole('button', { name: 'Save device' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'with 1 tag' })).toBeVisible();

  const list = page.getByRole('table', { name: 'Devices' });
  const rowActions = list.getByRole('button', { name: /^(Details of|Browse|Edit|Delete) / });
  await expect(rowActions).toHaveCount(11);
  for (const width of [1400, 1000]) {
    await page.setViewportSize({ width, height: 900 });
    expect(await sidewaysScroll(page), `Devices at ${width} px scrolls sideways by`).toBe(0);
    expect(await buttonsOffScreen(rowActions), `device row actions off screen at ${width} px`).toEqual([]);
    await expectNoAxeViolations(page, `Devices at ${width} px`);
  }

  // The demo Modbus device's register map: Test read, Duplicate and Remove of every row on screen.
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.getByRole('button', { name: `Edit ${demoModbus}` }).click();
  const modbus = page.getByRole('form', { name: /Edit device/ });
  const map = modbus.getByRole('table', { name: 'Register map' });
  const registerActions = map.getByRole('button', { name: /^(Test read|Duplicate|Remove) tag \d+$/ });
  expect(await registerActions.count()).toBeGreaterThanOrEqual(60);
  for (const width of [1400, 1000]) {
    await page.setViewportSize({ width, height: 900 });
    expect(await sidewaysScroll(page), `Modbus form at ${width} px scrolls sideways by`).toBe(0);
    expect(await buttonsOffScreen(registerActions), `register map actions off screen at ${width} px`).toEqual([]);
    await expectNoAxeViolations(page, `Modbus device form at ${width} px`);
  }
  await modbus.getByRole('button', { name: 'Cancel' }).click();

  // The demo OPC UA device's tag list: Remove of every tag on screen.
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.getByRole('button', { name: `Edit ${demoUa}` }).click();
  const ua = page.getByRole('form', { name: /Edit device/ });
  const remove = ua.getByRole('button', { name: /^Remove tag \d+$/ });
  expect(await remove.count()).toBeGreaterThanOrEqual(20);
  for (const width of [1400, 1000]) {
    await page.setViewportSize({ width, height: 900 });
    expect(await sidewaysScroll(page), `OPC UA form at ${width} px scrolls sideways by`).toBe(0);
    expect(await buttonsOffScreen(remove), `OPC UA tag actions off screen at ${width} px`).toEqual([]);
    await expectNoAxeViolations(page, `OPC UA device form at ${width} px`);
  }
  await page.goto('about:blank');
});
