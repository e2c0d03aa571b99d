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

/*
 * A gateway's fixed access token (TWINEDGE_ACCESS_TOKEN in the service's secrets file): the printed URL carries
 * exactly that token, so bookmarks survive restarts; a weak one stops the service with a plain message.
 */
test('a fixed access token from the environment is used, and a weak one is refused', async ({ page }) => {
  const token = 'gW3_kP8-vX2mQ7zR5tY1uB6nC4hJ9dLe';
  const server = await startServer(45_000, { TWINEDGE_ACCESS_TOKEN: token });
  try {
    expect(new URL(server.url).searchParams.get('token')).toBe(token);
    await openApp(page, server);
    // Left before the service stops, so its reconnect attempts are not counted as page errors.
    await page.goto('about:blank');
  } finally {
    await stopServer(server);
  }
  await expect(startServer(45_000, { TWINEDGE_ACCESS_TOKEN: 'plant123' })).rejects.toThrow(
    /TWINEDGE_ACCESS_TOKEN must be 32 to 256 characters .*\(it is 8 characters\)/,
  );
});
