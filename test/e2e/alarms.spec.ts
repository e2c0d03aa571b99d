import { readFileSync } from 'node:fs';
import type { Locator, Page, TestInfo } from '@playwright/test';
import { expect, exportNameShape, openApp, startServer, stopServer, test, type BrowserModeServer } from './fixtures.js';

/*
 * Local alarming end to end against the demo plant: a rule on the Modbus demo's tank level, raised by writing the
 * level setpoint, acknowledged with a note, cleared by writing it back, then found in the history and its CSV.
 * Needs the 'alarms.*' handlers (backend) and the demo Modbus tags "T-101 level" and "T-101 level setpoint".
 */

const demoModbus = 'Demo pump skid (Modbus)';
const ruleName = 'T-101 level above 60 %';
const ackNote = 'Checked sight glass, inflow valve stuck open';
/**
 * The tank fills at a few litres a second: at real speed the level needs minutes to follow its setpoint, so this
 * test runs the demo plant 20 times faster; the engine then raises or clears within seconds of the level.
 */
const plantTimeout = 90_000;

const nav = (page: Page, name: string) =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

async function openAlarms(page: Page, tab: 'Active' | 'History' | 'Rules'): Promise<void> {
  await nav(page, 'Alarms').click();
  await expect(page.getByRole('heading', { name: 'Alarms', exact: true })).toBeVisible();
  await page.getByRole('tab', { name: tab, exact: true }).click();
}

/** A row of a table whose row header is this name. */
function rowOf(table: Locator, name: string): Locator {
  return table.getByRole('row').filter({ has: table.page().getByRole('rowheader', { name, exact: true }) });
}

/** Writes the demo level setpoint through the Devices view's write flow (as modbus.spec.ts does). */
async function writeSetpoint(page: Page, value: string): Promise<void> {
  await nav(page, 'Devices').click();
  await expect(page.getByRole('heading', { name: 'Devices' })).toBeVisible();
  const row = rowOf(page.getByRole('table', { name: 'Devices' }), demoModbus);
  await expect(row.getByText('connected', { exact: true })).toBeVisible({ timeout: 45_000 });
  await row.getByRole('button', { name: `Details of ${demoModbus}` }).click();
  const details = page.getByRole('region', { name: `Details: ${demoModbus}` });
  const tags = details.getByRole('table', { name: `Tags of ${demoModbus}` });
  const tagName = 'T-101 level setpoint';
  const target = rowOf(tags, tagName);
  await expect(target.getByRole('cell').nth(2)).toHaveText(/^\d+(\.\d+)? % Good$/, { timeout: 15_000 });
  await target.getByRole('button', { name: `Write value to ${tagName}` }).click();
  const dialog = page.getByRole('dialog', { name: `Write value to ${tagName}` });
  await dialog.getByLabel(/^New value/).fill(value);
  await dialog.getByRole('button', { name: 'Review write' }).click();
  await dialog.getByRole('button', { name: 'Write now' }).click();
  await expect(dialog.getByRole('status')).toHaveText(`Written: ${value} % to ${tagName} (40101).`);
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
  await expect(target.getByRole('cell').nth(2)).toHaveText(`${value} % Good`, { timeout: 10_000 });
}

test.describe('local alarms', () => {
  test('a level rule on the demo plant: raised, acknowledged with a note, cleared, in the history and its CSV', async ({
    page,
  }, testInfo) => {
    test.setTimeout(300_000);
    const server = await startServer(45_000, {}, ['--demo-speed', '20']);
    try {
      await run(page, server, testInfo);
    } finally {
      await testInfo.attach('service-output.txt', { body: server.output(), contentType: 'text/plain' });
      await stopServer(server);
    }
  });
});

