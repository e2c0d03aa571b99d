import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectNoAxeViolations } from './axe.js';
import { cutOff } from './layout.js';
import { closedPort } from './ports.js';
import { demoDevices, expect, openApp, startServer, stopServer, test, type BrowserModeServer } from './fixtures.js';

const modbus = (name: string, port: number, enabled: boolean) => ({
  name,
  protocol: 'modbus',
  enabled,
  settings: { host: '127.0.0.1', port, timeoutMs: 200, retries: 0, reconnectMaxDelayMs: 1000 },
  tags: [{ name: 'Level', unit: '%', area: 'holding', address: 0, dataType: 'uint16' }],
});

/*
 * Six devices (the two demo devices, one that cannot connect, three switched off): the status bar stays one line,
 * counts them, names the one with a problem, and lists every device one click (or Enter) away.
 */
test.describe('the status bar with six devices', () => {
  let dir: string;
  let server: BrowserModeServer;

  test.beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'twinedge-e2e-statusbar-'));
    const port = await closedPort();
    const config = join(dir, 'plant.json');
    writeFileSync(
      config,
      JSON.stringify({
        demoPlant: true,
        devices: [
          modbus('Line 3 PLC', port, true),
          modbus('Spare PLC 1', port, false),
          modbus('Spare PLC 2', port, false),
          modbus('Spare PLC 3', port, false),
        ],
      }),
    );
    server = await startServer(45_000, {}, ['--config', config]);
  });

  test.afterEach(async ({ page }) => {
    await page.goto('about:blank');
    await stopServer(server);
    rmSync(dir, { recursive: true, force: true });
  });

  test('one line of about 28 px at 1400 and 1000 px, the problem named, details by keyboard', async ({
    page,
  }, testInfo) => {
    await openApp(page, server);
    const bar = page.getByRole('contentinfo', { name: 'Status bar' });
    const summary = bar.getByRole('button', { name: /^⚠?\s*6 devices:/ });
    await expect(summary).toHaveText(/6 devices: 2 connected, 3 disabled, 1 problem/, { timeout: 45_000 });
    await expect(bar.getByText('Line 3 PLC', { exact: true }).filter({ visible: true })).toHaveCount(1);

    for (const width of [1400, 1000]) {
      await page.setViewportSize({ width, height: 900 });
      const box = await bar.boundingBox();
      expect(box, `status bar at ${width} px`).not.toBeNull();
      expect(box!.height, `status bar height at ${width} px`).toBeLessThanOrEqual(30);
      // Nothing on the line is cut off: the bar does not overflow, and neither does the summary or the name.
      const cut = await cutOff(bar);
      expect(cut, `cut off in the status bar at ${width} px`).toEqual([]);
      await expect(bar.getByText('Line 3 PLC', { exact: true }).filter({ visible: true })).toHaveCount(1);
    }

    // The details, by keyboard: Enter opens them, Escape closes them and focus goes back to the summary.
    await summary.focus();
    await expect(summary).toHaveAttribute('aria-expanded', 'false');
    await page.keyboard.press('Enter');
    const details = page.getByRole('region', { name: 'Device states' });
    await expect(details).toBeVisible();
    await expect(summary).toHaveAttribute('aria-expanded', 'true');
    const items = details.getByRole('listitem');
    await expect(items).toHaveCount(6);
    for (const name of [...demoDevices, 'Line 3 PLC', 'Spare PLC 1', 'Spare PLC 2', 'Spare PLC 3']) {
      await expect(items.filter({ hasText: name })).toHaveCount(1);
    }
    for (const name of demoDevices) await expect(items.filter({ hasText: name })).toContainText('connected');
    const line3 = items.filter({ hasText: 'Line 3 PLC' });
    await expect(line3).toContainText(/error|degraded/);
    // Its reason is given in words, not only a state.
    await expect(line3.locator('.msg')).toHaveText(/\w{3,}/);
    await expect(items.filter({ hasText: 'Spare PLC 1' })).toContainText('disabled');
    await page.screenshot({ path: testInfo.outputPath('status-bar-details.png') });
    await expectNoAxeViolations(page, 'status bar device details');

    await page.keyboard.press('Escape');
    await expect(details).toBeHidden();
    await expect(summary).toBeFocused();
    await expect(summary).toHaveAttribute('aria-expanded', 'false');

    // A click opens them too, and the link there leads to the Devices view.
    await summary.click();
    await details.getByRole('link', { name: 'Open Devices' }).click();
    await expect(page).toHaveURL(/#\/devices$/);
    await expect(details).toBeHidden();
  });
});
