import type { Locator, Page } from '@playwright/test';
import { expect, openApp, test } from './fixtures.js';

/** A text alarm rule made in the rule editor, raised by writing the demo Modbus batch id string. */

const demoModbus = 'Demo pump skid (Modbus)';
const ruleName = 'Batch B-E2E-7 started';

const nav = (page: Page, name: string) =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
const rowOf = (table: Locator, name: string): Locator =>
  table.getByRole('row').filter({ has: table.page().getByRole('rowheader', { name, exact: true }) });

async function openAlarms(page: Page, tab: 'Active' | 'Rules'): Promise<void> {
  await nav(page, 'Alarms').click();
  await expect(page.getByRole('heading', { name: 'Alarms', exact: true })).toBeVisible();
  await page.getByRole('tab', { name: tab, exact: true }).click();
}

test('a "changes to" text rule from the rule editor raises when the batch id becomes that text', async ({
  page,
  server,
}) => {
  await openApp(page, server);
  await openAlarms(page, 'Rules');
  await page.getByRole('button', { name: 'New rule' }).click();
  const form = page.getByRole('form', { name: 'New alarm rule' });
  await form.getByLabel('Name', { exact: true }).fill(ruleName);
  await form.getByLabel('Severity', { exact: true }).selectOption('info');
  await form.getByLabel('Condition 1 kind', { exact: true }).selectOption('text');
  const tagSelect = form.getByLabel('Condition 1 tag', { exact: true });
  const option = tagSelect.locator('option').filter({ hasText: `${demoModbus} / Batch ID` });
  await tagSelect.selectOption((await option.getAttribute('value')) ?? '');
  await form.getByLabel('Condition 1 operator', { exact: true }).selectOption('changes-to');
  // The text is required: named at its field before anything is sent.
  await form.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(form.getByText('enter the text to look for')).toBeVisible();
  await form.getByLabel('Condition 1 text', { exact: true }).fill('B-E2E-7');
  await form.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(form).toBeHidden();
  const ruleRow = rowOf(page.getByRole('table', { name: 'Alarm rules' }), ruleName);
  await expect(ruleRow).toContainText('Batch ID changes to “B-E2E-7”');

  // Write the batch id through the Devices view's write flow.
  await nav(page, 'Devices').click();
  const row = rowOf(page.getByRole('table', { name: 'Devices' }), demoModbus);
  await expect(row.getByText('connected', { exact: true })).toBeVisible({ timeout: 45_000 });
  await row.getByRole('button', { name: `Details of ${demoModbus}` }).click();
  const details = page.getByRole('region', { name: `Details: ${demoModbus}` });
  const target = rowOf(details.getByRole('table', { name: `Tags of ${demoModbus}` }), 'Batch ID');
  await expect(target.getByRole('cell').nth(2)).toContainText('Good', { timeout: 15_000 });
  await target.getByRole('button', { name: 'Write value to Batch ID' }).click();
  const dialog = page.getByRole('dialog', { name: 'Write value to Batch ID' });
  await dialog.getByLabel(/^New value/).fill('B-E2E-7');
  await dialog.getByRole('button', { name: 'Review write' }).click();
  await dialog.getByRole('button', { name: 'Write now' }).click();
  await expect(dialog.getByRole('status')).toHaveText(/^Written: /);
  await dialog.getByRole('button', { name: 'Close' }).click();

  await openAlarms(page, 'Active');
  const alarm = rowOf(page.getByRole('table', { name: 'Active alarms' }), ruleName);
  await expect(alarm).toContainText('Active unacknowledged', { timeout: 30_000 });
  await expect(alarm).toContainText('Batch ID changes to “B-E2E-7”');
});
