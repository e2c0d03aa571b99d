import { startCloudSession, type CloudSession } from './cloud-session.js';
import { expect, openApp, test } from './fixtures.js';

/**
 * The whole cloud flow through the real UI: the key typed into Settings goes to a real OS keychain
 * (gnome-keyring on a private D-Bus session given to the service), the app registers its demo devices and
 * uploads to the local TwinEdge API, the TwinEdge view lists cloud data and follows a training job, and the
 * key never reaches the page: not in the DOM, not in a WebSocket frame.
 */
test.describe('cloud sync against the local TwinEdge API', () => {
  let cloud: CloudSession;
  test.beforeAll(async () => {
    cloud = await startCloudSession();
  });
  test.afterAll(async () => {
    await cloud?.stop();
  });

  test('key in the keychain, uploads flowing, cloud lists and a training job, the key never on the page', async ({
    page,
  }) => {
    test.setTimeout(90_000);
    const { keyring, sim, service, key } = cloud;
    const frames: string[] = [];
    page.on('websocket', (ws) => {
      ws.on('framereceived', (f) => frames.push(typeof f.payload === 'string' ? f.payload : f.payload.toString()));
    });
    await openApp(page, service);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cloud sync', exact: true }).click();

    const connection = page.getByRole('region', { name: 'Connection' });
    await connection.getByLabel('TwinEdge API base URL').fill(sim.url);
    await connection.getByRole('button', { name: 'Save', exact: true }).click();

    await page.getByLabel('API key', { exact: true }).fill(key);
    await page.getByRole('button', { name: 'Save key' }).click();
    await expect(page.getByLabel('API key status')).toContainText(`Key set, ending in …${key.slice(-4)}`);
    await expect(page.getByLabel('API key status')).toContainText('the OS keychain');
    await expect(page.getByLabel('API key', { exact: true })).toHaveValue('');
    expect(await keyring.lookup('twinedge/api-key')).toBe(key);

    await page.getByRole('button', { name: 'Test key' }).click();
    const result = page.getByLabel('Key test result');
    await expect(result).toContainText('professional');
    await expect(result).toContainText('Line 3 gateway');
    await expect(result).toContainText('write:telemetry');

    // Both demo devices registered, samples uploaded, and the page says so.
    const links = page.getByRole('table', { name: 'Devices in TwinEdge' });
    await expect(links.getByRole('cell', { name: 'synced', exact: true })).toHaveCount(2, { timeout: 30_000 });
    await expect.poll(() => sim.stats().pointsStored, { timeout: 30_000 }).toBeGreaterThan(0);
    await expect(page.getByLabel('Sync state')).toContainText(/online|Uploading|Up to date/);
    expect(
      sim
        .devices()
        .map((d) => d.name)
        .sort(),
    ).toEqual(['Demo pump skid (Modbus)', 'Demo pump skid (OPC UA)']);

    await page.getByRole('button', { name: 'Pause uploads' }).click();
    await expect(page.getByLabel('Sync state')).toContainText('paused');
    await page.getByRole('button', { name: 'Resume uploads' }).click();
    await expect(page.getByLabel('Sync state')).not.toContainText('paused');

    // The TwinEdge view: seeded alert rules, dashboards and models; a training job followed to its end.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'TwinEdge', exact: true }).click();
    await page.getByRole('button', { name: 'Refresh alerts' }).click();
    await expect(page.getByRole('table', { name: 'Alert rules' }).getByRole('row')).not.toHaveCount(1);
    await page.getByRole('button', { name: 'Refresh dashboards' }).click();
    await expect(page.getByRole('table', { name: 'Dashboards' }).getByRole('row')).not.toHaveCount(1);
    await page.getByRole('button', { name: 'Refresh ML models' }).click();
    await expect(page.getByRole('table', { name: 'ML models' }).getByRole('row')).not.toHaveCount(1);

    const training = page.getByRole('region', { name: 'Start training' });
    await training.getByLabel('Model name').fill('Pump skid anomalies');
    await training.getByLabel('Tags').selectOption({ index: 0 });
    await training.getByRole('button', { name: 'Start training' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Training completed: model' })).toBeVisible({
      timeout: 30_000,
    });

    // Nowhere on the page, nowhere on the wire to it.
    expect(await page.content()).not.toContain(key);
    expect(frames.length).toBeGreaterThan(5);
    expect(frames.filter((f) => f.includes(key))).toEqual([]);

    // Removing the key removes it from the keychain and turns sync off.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cloud sync', exact: true }).click();
    await page.getByRole('button', { name: 'Remove key' }).click();
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /Remove/ })
      .click();
    await expect(page.getByLabel('API key status')).toContainText('No key set');
    await expect(page.getByLabel('Sync state')).toContainText('off');
    expect(await keyring.lookup('twinedge/api-key')).toBeNull();
  });
});
