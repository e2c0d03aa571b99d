import type { Locator } from '@playwright/test';
import { expectNoAxeViolations } from './axe.js';
import { newDemoOpcUaDevice, openDevices } from './devices-page.js';
import { demoDevices, expect, openApp, test } from './fixtures.js';

/**
 * Messages in Devices describe what is on screen now: after a failed save the error summary is in view and
 * focused; an error goes as soon as its field is fixed; "Saved ... with 0 tags" goes once the user edits on.
 */

const demoModbus = demoDevices[1];

/** True when the whole element is inside the window. */
async function inView(l: Locator): Promise<boolean> {
  const box = await l.boundingBox();
  const size = l.page().viewportSize();
  return box !== null && size !== null && box.y >= 0 && box.y + box.height <= size.height;
}

test('a failed save at the bottom of a long form: the summary is scrolled into view, focused, and follows the fixes', async ({
  page,
  server,
}) => {
  await openApp(page, server);
  await openDevices(page);
  await page.getByRole('button', { name: `Edit ${demoModbus}` }).click();
  const form = page.getByRole('form', { name: /Edit device/ });
  const names = form.getByRole('textbox', { name: /^Tag \d+ name$/ });
  const last = await names.count();
  expect(last).toBeGreaterThanOrEqual(20);

  // Two mistakes far apart: the device name at the top, the last register's name at the bottom.
  const deviceName = form.getByLabel('Device name', { exact: true });
  const lastName = form.getByLabel(`Tag ${last} name`, { exact: true });
  await deviceName.fill('');
  await lastName.fill('');
  const save = form.getByRole('button', { name: 'Save device' });
  await save.scrollIntoViewIfNeeded();
  await save.click();

  const summary = form.getByRole('alert').filter({ hasText: 'Not saved' });
  await expect(summary).toHaveText(/Not saved: 2 settings need attention\./);
  await expect(summary).toBeFocused();
  expect(await inView(summary), 'the error summary is inside the window').toBe(true);
  const fix = summary.getByRole('list', { name: 'Settings to fix' });
  await expect(fix.getByRole('listitem')).toHaveText([
    'Device name: a name is required',
    `Tag ${last} name: a name is required`,
  ]);
  await expectNoAxeViolations(page, 'Modbus device form with its error summary');

  // The summary takes the user to the field.
  await fix.getByRole('button', { name: `Tag ${last} name` }).click();
  await expect(lastName).toBeFocused();
  expect(await inView(lastName)).toBe(true);

  // Fixed fields lose their errors at once, without saving again.
  await lastName.fill('Spare register');
  await expect(lastName).toHaveAttribute('aria-invalid', 'false');
  await expect(summary).toHaveText(/Not saved: one setting needs attention\./);
  await expect(fix.getByRole('listitem')).toHaveText(['Device name: a name is required']);
  await deviceName.fill(demoModbus);
  await expect(deviceName).toHaveAttribute('aria-invalid', 'false');
  await expect(form.getByRole('alert')).toHaveCount(0);
  await expect(form.getByText('a name is required')).toHaveCount(0);

  await save.click();
  await expect(page.getByRole('status').filter({ hasText: `Saved “${demoModbus}” with ${last} tags` })).toBeVisible();
  await page.goto('about:blank');
});

test('"Saved ... with 0 tags" goes when the user picks tags to add, and does not come back', async ({
  page,
  server,
}) => {
  await openApp(page, server);
  await openDevices(page);
  const form = await newDemoOpcUaDevice(page, 'Skid with no tags yet');
  await form.getByRole('button', { name: 'Remove tag 1' }).click();
  await form.getByRole('button', { name: 'Save device' }).click();
  const saved = page.getByRole('status').filter({ hasText: 'Saved “Skid with no tags yet” with 0 tags' });
  await expect(saved).toBeVisible();

  await page.getByRole('button', { name: 'Browse Skid with no tags yet' }).click();
  const panel = page.getByRole('region', { name: 'Address space of Skid with no tags yet' });
  const tree = panel.getByRole('tree');
  const skid = tree.getByRole('treeitem', { name: 'PumpSkid' });
  await skid.click();
  await skid.press('ArrowRight');
  await expect(tree.getByRole('treeitem', { name: 'P-101 speed, Variable, Double' })).toBeVisible();
  await expect(saved).toBeVisible();

  await tree.getByRole('checkbox', { name: 'Select P-101 speed' }).check();
  await expect(saved).toHaveCount(0);
  await panel.getByRole('button', { name: 'Add 1 as tags' }).click();
  await expect(panel.getByRole('status').filter({ hasText: 'Added 1 tag' })).toBeVisible();
  const row = page
    .getByRole('table', { name: 'Devices' })
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: 'Skid with no tags yet', exact: true }) });
  await expect(row.getByRole('cell').nth(3)).toHaveText('1');
  await expect(page.getByText(/with 0 tags/)).toHaveCount(0);
  await page.goto('about:blank');
});