async function run(page: Page, server: BrowserModeServer, testInfo: TestInfo): Promise<void> {
  {
    await openApp(page, server);
    const banner = page.getByRole('region', { name: 'Alarm summary' });
    await expect(banner).toBeVisible();
    await expect(banner.getByRole('link', { name: 'Open alarms' })).toHaveAttribute('href', '#/alarms');

    // Start from a level below the limit, so the rule starts out normal.
    await writeSetpoint(page, '40');

    // ---- the rule ----
    await openAlarms(page, 'Rules');
    await page.getByRole('button', { name: 'New rule' }).click();
    const form = page.getByRole('form', { name: 'New alarm rule' });
    await form.getByLabel('Name', { exact: true }).fill(ruleName);
    await form.getByLabel('Severity', { exact: true }).selectOption('warning');
    await form.getByLabel('Condition 1 kind', { exact: true }).selectOption('threshold');
    const tagSelect = form.getByLabel('Condition 1 tag', { exact: true });
    // Options read "<device> / <tag> (<unit>)": the level, not its setpoint, of the Modbus demo.
    const option = tagSelect.locator('option').filter({ hasText: `${demoModbus} / T-101 level (` });
    await expect(option).toHaveCount(1);
    await tagSelect.selectOption((await option.getAttribute('value')) ?? '');
    await form.getByLabel('Condition 1 operator', { exact: true }).selectOption('>');
    await form.getByLabel(/^Condition 1 threshold/).fill('60');

    await form.getByRole('button', { name: 'Preview', exact: true }).click();
    await expect(form.getByRole('region', { name: 'Preview' }).getByRole('status')).toHaveText(
      /^Would (not have raised|have raised \d+ times? in the last hour)/,
      { timeout: 30_000 },
    );
    await form.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(form).toBeHidden();
    const rules = page.getByRole('table', { name: 'Alarm rules' });
    const ruleRow = rowOf(rules, ruleName);
    await expect(ruleRow).toContainText('Warning');
    await expect(ruleRow).toContainText(/T-101 level > 60 %/);

    // ---- raise it: the level follows the setpoint above the limit ----
    await writeSetpoint(page, '80');
    // The demo's own default rules may be raising warnings too: at least this one.
    await expect(banner).toContainText(/\b\d+ warnings?\b/, { timeout: plantTimeout });
    await openAlarms(page, 'Active');
    const active = page.getByRole('table', { name: 'Active alarms' });
    const alarm = rowOf(active, ruleName);
    await expect(alarm).toContainText('Active unacknowledged', { timeout: plantTimeout });
    await expect(alarm).toContainText('Warning');
    await expect(alarm).toContainText(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (CET|CEST|GMT\+\d)/);
    await expect(alarm).toContainText('local');
    await page.screenshot({ path: testInfo.outputPath('alarm-active.png'), fullPage: true });

    // ---- acknowledge with a note ----
    await alarm.getByRole('button', { name: `Acknowledge ${ruleName}` }).click();
    const ack = page.getByRole('dialog', { name: `Acknowledge ${ruleName}` });
    await ack.getByLabel('Note', { exact: true }).fill(ackNote);
    await ack.getByRole('button', { name: 'Acknowledge', exact: true }).click();
    await expect(ack).toBeHidden();
    await expect(alarm).toContainText('Active acknowledged');
    await expect(alarm).toContainText(ackNote);

    // ---- clear it: back below the limit ----
    await writeSetpoint(page, '40');
    await openAlarms(page, 'Active');
    await expect(rowOf(page.getByRole('table', { name: 'Active alarms' }), ruleName)).toHaveCount(0, {
      timeout: plantTimeout,
    });

    // ---- history ----
    await openAlarms(page, 'History');
    await page.getByRole('combobox', { name: 'Time range', exact: true }).selectOption({ label: 'Last hour' });
    await page.getByRole('combobox', { name: 'Rule', exact: true }).selectOption({ label: ruleName });
    const history = page.getByRole('table', { name: 'Alarm history' });
    const events = rowOf(history, ruleName);
    const ofKind = (kind: string) => events.filter({ has: page.getByRole('cell', { name: kind, exact: true }) });
    await expect(ofKind('raised').first()).toBeVisible({ timeout: 15_000 });
    await expect(ofKind('cleared').first()).toBeVisible({ timeout: 15_000 });
    const acked = ofKind('acknowledged');
    await expect(acked).toHaveCount(1);
    // Cells after the rule header: time, severity, event, from → to, value, who, note, shelved.
    await expect(acked.getByRole('cell').nth(6)).toHaveText(ackNote);
    await expect(acked.getByRole('cell').nth(5)).not.toHaveText(/^(system)?$/);
    await expect(acked.getByRole('cell').nth(3)).toHaveText('Active unacknowledged → Active acknowledged');
    await expect(acked.getByRole('cell').nth(0)).toHaveText(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (CET|CEST|GMT\+\d)/);
    await page.screenshot({ path: testInfo.outputPath('alarm-history.png'), fullPage: true });

    // ---- CSV: exactly the rows shown, a header, ISO times ----
    const shown = await events.count();
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const download = await downloading;
    expect(exportNameShape(download.suggestedFilename())).toBe('twinedge-alarm-history-<time>.csv');
    const file = testInfo.outputPath('alarm-history.csv');
    await download.saveAs(file);
    const lines = readFileSync(file, 'utf8').split('\r\n').filter(Boolean);
    expect(lines[0]).toBe('time,rule_id,rule,severity,event,from_state,to_state,value,unit,who,note,shelved');
    expect(lines).toHaveLength(shown + 1);
    const body = lines.slice(1);
    for (const line of body)
      expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z,\d+,T-101 level above 60 %,warning,/);
    expect(body.some((l) => l.includes(',raised,'))).toBe(true);
    expect(body.some((l) => l.includes(',cleared,'))).toBe(true);
    expect(body.filter((l) => l.includes(',acknowledged,') && l.includes(`"${ackNote}"`))).toHaveLength(1);
  }
}
