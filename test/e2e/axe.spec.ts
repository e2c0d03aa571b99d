import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { secretEnvName } from '../../main/secrets/env-store.js';
import { Store } from '../../main/store/store.js';
import { scopes } from '../../main/domain/cloud/account.js';
import { API_KEY_SECRET } from '../../main/sync/sync-service.js';
import { startCloudSim, type CloudSim } from '../sim/cloud/index.js';
import { expectNoAxeViolations } from './axe.js';
import { startCloudSession, type CloudSession } from './cloud-session.js';
import { expect, openApp, startServer, stopServer, test, type BrowserModeServer } from './fixtures.js';
import { sideScroll } from './layout.js';
import { closedPort } from './ports.js';

/*
 * The accessibility pass: axe-core (WCAG 2.1 A and AA) over every main view at 1400 and 1000 px, and over every
 * dialog the app has, each opened for real.
 */

const widths = [1400, 1000] as const;
const demoUa = 'Demo pump skid (OPC UA)';
const demoModbus = 'Demo pump skid (Modbus)';

const nav = (page: Page, name: string): Locator =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

function rowOf(table: Locator, name: string): Locator {
  return table.getByRole('row').filter({ has: table.page().getByRole('rowheader', { name, exact: true }) });
}

/** Opens a view from the navigation and waits for its heading. */
async function openView(page: Page, link: string, heading = link): Promise<void> {
  await nav(page, link).click();
  await expect(page.getByRole('heading', { name: heading, level: 2 })).toBeVisible();
}

/** The view as it is now, at each width: no axe-core violation, and nothing scrolls sideways. */
async function checkAtBothWidths(page: Page, where: string): Promise<void> {
  for (const width of widths) {
    await page.setViewportSize({ width, height: 900 });
    await expectNoAxeViolations(page, `${where} at ${width} px`);
    expect(await sideScroll(page), `${where} scrolls sideways at ${width} px`).toEqual({ main: 0, page: 0 });
  }
  await page.setViewportSize({ width: widths[0], height: 900 });
}

/** Opens Devices once this device is connected; returns the Devices table. */
async function openDevices(page: Page, connected: string): Promise<Locator> {
  await openView(page, 'Devices');
  const table = page.getByRole('table', { name: 'Devices' });
  await expect(rowOf(table, connected).getByText('connected', { exact: true })).toBeVisible({ timeout: 45_000 });
  return table;
}

