import { expectNoAxeViolations } from './axe.js';
import { demoDevices, expect, openApp, test } from './fixtures.js';

/**
 * The first screen on a fresh data dir says what the demo plant is (simulated, offline, its two devices with their
 * endpoints) and how to add a PLC, in a short panel that goes away for good when dismissed.
 */
test('the first screen explains the demo plant and how to add a PLC, and can be dismissed', async ({
  page,
  server,
}) => {
  await openApp(page, server);
  const intro = page.getByRole('region', { name: 'Getting started' });
  await expect(intro).toBeVisible();
  await expect(intro).toContainText('simulated pump skid');
  await expect(intro).toContainText('offline');
  for (const name of demoDevices) await expect(intro).toContainText(name);
  await expect(intro).toContainText(/opc\.tcp:\/\/127\.0\.0\.1:\d+/);
  await expect(intro).toContainText(/127\.0\.0\.1:\d+ · unit 1/);
  // Not taller than its text: a heading line and three of text at 1400 px (measured 107 px).
  const height = (await intro.boundingBox())?.height ?? Infinity;
  console.log(`first-screen intro height at 1400 px: ${height} px`);
  expect(height).toBeLessThanOrEqual(110);
  await expectNoAxeViolations(page, 'Trends with the first-screen intro');
  await page.setViewportSize({ width: 1000, height: 900 });
  console.log(`first-screen intro height at 1000 px: ${(await intro.boundingBox())?.height} px`);
  await page.setViewportSize({ width: 1400, height: 900 });

  // "Add OPC UA device" opens the form in Devices.
  await intro.getByRole('button', { name: 'Add OPC UA device' }).click();
  await expect(page.getByRole('heading', { name: 'Devices' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'New OPC UA device' })).toBeVisible();
  await expect(
    page.getByRole('form', { name: 'New OPC UA device' }).getByLabel('Device name', { exact: true }),
  ).toBeFocused();

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Trends' }).click();
  await page
    .getByRole('region', { name: 'Getting started' })
    .getByRole('button', { name: 'Dismiss introduction' })
    .click();
  await expect(page.getByRole('region', { name: 'Getting started' })).toHaveCount(0);
  // Focus does not fall to the page with the Dismiss button gone.
  await expect(page.getByRole('heading', { name: 'Trend', exact: true })).toBeFocused();
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Trend', exact: true })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Getting started' })).toHaveCount(0);
});
