import type { Page } from '@playwright/test';
import { expect, openApp, test } from './fixtures.js';

/**
 * The address-space browser end to end: a new OPC UA device on the demo plant's server, browsed from
 * Devices, two variables picked in the tree and added as tags, then trended live with quality Good.
 */

const deviceName = 'Skid browser';
const picked = ['P-101 speed', 'P-101 motor current'] as const;

async function openView(page: Page, name: 'Devices' | 'Trends'): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click();
}

/** Leaves the app before the service stops, so its WebSocket does not log a failed reconnect. */
async function leave(page: Page): Promise<void> {
  await page.goto('about:blank');
}

test('browse the demo OPC UA server, add two variables as tags, trend them live', async ({ page, server }) => {
  await openApp(page, server);
  await openView(page, 'Devices');
  const endpoint = (await page.getByLabel('Demo plant').locator('code').first().innerText()).trim();
  expect(endpoint).toMatch(/^opc\.tcp:\/\/127\.0\.0\.1:\d+$/);

  // A device with no tags yet, pointed at the demo server.
  await page.getByRole('button', { name: 'Add OPC UA device' }).click();
  const form = page.getByRole('form', { name: 'New OPC UA device' });
  await form.getByLabel('Device name', { exact: true }).fill(deviceName);
  await form.getByLabel('Endpoint URL', { exact: true }).fill(endpoint);
  await form.getByRole('button', { name: 'Remove tag 1' }).click();
  await form.getByRole('button', { name: 'Save device' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Saved “${deviceName}” with 0 tags` })).toBeVisible();

  await page.getByRole('button', { name: `Browse ${deviceName}` }).click();
  const panel = page.getByRole('region', { name: `Address space of ${deviceName}` });
  const tree = panel.getByRole('tree', { name: `Address space of ${deviceName}` });
  const skid = tree.getByRole('treeitem', { name: 'PumpSkid' });
  await expect(skid).toHaveAttribute('aria-expanded', 'false');

  // Keyboard: focus the folder, open it with the right arrow, step into it with the down arrow.
  await skid.click();
  await expect(panel.getByRole('region', { name: 'Node details' })).toContainText('ns=1;s=PumpSkid');
  await skid.press('ArrowRight');
  await expect(skid).toHaveAttribute('aria-expanded', 'true');
  const speed = tree.getByRole('treeitem', { name: `${picked[0]}, Variable, Double` });
  await expect(speed).toBeVisible();
  await expect(speed).toHaveAttribute('aria-level', '2');
  await skid.press('ArrowDown');
  const focused = tree.locator('[role="treeitem"]:focus');
  await expect(focused).toHaveAttribute('aria-level', '2');
  await focused.press('ArrowLeft');
  await expect(skid).toBeFocused();

  // Details of a variable: data type, access level, value with status and time zone, units and range.
  await speed.click();
  const details = panel.getByRole('region', { name: 'Node details' });
  await expect(details).toContainText('ns=1;s=PumpSkid.P101.Speed');
  await expect(details).toContainText('Double');
  await expect(details).toContainText('CurrentRead');
  await expect(details).toContainText(/Good 0x00000000/);
  await expect(details).toContainText(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} CE(S)?T/);
  await expect(details).toContainText('0 to 100');
  await expect(details.getByRole('button', { name: 'Write value…' })).toHaveCount(0);

  // Find filters the loaded nodes by name or node id.
  const find = panel.getByRole('searchbox', { name: 'Find loaded nodes by name or node id' });
  await find.fill('motor current');
  // The match, under the folder that leads to it.
  await expect(tree.getByRole('treeitem')).toHaveText([/PumpSkid Object/, /P-101 motor current Variable/]);
  await expect(panel.getByRole('status').filter({ hasText: '1 match among loaded nodes' })).toBeVisible();
  await find.fill('');

  // Select two variables and add them as tags.
  for (const name of picked) await tree.getByRole('checkbox', { name: `Select ${name}` }).check();
  await panel.getByRole('button', { name: 'Add 2 as tags' }).click();
  await expect(panel.getByRole('status').filter({ hasText: `Added 2 tags to “${deviceName}”` })).toBeVisible();
  const row = page
    .getByRole('table', { name: 'Devices' })
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: deviceName, exact: true }) });
  await expect(row.getByRole('cell').nth(3)).toHaveText('2');

  // Trends: put both on the chart with the tag picker and see live values with quality Good.
  await openView(page, 'Trends');
  const picker = page.getByRole('region', { name: 'Tags' });
  const readouts = page.getByRole('table', { name: 'Current values' });
  if ((await readouts.count()) > 0) await picker.getByRole('button', { name: 'Clear selection' }).click();
  const group = picker.getByRole('group', { name: deviceName });
  await group.getByRole('checkbox', { name: 'P-101 speed (%)' }).check();
  await group.getByRole('checkbox', { name: 'P-101 motor current (A)' }).check();
  for (const name of picked) {
    const r = readouts
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name, exact: true }) })
      .filter({ hasText: deviceName });
    await expect(r).toHaveCount(1);
    await expect(r.locator('td.value')).toHaveText(/^-?\d+(\.\d+)? (%|A)$/, { timeout: 30_000 });
    await expect(r.getByRole('cell').nth(2)).toHaveText('Good');
  }
  await leave(page);
});

test('write the demo setpoint from the address space, with a confirmation and the outcome', async ({
  page,
  server,
}) => {
  await openApp(page, server);
  await openView(page, 'Devices');
  const demo = 'Demo pump skid (OPC UA)';
  await page.getByRole('button', { name: `Browse ${demo}` }).click();
  const panel = page.getByRole('region', { name: `Address space of ${demo}` });
  const tree = panel.getByRole('tree');
  await tree.getByRole('treeitem', { name: 'PumpSkid' }).click();
  await tree.getByRole('treeitem', { name: 'PumpSkid' }).press('ArrowRight');
  await tree.getByRole('treeitem', { name: 'T-101 level setpoint, Variable, Double' }).click();
  const details = panel.getByRole('region', { name: 'Node details' });
  await expect(details).toContainText('CurrentRead, CurrentWrite');
  await details.getByRole('button', { name: 'Write value…' }).click();

  const dialog = page.getByRole('dialog', { name: 'Write value to T-101 level setpoint' });
  const input = dialog.getByLabel('New value (%)');
  await input.fill('12,5');
  await dialog.getByRole('button', { name: 'Review write' }).click();
  await expect(input).toHaveAccessibleDescription('write decimals with a point (12.5)');
  await input.fill('47.5');
  await dialog.getByRole('button', { name: 'Review write' }).click();
  await expect(dialog.getByRole('alert')).toHaveText(
    'Write 47.5 % to T-101 level setpoint (ns=1;s=PumpSkid.T101.LevelSetpoint)?',
  );
  await dialog.getByRole('button', { name: 'Write now' }).click();
  await expect(dialog.getByRole('status')).toHaveText(
    'Written: 47.5 % to T-101 level setpoint (ns=1;s=PumpSkid.T101.LevelSetpoint).',
  );
  await expect(dialog).toContainText('Write ns=1;s=PumpSkid.T101.LevelSetpoint (Double) = 47.5');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(details).toContainText('47.5 %');

  // Out of the server's range: refused by the server, said plainly.
  await details.getByRole('button', { name: 'Write value…' }).click();
  await dialog.getByLabel('New value (%)').fill('95');
  await dialog.getByRole('button', { name: 'Review write' }).click();
  await dialog.getByRole('button', { name: 'Write now' }).click();
  await expect(dialog.getByRole('alert')).toContainText('Not written: the device refused the write');
  await expect(dialog.getByRole('alert')).toContainText('BadOutOfRange');
  await leave(page);
});

test('OPC UA tag editor: subscription settings per tag with their errors beside the fields', async ({
  page,
  server,
}) => {
  await openApp(page, server);
  await openView(page, 'Devices');
  await page.getByRole('button', { name: 'Add OPC UA device' }).click();
  const form = page.getByRole('form', { name: 'New OPC UA device' });
  await form.getByLabel('Device name', { exact: true }).fill('Deadband check');
  await form.getByLabel('Endpoint URL', { exact: true }).fill('opc.tcp://127.0.0.1:4840');
  await form.getByLabel('Tag 1 name', { exact: true }).fill('Flow');
  await form.getByLabel('Tag 1 node id', { exact: true }).fill('ns=2;s=Flow');
  await expect(form.getByLabel('Tag 1 sampling interval (ms)', { exact: true })).toHaveValue('1000');
  await expect(form.getByLabel('Tag 1 discard oldest', { exact: true })).toBeChecked();
  const value = form.getByLabel(/^Tag 1 deadband value/);
  await expect(value).toBeDisabled();
  await form.getByLabel('Tag 1 deadband type', { exact: true }).selectOption('percent');
  await value.fill('150');
  const queue = form.getByLabel('Tag 1 queue size', { exact: true });
  await queue.fill('-1');
  await form.getByRole('button', { name: 'Save device' }).click();
  await expect(form.getByRole('alert').first()).toContainText('Not saved');
  await expect(value).toHaveAttribute('aria-invalid', 'true');
  await expect(value).toHaveAccessibleDescription('a percent deadband is 0 to 100');
  await expect(queue).toHaveAccessibleDescription('at least 0');

  await value.fill('2.5');
  await queue.fill('5');
  await form.getByLabel('Tag 1 discard oldest', { exact: true }).uncheck();
  await form.getByRole('button', { name: 'Save device' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved “Deadband check” with 1 tag' })).toBeVisible();
  await page.getByRole('button', { name: 'Edit Deadband check' }).click();
  const edit = page.getByRole('form', { name: /Edit device/ });
  await expect(edit.getByLabel('Tag 1 deadband type', { exact: true })).toHaveValue('percent');
  await expect(edit.getByLabel(/^Tag 1 deadband value/)).toHaveValue('2.5');
  await expect(edit.getByLabel('Tag 1 queue size', { exact: true })).toHaveValue('5');
  await expect(edit.getByLabel('Tag 1 discard oldest', { exact: true })).not.toBeChecked();
  await leave(page);
});
