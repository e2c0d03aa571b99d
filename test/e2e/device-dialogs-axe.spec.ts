import type { Page } from '@playwright/test';
import { expectNoAxeViolations } from './axe.js';
import { demoDevices, expect, openApp, test } from './fixtures.js';

/**
 * axe-core (WCAG 2.1 A/AA) on the dialogs and panels of Devices, at 1400 and 1000 px: the write dialog with its
 * confirmation, the delete dialog, the CSV import review, a test read, a configuration file review, the
 * certificates and the Trends tag picker.
 */

const [demoUa, demoModbus] = demoDevices;

async function openView(page: Page, name: 'Devices' | 'Trends'): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click();
}

async function axeAtBothWidths(page: Page, where: string): Promise<void> {
  for (const width of [1400, 1000]) {
    await page.setViewportSize({ width, height: 900 });
    await expectNoAxeViolations(page, `${where} at ${width} px`);
  }
  await page.setViewportSize({ width: 1400, height: 900 });
}

test('Devices dialogs and panels have no axe-core violations at 1400 and 1000 px', async ({ page, server }) => {
  test.setTimeout(240_000);
  await openApp(page, server);
  await openView(page, 'Devices');
  await expect(page.getByRole('heading', { name: 'Devices' })).toBeVisible();
  const list = page.getByRole('table', { name: 'Devices' });
  await expect(list.getByText('connected', { exact: true })).toHaveCount(2, { timeout: 45_000 });

  // Modbus details, then the write dialog: entry, a field error, the confirmation.
  await page.getByRole('button', { name: `Details of ${demoModbus}` }).click();
  const details = page.getByRole('region', { name: `Details: ${demoModbus}` });
  await expect(details.getByRole('table', { name: 'Poll groups' })).toBeVisible({ timeout: 15_000 });
  await axeAtBothWidths(page, 'Modbus device details');
  await details.getByRole('button', { name: 'Write value to T-101 level setpoint' }).click();
  const write = page.getByRole('dialog', { name: 'Write value to T-101 level setpoint' });
  await axeAtBothWidths(page, 'Modbus write dialog');
  await write.getByLabel(/^New value/).fill('62,5');
  await write.getByRole('button', { name: 'Review write' }).click();
  await expect(write.getByLabel(/^New value/)).toHaveAttribute('aria-invalid', 'true');
  await axeAtBothWidths(page, 'Modbus write dialog with a field error');
  await write.getByLabel(/^New value/).fill('62.5');
  await write.getByRole('button', { name: 'Review write' }).click();
  await expect(write.getByRole('alert')).toContainText('Write 62.5 %');
  await axeAtBothWidths(page, 'Modbus write confirmation');
  await write.getByRole('button', { name: 'Back' }).click();
  await write.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('button', { name: 'Close details' }).click();

  // OPC UA details.
  await page.getByRole('button', { name: `Details of ${demoUa}` }).click();
  await expect(
    page.getByRole('region', { name: `Details: ${demoUa}` }).getByRole('table', { name: 'Monitored items' }),
  ).toBeVisible({ timeout: 15_000 });
  await axeAtBothWidths(page, 'OPC UA device details');
  await page.getByRole('button', { name: 'Close details' }).click();

  // Delete dialog.
  await page.getByRole('button', { name: `Delete ${demoModbus}` }).click();
  const del = page.getByRole('dialog', { name: `Delete “${demoModbus}”?` });
  await expect(del).toBeVisible();
  await axeAtBothWidths(page, 'delete dialog');
  await del.getByRole('button', { name: 'Cancel' }).click();

  // Register map: a test read, and a CSV import review with problems.
  await page.getByRole('button', { name: `Edit ${demoModbus}` }).click();
  const edit = page.getByRole('form', { name: /Edit device/ });
  await edit.getByRole('button', { name: 'Test read tag 2', exact: true }).click();
  await expect(edit.getByRole('region', { name: 'Test read of tag 2', exact: true })).toBeVisible({
    timeout: 15_000,
  });
  await axeAtBothWidths(page, 'register map with a test read');
  await edit.getByLabel('Import CSV', { exact: true }).setInputFiles({
    name: 'broken.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('name,modicon,type\nok,40001,float32\nbad,40003,float33\n,40005,uint16\n'),
  });
  const review = edit.getByRole('region', { name: 'CSV import' });
  await expect(review).toContainText('2 problems');
  await axeAtBothWidths(page, 'CSV import review');
  await review.getByRole('button', { name: 'Cancel import' }).click();
  await edit.getByRole('button', { name: 'Cancel' }).click();

  // A configuration file review.
  await page.getByLabel('Import configuration…', { exact: true }).setInputFiles({
    name: 'bad-config.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({ devices: [{ name: '' }], extra: 1 })),
  });
  const cfg = page.getByRole('region', { name: 'Import configuration from bad-config.json' });
  await expect(cfg.getByRole('list', { name: 'Problems in bad-config.json' })).toBeVisible();
  await axeAtBothWidths(page, 'configuration import review');
  await cfg.getByRole('button', { name: 'Cancel' }).click();

  // Certificates.
  await page.getByRole('button', { name: 'Certificates' }).click();
  await expect(page.getByRole('heading', { name: 'Certificates', exact: true })).toBeVisible();
  await axeAtBothWidths(page, 'certificates');

  // The Trends tag picker.
  await openView(page, 'Trends');
  await expect(page.getByRole('region', { name: 'Tags' }).getByRole('group', { name: demoModbus })).toBeVisible();
  await axeAtBothWidths(page, 'Trends with the tag picker');
  await page.goto('about:blank');
});
