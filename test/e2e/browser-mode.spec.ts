import { demoDevices, expect, openApp, test } from './fixtures.js';

test.describe('browser mode', () => {
  test('a new user sees both demo devices connect', async ({ page, server }, testInfo) => {
    await openApp(page, server);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
    await expect(page.getByRole('heading', { name: 'Devices' })).toBeVisible();

    const table = page.getByRole('table', { name: 'Devices' });
    for (const name of demoDevices) {
      const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
      await expect(row).toHaveCount(1);
      await expect(row.getByText('connected', { exact: true })).toBeVisible({ timeout: 45_000 });
    }

    // The demo plant endpoints are shown, and the status bar counts both devices as connected and lists them.
    await expect(page.getByLabel('Demo plant', { exact: true })).toContainText('opc.tcp://');
    const statusBar = page.getByRole('contentinfo', { name: 'Status bar' });
    const summary = statusBar.getByRole('button', { name: '2 devices: 2 connected' });
    await summary.click();
    const states = page.getByRole('region', { name: 'Device states' });
    for (const name of demoDevices)
      await expect(states.getByRole('listitem').filter({ hasText: name })).toContainText('connected');
    await summary.click();
    await expect(statusBar).toContainText(/samples\/s/);
    await expect(statusBar).toContainText(/Store \d+(\.\d)? (B|KiB|MiB|GiB)/);

    await page.screenshot({ path: testInfo.outputPath('devices.png'), fullPage: true });
    await testInfo.attach('devices.png', { path: testInfo.outputPath('devices.png'), contentType: 'image/png' });
  });

  test('trend readouts show live values that change, with quality and time zone', async ({
    page,
    server,
  }, testInfo) => {
    await openApp(page, server);
    await expect(page.getByRole('link', { name: 'Trends' })).toHaveAttribute('aria-current', 'page');

    const picker = page.getByRole('region', { name: 'Tags' });
    const boxes = picker.getByRole('checkbox');
    await expect(boxes.first()).toBeVisible({ timeout: 30_000 });

    // A new user may have nothing on the chart yet: put a few tags on it.
    const readouts = page.getByRole('table', { name: 'Current values' });
    if ((await readouts.count()) === 0) {
      for (let i = 0; i < 4; i++) await boxes.nth(i).check();
    }
    await expect(readouts).toBeVisible();
    const values = readouts.locator('td.value');
    const n = await values.count();
    expect(n).toBeGreaterThan(0);

    // Wait until values arrive, read them, and read again until at least one has changed.
    await expect(values.first()).toHaveText(/^-?\d/, { timeout: 30_000 });
    const first = await values.allInnerTexts();
    await expect
      .poll(async () => (await values.allInnerTexts()).some((v, i) => v !== first[i]), {
        timeout: 20_000,
        message: `readouts never changed from ${JSON.stringify(first)}`,
      })
      .toBe(true);

    const row = readouts.getByRole('row').nth(1);
    await expect(row).toContainText(/Good|Uncertain|Bad/);
    // Source time with the zone (the test browser runs in Europe/Berlin).
    await expect(row.locator('td.time')).toHaveText(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} (CET|CEST|GMT\+\d)$/);
    await expect(page.getByRole('figure', { name: /Trend chart/ })).toBeVisible();
    await expect(page.getByText('Following live')).toBeVisible();

    await page.screenshot({ path: testInfo.outputPath('trends.png'), fullPage: true });
    await testInfo.attach('trends.png', { path: testInfo.outputPath('trends.png'), contentType: 'image/png' });
  });

  test('a tag added from the picker stays selected after reload', async ({ page, server }) => {
    await openApp(page, server);
    const picker = page.getByRole('region', { name: 'Tags' });
    await expect(picker.getByRole('checkbox').first()).toBeVisible({ timeout: 30_000 });

    // Tags are grouped by device (both demo devices may have tags of the same name): pick one
    // unticked tag of the first device and remember both names.
    const group = picker.getByRole('group').first();
    const deviceName = (await group.locator('legend').innerText()).trim();
    const candidate = group.locator('input[type=checkbox]:not(:checked)').first();
    const boxName = (await candidate.getAttribute('aria-label')) ?? '';
    expect(boxName).not.toBe('');
    const tagName = boxName.replace(/ \(.*\)$/, '');

    // Find it with the search box, then tick it.
    await picker.getByLabel('Search tags').fill(tagName);
    const box = () =>
      page
        .getByRole('region', { name: 'Tags' })
        .getByRole('group', { name: deviceName, exact: true })
        .getByRole('checkbox', { name: boxName, exact: true });
    await box().check();
    await expect(box()).toBeChecked();
    const readoutRow = () =>
      page
        .getByRole('table', { name: 'Current values' })
        .getByRole('row')
        .filter({ has: page.getByRole('rowheader', { name: tagName, exact: true }) })
        .filter({ hasText: deviceName });
    await expect(readoutRow()).toHaveCount(1);

    // Saved through settings.update (debounced); after reload, settings.get restores it.
    await page.waitForTimeout(1_000);
    await page.reload();
    await expect(box()).toBeChecked({ timeout: 15_000 });
    await expect(readoutRow()).toHaveCount(1);
  });

  test('add a Modbus device: field error shown, fixed, saved, listed, deleted', async ({ page, server }, testInfo) => {
    await openApp(page, server);
    await page.getByRole('link', { name: 'Devices' }).click();
    await page.getByRole('button', { name: 'Add Modbus device' }).click();

    const form = page.getByRole('form', { name: 'New Modbus device' });
    await form.getByLabel('Device name').fill('Line 3 booster PLC');
    await form.getByLabel('Host').fill('not a host!');
    await form.getByLabel('Port', { exact: true }).fill('9');
    await form.getByLabel('Tag 1 name').fill('Discharge pressure');
    await form.getByLabel('Tag 1 unit').fill('bar');
    await form.getByLabel('Tag 1 offset (0-based)').fill('100');
    await form.getByLabel('Tag 1 data type').selectOption('float32');
    await form.getByRole('button', { name: 'Save device' }).click();

    const host = form.getByLabel('Host');
    await expect(host).toHaveAttribute('aria-invalid', 'true');
    await expect(host).toHaveAccessibleDescription(/host name or IP address/);
    await expect(form.getByRole('alert')).toContainText('Not saved');
    await page.screenshot({ path: testInfo.outputPath('device-form-error.png') });
    await testInfo.attach('device-form-error.png', {
      path: testInfo.outputPath('device-form-error.png'),
      contentType: 'image/png',
    });

    await host.fill('127.0.0.1');
    await form.getByRole('button', { name: 'Save device' }).click();
    await expect(form).toBeHidden();
    await expect(page.getByRole('status').filter({ hasText: 'Saved “Line 3 booster PLC”' })).toBeVisible();

    const table = page.getByRole('table', { name: 'Devices' });
    const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Line 3 booster PLC' }) });
    await expect(row).toHaveCount(1);
    await expect(row).toContainText('Modbus TCP');
    await expect(row).toContainText('127.0.0.1:9');
    // Nothing listens on that port: the device reports its state rather than staying silent.
    await expect(row).toContainText(/connecting|error/);

    await row.getByRole('button', { name: 'Delete Line 3 booster PLC' }).click();
    const dialog = page.getByRole('dialog', { name: /Delete “Line 3 booster PLC”/ });
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Delete device' }).click();
    await expect(dialog).toBeHidden();
    await expect(row).toHaveCount(0);
    for (const name of ['Demo pump skid (OPC UA)', 'Demo pump skid (Modbus)']) {
      await expect(table.getByRole('rowheader', { name })).toBeVisible();
    }
  });

  test('says so when the connection to the service is lost', async ({ page, server, pageProblems }) => {
    await openApp(page, server);
    await expect(page.getByRole('contentinfo', { name: 'Status bar' })).toContainText(/samples\/s/);
    // The browser logs the failed reconnection attempts; those are expected here.
    pageProblems.allow(/WebSocket connection to .* failed|Failed to load resource/);
    server.proc.kill('SIGTERM');
    // The app-wide banner (a view's own load error may say "connection ... lost" too, in lower case).
    await expect(page.getByRole('alert').filter({ hasText: /^Connection to TwinEdge service lost/ })).toBeVisible({
      timeout: 20_000,
    });
  });
});
