import { expectNoAxeViolations } from './axe.js';
import { newDemoOpcUaDevice, openDevices } from './devices-page.js';
import { expect, openApp, test } from './fixtures.js';

/**
 * Device details against the demo plant's node-opcua server: a tag whose node does not exist is not "granted as
 * requested"; its row says it was not created, with the status code and what it means.
 */

const deviceName = 'Skid with a missing node';

test('a monitored item the server refused shows BadNodeIdUnknown and its meaning, not "granted as requested"', async ({
  page,
  server,
}) => {
  await openApp(page, server);
  await openDevices(page);
  const form = await newDemoOpcUaDevice(page, deviceName);
  await form.getByLabel('Tag 1 name', { exact: true }).fill('P-101 speed');
  await form.getByLabel('Tag 1 node id', { exact: true }).fill('ns=1;s=PumpSkid.P101.Speed');
  await form.getByRole('button', { name: 'Add tag' }).click();
  await form.getByLabel('Tag 2 name', { exact: true }).fill('Not there');
  await form.getByLabel('Tag 2 node id', { exact: true }).fill('ns=1;s=PumpSkid.NoSuchNode');
  await form.getByRole('button', { name: 'Save device' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Saved “${deviceName}” with 2 tags` })).toBeVisible();

  await page.getByRole('button', { name: `Details of ${deviceName}` }).click();
  const details = page.getByRole('region', { name: `Details: ${deviceName}` });
  const sub = details.getByRole('region', { name: 'Subscription' });
  const items = sub.getByRole('table', { name: 'Monitored items' });
  const row = (name: string) =>
    items.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
  // The details refresh every 5 s: wait for the session and the CreateMonitoredItems answer.
  await expect(row('P-101 speed').getByRole('cell').nth(4)).toContainText(/Good\s*0x00000000/, { timeout: 45_000 });

  const missing = row('Not there');
  await expect(missing.getByRole('cell').nth(1)).toHaveText('not created');
  await expect(missing.getByRole('cell').nth(3)).toHaveText('not created');
  await expect(missing.getByRole('cell').nth(4)).toContainText('BadNodeIdUnknown');
  await expect(missing.getByRole('cell').nth(4)).toContainText('0x80340000');
  await expect(missing.getByRole('cell').nth(4)).toContainText(
    "the node id does not exist in the server's address space",
  );
  await expect(row('P-101 speed').getByRole('cell').nth(1)).toHaveText(/^\d+/);

  const summary = sub.getByRole('definition').filter({ hasText: /created/ });
  await expect(summary).toHaveText(/^2\s+1 created, granted as requested; 1 not created \(status below\)$/);
  await expect(sub).not.toContainText('all granted as requested');
  await expectNoAxeViolations(page, 'OPC UA device details with a refused monitored item');
  await page.goto('about:blank');
});
