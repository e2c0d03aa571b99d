import { test } from '@playwright/test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, openApp, startServer, stopServer } from './fixtures.js';

/**
 * A demo plant that cannot start says why, in Trends (where a new user lands) and in Devices, instead of "No tags yet"
 * and "Demo plant not running" alone. The failure is real: the demo plant's folder in the data dir is a file, so its
 * OPC UA server cannot create its certificate folder.
 */
test('a demo plant that cannot start shows its reason in Trends and Devices', async ({ page }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'twinedge-e2e-demo-'));
  writeFileSync(join(dataDir, 'demo'), 'not a folder');
  const server = await startServer(45_000, {}, [], { dataDir });
  try {
    await openApp(page, server);
    const main = page.getByRole('main');
    const trendReason = main.getByRole('alert').filter({ hasText: 'Demo plant not running.' });
    await expect(trendReason).toContainText('The demo plant could not start:');
    await expect(trendReason).toContainText(/not a directory|ENOTDIR|EEXIST/i);
    await expect(page.getByText('No tags yet. Add a device with tags in Devices.')).toBeVisible();

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
    await expect(page.getByRole('heading', { name: 'Devices' })).toBeVisible();
    const devicesReason = page.getByRole('alert').filter({ hasText: 'Demo plant not running.' });
    await expect(devicesReason).toContainText('The demo plant could not start:');
    await expect(devicesReason).toContainText(/not a directory|ENOTDIR|EEXIST/i);
    await expect(page.getByLabel('Run the demo plant')).toBeChecked();
  } finally {
    await stopServer(server);
  }
});
