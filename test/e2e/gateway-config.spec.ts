import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, openApp, startServer, stopServer, test } from './fixtures.js';

/*
 * A hand-broken config file on a gateway: the service still starts on its last good settings (here the first-run
 * demo devices), and the UI says plainly that the file was refused and why.
 */
test('a broken --config file: the service runs on the last good settings and the UI says why', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'twinedge-config-e2e-'));
  const file = join(dir, 'plant.json');
  writeFileSync(file, '{ "devices": [ { "name": "Line 3 PLC", "protocol": "opcua", ');
  const server = await startServer(45_000, {}, ['--config', file]);
  try {
    await openApp(page, server);
    const banner = page.getByRole('alert').filter({ hasText: 'Config file problem:' });
    await expect(banner).toContainText('plant.json is not valid JSON');
    await expect(page.getByText('Config file invalid: last good settings in use')).toBeVisible();
    // The last good settings are in use: the demo devices are there, nothing from the broken file.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices', exact: true }).click();
    await expect(page.getByText('Demo pump skid (Modbus)').first()).toBeVisible();
    await expect(page.getByText('Line 3 PLC')).toHaveCount(0);
  } finally {
    await stopServer(server);
  }
});