test.describe('axe: main views', () => {
  test('Audit log, Cloud sync, TwinEdge and Settings (no cloud), at 1400 and 1000 px', async ({ page, server }) => {
    await openApp(page, server);
    await openView(page, 'Audit log');
    await checkAtBothWidths(page, 'Audit log');
    await openView(page, 'Cloud sync');
    await expect(page.getByLabel('API key status')).toContainText('No key set');
    await checkAtBothWidths(page, 'Cloud sync');
    await openView(page, 'TwinEdge');
    await checkAtBothWidths(page, 'TwinEdge');
    await openView(page, 'Settings');
    await expect(page.getByRole('table', { name: 'Log lines' }).getByRole('row').nth(1)).toBeVisible();
    await checkAtBothWidths(page, 'Settings');
  });

  test('Trends with tags on the chart, at 1400 and 1000 px', async ({ page, server }) => {
    await openApp(page, server);
    const picker = page.getByRole('region', { name: 'Tags' });
    await expect(picker.getByRole('checkbox').first()).toBeVisible({ timeout: 30_000 });
    if ((await page.getByRole('table', { name: 'Current values' }).count()) === 0) {
      for (let i = 0; i < 3; i++) await picker.getByRole('checkbox').nth(i).check();
    }
    await expect(page.getByRole('table', { name: 'Current values' }).locator('td.value').first()).toHaveText(/\d/, {
      timeout: 30_000,
    });
    await checkAtBothWidths(page, 'Trends');
  });

  test('Devices with both demo devices connected and one device open, at 1400 and 1000 px', async ({
    page,
    server,
  }) => {
    await openApp(page, server);
    const table = await openDevices(page, demoModbus);
    await checkAtBothWidths(page, 'Devices');
    await rowOf(table, demoModbus)
      .getByRole('button', { name: `Details of ${demoModbus}` })
      .click();
    await expect(page.getByRole('region', { name: `Details: ${demoModbus}` })).toBeVisible();
    await checkAtBothWidths(page, 'Devices with details open');
    await page.getByRole('button', { name: `Browse ${demoUa}` }).click();
    await expect(page.getByRole('region', { name: `Address space of ${demoUa}` }).getByRole('tree')).toBeVisible();
    await checkAtBothWidths(page, 'Devices with the address space open');
  });

  test('Alarms: Active, History and Rules tabs, at 1400 and 1000 px', async ({ page, server }) => {
    await openApp(page, server);
    await openView(page, 'Alarms');
    for (const tab of ['Active', 'History', 'Rules']) {
      await page.getByRole('tab', { name: tab, exact: true }).click();
      await checkAtBothWidths(page, `Alarms, ${tab} tab`);
    }
  });

  test('Live values, at 1400 and 1000 px', async ({ page, server }) => {
    await openApp(page, server);
    await openView(page, 'Live values');
    await expect(
      page
        .getByRole('table', { name: /Live values/ })
        .getByRole('row')
        .nth(1),
    ).toBeVisible({
      timeout: 30_000,
    });
    await checkAtBothWidths(page, 'Live values');
  });

  test('the first screen with the demo plant introduced, at 1400 and 1000 px', async ({ page, server }) => {
    await openApp(page, server);
    await expect(page.getByText(/demo plant/i).first()).toBeVisible();
    await checkAtBothWidths(page, 'the first screen');
  });
});

test.describe('axe: Cloud sync and TwinEdge with a TwinEdge API', () => {
  let cloud: CloudSession;
  test.beforeAll(async () => {
    cloud = await startCloudSession();
  });
  test.afterAll(async () => {
    await cloud?.stop();
  });

  test('with a key, synced devices and cloud lists: the views and the remove-key dialog', async ({ page }) => {
    const { sim, service, key } = cloud;
    await openApp(page, service);
    await openView(page, 'Cloud sync');
    const connection = page.getByRole('region', { name: 'Connection' });
    await connection.getByLabel('TwinEdge API base URL').fill(sim.url);
    await connection.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByLabel('API key', { exact: true }).fill(key);
    await page.getByRole('button', { name: 'Save key' }).click();
    await expect(page.getByLabel('API key status')).toContainText(`ending in …${key.slice(-4)}`);
    await page.getByRole('button', { name: 'Test key' }).click();
    await expect(page.getByLabel('Key test result')).toContainText('professional');
    const links = page.getByRole('table', { name: 'Devices in TwinEdge' });
    await expect(links.getByRole('cell', { name: 'synced', exact: true })).toHaveCount(2, { timeout: 30_000 });
    await checkAtBothWidths(page, 'Cloud sync with a key');

    await openView(page, 'TwinEdge');
    await page.getByRole('button', { name: 'Refresh alerts' }).click();
    await expect(page.getByRole('table', { name: 'Alert rules' }).getByRole('row')).not.toHaveCount(1);
    await page.getByRole('button', { name: 'Refresh dashboards' }).click();
    await expect(page.getByRole('table', { name: 'Dashboards' }).getByRole('row')).not.toHaveCount(1);
    await page.getByRole('button', { name: 'Refresh ML models' }).click();
    await expect(page.getByRole('table', { name: 'ML models' }).getByRole('row')).not.toHaveCount(1);
    await checkAtBothWidths(page, 'TwinEdge with data');

    await openView(page, 'Cloud sync');
    await page.getByRole('button', { name: 'Remove key' }).click();
    const remove = page.getByRole('dialog', { name: 'Remove the TwinEdge API key?' });
    await expect(remove).toBeVisible();
    await expectNoAxeViolations(page, 'the remove-key dialog');
    await remove.getByRole('button', { name: 'Cancel' }).click();
    await expect(remove).toBeHidden();
    await expect(page.getByLabel('API key status')).toContainText('Key set');
  });
});

