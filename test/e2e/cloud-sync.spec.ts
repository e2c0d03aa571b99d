import { expect, openApp, test } from './fixtures.js';
import type { Page } from '@playwright/test';

/**
 * Cloud sync and TwinEdge views without a cloud: a fresh install has no API key, so sync is off, nothing is
 * buffered, and the TwinEdge view says it is not connected instead of failing silently.
 */

const openCloudSync = async (page: Page): Promise<void> => {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cloud sync', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Cloud sync', level: 2 })).toBeVisible();
};

test.describe('cloud sync without a cloud', () => {
  test('with no key, sync is off, nothing is buffered and the key field validates', async ({ page, server }) => {
    await openApp(page, server);
    await openCloudSync(page);
    await expect(page).toHaveURL(/#\/cloud$/);

    await expect(page.getByLabel('Sync state')).toContainText('off');
    // Why it is off: no key, or (on a machine without an OS keychain, as in CI) the keychain cannot be read.
    await expect(page.getByLabel('Sync state')).toContainText(
      /no TwinEdge API key is set|API key could not be read from/,
    );
    await expect(page.getByLabel('API key status')).toContainText('No key set');
    await expect(page.getByLabel('API key status')).toContainText('Stored in');
    await expect(page.getByRole('button', { name: 'Remove key' })).toBeDisabled();
    await expect(page.getByRole('button', { name: 'Test key' })).toBeDisabled();
    await expect(page.getByRole('button', { name: 'Pause uploads' })).toBeDisabled();

    // The backlog is empty and says so, with its size against the cap.
    await expect(page.getByTestId('backlog-samples')).toHaveText('0');
    await expect(page.getByText('— (buffer empty)')).toBeVisible();
    await expect(page.getByText('— (no data arriving)')).toBeVisible();
    await expect(page.getByRole('meter', { name: /Buffer used: 0 B of \d+(\.\d)? (MiB|GiB)/ })).toBeVisible();
    await expect(page.getByLabel('When the buffer is full')).toHaveValue('drop-oldest');

    // A key that is too short is refused by the contract, and the message sits at the field.
    const keyField = page.getByLabel('API key', { exact: true });
    await expect(keyField).toHaveAttribute('type', 'password');
    await keyField.fill('short');
    await page.getByRole('button', { name: 'Save key' }).click();
    await expect(page.getByText('an API key is at least 8 characters')).toBeVisible();
    await expect(keyField).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByLabel('API key status')).toContainText('No key set');

    // So is a base URL that is not https (the key would travel in the clear), except to this computer.
    const url = page.getByLabel('TwinEdge API base URL');
    await url.fill('ftp://plant-historian');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.getByText('an https URL such as https://host/v1')).toBeVisible();
    await url.fill('http://plant-historian/v1');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(
      page.getByText('plain http sends the API key unencrypted: use https://plant-historian/v1'),
    ).toBeVisible();

    // Each local device is listed with its (not yet) link to TwinEdge.
    const links = page.getByRole('table', { name: 'Devices in TwinEdge' });
    await expect(links.getByRole('row')).not.toHaveCount(1);
    await expect(links.getByRole('cell', { name: 'pending' }).first()).toBeVisible();
    await expect(page.getByRole('table', { name: 'Rejected points' })).toContainText('No points rejected.');
  });

  test('a cap below the minimum is refused; a valid cap and policy are saved', async ({ page, server }) => {
    await openApp(page, server);
    await openCloudSync(page);
    const cap = page.getByLabel('Buffer cap (MiB)');
    await cap.fill('8');
    await page.getByRole('button', { name: 'Save buffer settings' }).click();
    await expect(cap).toHaveAttribute('aria-invalid', 'true');

    await cap.fill('64');
    await page.getByLabel('When the buffer is full').selectOption({ label: 'Stop buffering new samples' });
    await page.getByRole('button', { name: 'Save buffer settings' }).click();
    await expect(page.getByText('Buffer settings saved.')).toBeVisible();
    await expect(page.getByRole('meter', { name: /of 64(\.0)? MiB$/ })).toBeVisible();

    await page.reload();
    await expect(page.getByLabel('Buffer cap (MiB)')).toHaveValue('64');
    await expect(page.getByLabel('When the buffer is full')).toHaveValue('drop-newest');
  });

  test('the TwinEdge view says it is not connected, without crashing', async ({ page, server }) => {
    await openApp(page, server);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'TwinEdge', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'TwinEdge', level: 2 })).toBeVisible();
    await expect(page.getByRole('status').filter({ hasText: 'Not connected to TwinEdge.' })).toBeVisible();

    for (const list of ['Alerts', 'Dashboards', 'ML models']) {
      await expect(page.getByRole('alert').filter({ hasText: `${list}: Not connected to TwinEdge` })).toBeVisible();
    }
    await expect(page.getByRole('table', { name: 'Alert rules' })).toContainText('No alert rules fetched yet.');

    // Refresh keeps saying why, rather than failing silently.
    await page.getByRole('button', { name: 'Refresh dashboards' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'Dashboards: Not connected to TwinEdge' })).toBeVisible();

    // Predictions and training need a key: the reason is shown.
    await expect(page.getByLabel('Device').first()).not.toHaveValue('');
    await page.getByRole('button', { name: 'Show predictions' }).click();
    await expect(page.getByRole('alert').filter({ hasText: /Predictions not available: .+/ })).toBeVisible();
  });

  test('the status bar shows the cloud sync state and links to the view', async ({ page, server }) => {
    await openApp(page, server);
    const indicator = page
      .getByRole('contentinfo', { name: 'Status bar' })
      .getByRole('link', { name: /^Cloud sync: off, 0 samples buffered$/ });
    await expect(indicator).toBeVisible();
    await expect(indicator).toContainText('0 samples buffered');
    await indicator.click();
    await expect(page).toHaveURL(/#\/cloud$/);
    await expect(page.getByRole('heading', { name: 'Cloud sync', level: 2 })).toBeVisible();
  });
});