test.describe('axe: a device in conflict with TwinEdge', () => {
  const key = `te_e2e_${randomUUID().replace(/-/g, '')}`;
  let sim: CloudSim;
  let service: BrowserModeServer;

  test.beforeEach(async () => {
    // A TwinEdge device of the demo device's name that this app did not register: the demo device lands in conflict.
    sim = await startCloudSim({ keys: [{ key, tier: 'professional', scopes: [...scopes], name: 'axe' }] });
    sim.createDevice({ name: demoUa, type: 'opcua', description: 'registered in TwinEdge by someone else' });
    const dir = mkdtempSync(join(tmpdir(), 'twinedge-e2e-axe-conflict-'));
    const store = Store.open(join(dir, 'twinedge.sqlite'));
    try {
      store.settings.set('sync.baseUrl', sim.url);
    } finally {
      store.close();
    }
    service = await startServer(45_000, { TWINEDGE_SECRETS_FROM_ENV: '1', [secretEnvName(API_KEY_SECRET)]: key }, [], {
      dataDir: dir,
    });
  });
  test.afterEach(async ({ page }) => {
    await page.goto('about:blank');
    await stopServer(service);
    await sim.close();
  });

  test('the device links with their row actions, the link dialog and the overwrite confirmation', async ({ page }) => {
    await openApp(page, service);
    await openView(page, 'Cloud sync');
    const row = rowOf(page.getByRole('table', { name: 'Devices in TwinEdge' }), demoUa);
    await expect(row.getByRole('cell', { name: '⚠ conflict' })).toBeVisible({ timeout: 45_000 });
    await checkAtBothWidths(page, 'Cloud sync with a device in conflict');

    await row.getByRole('button', { name: `Link to a TwinEdge device for ${demoUa}` }).click();
    const link = page.getByRole('dialog', { name: `Link “${demoUa}” to a TwinEdge device` });
    await expect(link.getByRole('combobox', { name: 'TwinEdge device' })).toBeVisible();
    await expectNoAxeViolations(page, 'the link-device dialog');
    await link.getByRole('button', { name: 'Link', exact: true }).click();
    await expect(link.getByRole('alert')).toHaveText('Pick a TwinEdge device or type its asset id.');
    await expectNoAxeViolations(page, 'the link-device dialog with its error');
    await link.getByRole('button', { name: 'Cancel' }).click();
    await expect(link).toBeHidden();

    await row.getByRole('button', { name: `Overwrite TwinEdge copy for ${demoUa}` }).click();
    const overwrite = page.getByRole('dialog', { name: `Overwrite TwinEdge copy for “${demoUa}”?` });
    await expect(overwrite).toBeVisible();
    await expectNoAxeViolations(page, 'the overwrite confirmation');
    await overwrite.getByRole('button', { name: 'Cancel' }).click();
    await expect(overwrite).toBeHidden();
  });
});

test.describe('axe: dialogs', () => {
  test('the Modbus write dialog, at the value and at the review step', async ({ page, server }) => {
    await openApp(page, server);
    const table = await openDevices(page, demoModbus);
    const row = rowOf(table, demoModbus);
    await row.getByRole('button', { name: `Details of ${demoModbus}` }).click();
    const details = page.getByRole('region', { name: `Details: ${demoModbus}` });
    const tagName = 'T-101 level setpoint';
    const target = rowOf(details.getByRole('table', { name: `Tags of ${demoModbus}` }), tagName);
    await target.getByRole('button', { name: `Write value to ${tagName}` }).click();
    const dialog = page.getByRole('dialog', { name: `Write value to ${tagName}` });
    await expect(dialog).toBeVisible();
    await expectNoAxeViolations(page, 'the Modbus write dialog');
    await dialog.getByLabel(/^New value/).fill('62,5');
    await dialog.getByRole('button', { name: 'Review write' }).click();
    await expect(dialog.getByLabel(/^New value/)).toHaveAttribute('aria-invalid', 'true');
    await expectNoAxeViolations(page, 'the Modbus write dialog with a field error');
    await dialog.getByLabel(/^New value/).fill('62.5');
    await dialog.getByRole('button', { name: 'Review write' }).click();
    await expect(dialog.getByRole('alert')).toHaveText(`Write 62.5 % to ${tagName} (40101)?`);
    await expectNoAxeViolations(page, 'the Modbus write dialog, review step');
    await dialog.getByRole('button', { name: 'Write now' }).click();
    await expect(dialog.getByRole('status')).toHaveText(`Written: 62.5 % to ${tagName} (40101).`);
    await expectNoAxeViolations(page, 'the Modbus write dialog, outcome');
    await dialog.getByRole('button', { name: 'Close' }).click();

    // The write is in the audit log: the view with an entry.
    await openView(page, 'Audit log');
    await expect(
      page.getByRole('table', { name: 'Audit log' }).getByRole('row').filter({ hasText: tagName }),
    ).toHaveCount(1);
    await checkAtBothWidths(page, 'Audit log with a write');
  });

  test('the OPC UA write dialog from the address space, at the value and at the review step', async ({
    page,
    server,
  }) => {
    await openApp(page, server);
    await openDevices(page, demoUa);
    await page.getByRole('button', { name: `Browse ${demoUa}` }).click();
    const panel = page.getByRole('region', { name: `Address space of ${demoUa}` });
    const tree = panel.getByRole('tree');
    await tree.getByRole('treeitem', { name: 'PumpSkid' }).click();
    await tree.getByRole('treeitem', { name: 'PumpSkid' }).press('ArrowRight');
    await tree.getByRole('treeitem', { name: 'T-101 level setpoint, Variable, Double' }).click();
    await panel.getByRole('region', { name: 'Node details' }).getByRole('button', { name: 'Write value…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Write value to T-101 level setpoint' });
    await expect(dialog).toBeVisible();
    await expectNoAxeViolations(page, 'the OPC UA write dialog');
    await dialog.getByLabel('New value (%)').fill('47.5');
    await dialog.getByRole('button', { name: 'Review write' }).click();
    await expect(dialog.getByRole('alert')).toContainText('Write 47.5 % to T-101 level setpoint');
    await expectNoAxeViolations(page, 'the OPC UA write dialog, review step');
  });

  test('the certificate trust and revoke confirmations', async ({ page, server }) => {
    test.setTimeout(150_000);
    await openApp(page, server);
    const table = await openDevices(page, demoUa);
    const row = rowOf(table, demoUa);
    // A refused server certificate: the demo device switched to SignAndEncrypt (as opcua-security.spec.ts does).
    await page.getByRole('button', { name: `Edit ${demoUa}` }).click();
    await page.getByRole('button', { name: 'Discover endpoints' }).click();
    await page.getByRole('button', { name: 'Use SignAndEncrypt Basic256Sha256' }).click();
    await page.getByRole('button', { name: 'Save device' }).click();
    await expect(row).toContainText("the server's certificate is not trusted yet", { timeout: 45_000 });

    await page.getByRole('button', { name: 'Certificates' }).click();
    await expectNoAxeViolations(page, 'Devices with Certificates open');
    const refused = page.getByRole('table', { name: 'Refused server certificates' });
    await refused.getByRole('button', { name: /^Trust / }).click();
    const trust = page.getByRole('dialog', { name: 'Trust this server certificate?' });
    await expect(trust).toBeVisible();
    await expectNoAxeViolations(page, 'the certificate trust dialog');
    await trust.getByRole('button', { name: 'Trust certificate' }).click();
    const trusted = page.getByRole('table', { name: 'Trusted server certificates' });
    await trusted.getByRole('button', { name: /^Revoke trust in / }).click();
    const revoke = page.getByRole('dialog', { name: 'Revoke trust in this certificate?' });
    await expect(revoke).toBeVisible();
    await expectNoAxeViolations(page, 'the revoke-trust dialog');
  });

  test('the device forms (new OPC UA, new Modbus, edit) and the delete confirmation', async ({ page, server }) => {
    await openApp(page, server);
    await openDevices(page, demoModbus);
    for (const kind of ['OPC UA', 'Modbus']) {
      await page.getByRole('button', { name: `Add ${kind} device` }).click();
      await expect(page.getByRole('button', { name: 'Save device' })).toBeVisible();
      await checkAtBothWidths(page, `the new ${kind} device form`);
      await page.getByRole('button', { name: 'Cancel' }).click();
    }
    await page.getByRole('button', { name: `Edit ${demoModbus}` }).click();
    await expect(page.getByRole('button', { name: 'Save device' })).toBeVisible();
    await checkAtBothWidths(page, 'the Modbus device form, editing');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: `Delete ${demoModbus}` }).click();
    await expect(page.getByRole('dialog')).toBeVisible();
    await expectNoAxeViolations(page, 'the delete-device confirmation');
  });
});

test.describe('axe: alarm dialogs', () => {
  const ruleName = 'Line 3 PLC offline';
  let dir: string;
  let service: BrowserModeServer;

  test.beforeEach(async () => {
    // A device that cannot connect and a rule on it: an active, unacknowledged alarm at once.
    dir = mkdtempSync(join(tmpdir(), 'twinedge-e2e-axe-alarms-'));
    const config = join(dir, 'plant.json');
    writeFileSync(
      config,
      JSON.stringify({
        demoPlant: false,
        devices: [
          {
            name: 'Line 3 PLC',
            protocol: 'modbus',
            settings: { host: '127.0.0.1', port: await closedPort(), timeoutMs: 200, retries: 0 },
            tags: [{ name: 'Level', unit: '%', area: 'holding', address: 0, dataType: 'uint16' }],
          },
        ],
        alarmRules: [
          {
            name: ruleName,
            severity: 'critical',
            conditions: [{ kind: 'offline', device: 'Line 3 PLC', afterSeconds: 0 }],
          },
        ],
      }),
    );
    service = await startServer(45_000, {}, ['--config', config]);
  });
  test.afterEach(async ({ page }) => {
    await page.goto('about:blank');
    await stopServer(service);
    rmSync(dir, { recursive: true, force: true });
  });

  test('the rule editor, the delete confirmation, the acknowledge comment and the shelve dialog', async ({ page }) => {
    await openApp(page, service);
    await openView(page, 'Alarms');
    await page.getByRole('tab', { name: 'Rules', exact: true }).click();
    await page.getByRole('button', { name: 'New rule' }).click();
    const form = page.getByRole('form', { name: 'New alarm rule' });
    await expect(form).toBeVisible();
    await checkAtBothWidths(page, 'the new alarm rule editor');
    await form.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(form.getByRole('alert').first()).toBeVisible();
    await expectNoAxeViolations(page, 'the alarm rule editor with field errors');
    await form.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: `Delete ${ruleName}` }).click();
    const del = page.getByRole('dialog', { name: `Delete alarm rule ${ruleName}?` });
    await expect(del).toBeVisible();
    await expectNoAxeViolations(page, 'the delete-rule confirmation');
    await del.getByRole('button', { name: 'Cancel' }).click();

    await page.getByRole('tab', { name: 'Active', exact: true }).click();
    const alarm = rowOf(page.getByRole('table', { name: 'Active alarms' }), ruleName);
    await expect(alarm).toContainText('Active unacknowledged', { timeout: 45_000 });
    await alarm.getByRole('button', { name: `Acknowledge ${ruleName}` }).click();
    const ack = page.getByRole('dialog', { name: `Acknowledge ${ruleName}` });
    await expect(ack).toBeVisible();
    await expectNoAxeViolations(page, 'the acknowledge dialog');
    await ack.getByRole('button', { name: 'Cancel' }).click();
    await alarm.getByRole('button', { name: `Shelve ${ruleName}` }).click();
    const shelve = page.getByRole('dialog', { name: `Shelve ${ruleName}` });
    await expect(shelve).toBeVisible();
    await expectNoAxeViolations(page, 'the shelve dialog');
  });
});
