import { readFileSync } from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import { secretEnvName } from '../../main/secrets/env-store.js';
import { scopes } from '../../main/domain/cloud/account.js';
import { API_KEY_SECRET } from '../../main/sync/sync-service.js';
import { startCloudSim, type CloudSim } from '../sim/cloud/index.js';
import { alarmSeed, seedAlarms } from './alarm-seed.js';
import { expectNoAxeViolations } from './axe.js';
import { expect, openApp, startServer, stopServer, test as base, type BrowserModeServer } from './fixtures.js';

/*
 * The Alarms view on a seeded store (alarm-seed.ts: a PLC that is offline, two offline rules, a flow rule with
 * history), and with a local TwinEdge API holding an open alert event: the banner counts, the tabs by keyboard, where
 * the focus goes after an action, the layout at 1000 px, units in the history, and axe on every tab and dialog.
 */

const KEY = 'te_e2e_alarms_3c9b1f7a2d6e4058b1a7c3d2e9f04b61';
const cloudEvent = 'Line 3 bearing temperature';

const test = base.extend<{ withCloud: boolean; sim: CloudSim | null }>({
  withCloud: [false, { option: true }],
  sim: async ({ withCloud }, use) => {
    if (!withCloud) return use(null);
    const sim = await startCloudSim({ keys: [{ key: KEY, tier: 'enterprise', scopes: [...scopes], name: 'e2e' }] });
    // Open before the service starts: its first refresh of TwinEdge's lists finds it.
    sim.addAlertEvent({ rule_id: 'rule-e2e-1', rule_name: cloudEvent, severity: 'critical' });
    await use(sim);
    await sim.close();
  },
  server: async ({ sim }, use, testInfo) => {
    const dir = await seedAlarms(sim ? { baseUrl: sim.url, offlineDevice: false } : {});
    const env = sim ? { TWINEDGE_SECRETS_FROM_ENV: '1', [secretEnvName(API_KEY_SECRET)]: KEY } : {};
    const s: BrowserModeServer = await startServer(45_000, env, [], { dataDir: dir });
    await use(s);
    await stopServer(s);
    await testInfo.attach('service-output.txt', { body: s.output(), contentType: 'text/plain' });
  },
});

const nav = (page: Page, name: string) =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
const rowOf = (table: Locator, name: string): Locator =>
  table.getByRole('row').filter({ has: table.page().getByRole('rowheader', { name, exact: true }) });
const banner = (page: Page) => page.getByRole('region', { name: 'Alarm summary' });
const activeTable = (page: Page) => page.getByRole('table', { name: 'Active alarms' });

async function openAlarms(page: Page): Promise<void> {
  await nav(page, 'Alarms').click();
  await expect(page.getByRole('heading', { name: 'Alarms', exact: true })).toBeVisible();
}

/** Both offline rules raised (the PLC's port refuses connections). */
async function bothRaised(page: Page): Promise<void> {
  await openAlarms(page);
  for (const name of [alarmSeed.critical, alarmSeed.warning])
    await expect(rowOf(activeTable(page), name)).toContainText('Active unacknowledged', { timeout: 45_000 });
}

/** What has the focus (document.activeElement): tag and accessible name, or "body". A string: no DOM types here. */
const focused = (page: Page): Promise<string> =>
  page.evaluate<string>(`(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'body';
    return el.tagName.toLowerCase() + ': ' + (el.getAttribute('aria-label') ?? el.textContent.trim());
  })()`);

test.describe('alarm banner', () => {
  test('an acknowledged critical alarm is still counted as active, a shelved one as shelved', async ({
    page,
    server,
  }) => {
    await openApp(page, server);
    await bothRaised(page);
    await expect(banner(page)).toContainText('2 active (1 critical, 1 warning), 2 unacknowledged, 0 shelved');

    const critical = rowOf(activeTable(page), alarmSeed.critical);
    await critical.getByRole('button', { name: `Acknowledge ${alarmSeed.critical}` }).click();
    const ack = page.getByRole('dialog', { name: `Acknowledge ${alarmSeed.critical}` });
    await ack.getByRole('button', { name: 'Acknowledge', exact: true }).click();
    await expect(ack).toBeHidden();
    await expect(critical).toContainText('Active acknowledged');
    await expect(banner(page)).toContainText('2 active (1 critical, 1 warning), 1 unacknowledged, 0 shelved');
    // The Acknowledge button is gone: the focus is on the row's next action, not on the body.
    expect(await focused(page)).toBe(`button: Shelve ${alarmSeed.critical}`);

    const warning = rowOf(activeTable(page), alarmSeed.warning);
    await warning.getByRole('button', { name: `Shelve ${alarmSeed.warning}` }).click();
    const shelve = page.getByRole('dialog', { name: `Shelve ${alarmSeed.warning}` });
    await shelve.getByRole('button', { name: 'Shelve', exact: true }).click();
    await expect(shelve).toBeHidden();
    await expect(banner(page)).toContainText('1 active (1 critical), 0 unacknowledged, 1 shelved');
    await expect(banner(page)).not.toContainText('No active');
    expect(await focused(page)).toBe(`button: Acknowledge ${alarmSeed.warning}`);

    // Unshelve by keyboard: its button becomes Shelve, and the focus stays on that row.
    await warning.getByRole('button', { name: `Unshelve ${alarmSeed.warning}` }).press('Enter');
    await expect(warning.getByRole('button', { name: `Shelve ${alarmSeed.warning}` })).toBeVisible();
    expect(await focused(page)).not.toBe('body');
    expect(await focused(page)).toBe(`button: Acknowledge ${alarmSeed.warning}`);
    await expect(banner(page)).toContainText('2 active (1 critical, 1 warning), 1 unacknowledged, 0 shelved');
  });
});

test.describe('alarm banner with TwinEdge', () => {
  test.use({ withCloud: true });
  test('an open TwinEdge alert event is counted and named', async ({ page, server }) => {
    await openApp(page, server);
    await expect(banner(page)).toContainText('1 active (1 critical), 1 unacknowledged, 0 shelved', {
      timeout: 30_000,
    });
    await expect(banner(page)).toContainText('(TwinEdge: 1 active, 1 unacknowledged, 0 shelved)');
    await openAlarms(page);
    await expect(rowOf(activeTable(page), cloudEvent)).toContainText('TwinEdge');
  });
});

test.describe('alarms view', () => {
  test('tabs by keyboard: one Tab stop, arrows, Home and End select and focus', async ({ page, server }) => {
    await openApp(page, server);
    await openAlarms(page);
    const tabs = page.getByRole('tablist', { name: 'Alarm views' }).getByRole('tab');
    await expect(tabs).toHaveText(['Active', 'History', 'Rules', 'Server events']);
    const tab = (name: string) => page.getByRole('tab', { name, exact: true });
    await expect(tab('Active')).toHaveAttribute('tabindex', '0');
    for (const other of ['History', 'Rules', 'Server events'])
      await expect(tab(other)).toHaveAttribute('tabindex', '-1');

    await tab('Active').focus();
    const steps: [string, string][] = [
      ['ArrowRight', 'History'],
      ['ArrowRight', 'Rules'],
      ['End', 'Server events'],
      ['ArrowRight', 'Active'],
      ['ArrowLeft', 'Server events'],
      ['Home', 'Active'],
      ['ArrowLeft', 'Server events'],
    ];
    for (const [key, name] of steps) {
      await page.keyboard.press(key);
      await expect(tab(name)).toBeFocused();
      await expect(tab(name)).toHaveAttribute('aria-selected', 'true');
      await expect(tab(name)).toHaveAttribute('tabindex', '0');
      await expect(page.getByRole('tabpanel', { name })).toBeVisible();
    }
    // Tab leaves the list: from the selected tab into its panel.
    await page.keyboard.press('Home');
    await page.keyboard.press('Tab');
    await expect(page.getByRole('tabpanel', { name: 'Active' }).getByLabel('Severity')).toBeFocused();
  });

  test('history values and CSV carry the unit', async ({ page, server }, testInfo) => {
    await openApp(page, server);
    await openAlarms(page);
    await page.getByRole('tab', { name: 'History', exact: true }).click();
    const history = page.getByRole('table', { name: 'Alarm history' });
    const events = rowOf(history, alarmSeed.flow);
    await expect(events).toHaveCount(2);
    // Cells after the rule header: time, severity, event, from → to, value, ...
    const value = (kind: string) =>
      events
        .filter({ has: page.getByRole('cell', { name: kind, exact: true }) })
        .getByRole('cell')
        .nth(4);
    await expect(value('raised')).toHaveText('62.5 m³/h');
    await expect(value('cleared')).toHaveText('48.25 m³/h');

    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const file = testInfo.outputPath('alarm-history.csv');
    await (await downloading).saveAs(file);
    const lines = readFileSync(file, 'utf8').split('\r\n').filter(Boolean);
    expect(lines[0]).toBe('time,rule_id,rule,severity,event,from_state,to_state,value,unit,who,note,shelved');
    expect(lines.filter((l) => l.includes(',62.5,m³/h,system,'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes(',48.25,m³/h,system,'))).toHaveLength(1);
  });

  test('at 1000 px the row actions are on screen without scrolling sideways; axe on every tab and dialog', async ({
    page,
    server,
  }) => {
    await openApp(page, server);
    await bothRaised(page);
    for (const width of [1400, 1000]) {
      await page.setViewportSize({ width, height: 900 });
      await openAlarms(page);
      await page.getByRole('tab', { name: 'Active', exact: true }).click();
      const row = rowOf(activeTable(page), alarmSeed.critical);
      await expect(row).toContainText('Active unacknowledged');
      for (const name of [`Acknowledge ${alarmSeed.critical}`, `Shelve ${alarmSeed.critical}`])
        await expect(row.getByRole('button', { name })).toBeInViewport({ ratio: 1 });
      // The page and every scrolling box in the view: as wide as they show (scrollWidth vs clientWidth).
      const overflow = await page.evaluate<string[]>(`(() => {
        const wide = (el) => el.scrollWidth > el.clientWidth;
        const scroller = (el) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
        return [document.documentElement, ...document.querySelectorAll('main, main *')]
          .filter((el) => (el === document.documentElement || scroller(el)) && wide(el))
          .map((el) => el.tagName + ' ' + el.scrollWidth + ' > ' + el.clientWidth);
      })()`);
      expect(overflow, `elements scrolling sideways at ${width} px`).toEqual([]);
      await expectNoAxeViolations(page, `Alarms, Active tab, ${width} px`);

      await row.getByRole('button', { name: `Acknowledge ${alarmSeed.critical}` }).click();
      const ack = page.getByRole('dialog', { name: `Acknowledge ${alarmSeed.critical}` });
      await expect(ack).toBeVisible();
      await expectNoAxeViolations(page, `acknowledge dialog, ${width} px`);
      await ack.getByRole('button', { name: 'Cancel' }).click();
      await row.getByRole('button', { name: `Shelve ${alarmSeed.critical}` }).click();
      const shelve = page.getByRole('dialog', { name: `Shelve ${alarmSeed.critical}` });
      await expect(shelve).toBeVisible();
      await expectNoAxeViolations(page, `shelve dialog, ${width} px`);
      await shelve.getByRole('button', { name: 'Cancel' }).click();

      for (const name of ['History', 'Server events', 'Rules']) {
        await page.getByRole('tab', { name, exact: true }).click();
        await expect(page.getByRole('tabpanel', { name })).toBeVisible();
        await expectNoAxeViolations(page, `Alarms, ${name} tab, ${width} px`);
      }
      const rules = page.getByRole('table', { name: 'Alarm rules' });
      const rule = rowOf(rules, alarmSeed.flow);
      for (const name of [`Edit ${alarmSeed.flow}`, `Delete ${alarmSeed.flow}`, `Push to TwinEdge: ${alarmSeed.flow}`])
        await expect(rule.getByRole('button', { name })).toBeInViewport({ ratio: 1 });
      await rule.getByRole('button', { name: `Delete ${alarmSeed.flow}` }).click();
      const del = page.getByRole('dialog', { name: `Delete alarm rule ${alarmSeed.flow}?` });
      await expect(del).toBeVisible();
      await expectNoAxeViolations(page, `delete rule dialog, ${width} px`);
      await del.getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('button', { name: 'New rule' }).click();
      await expect(page.getByRole('form', { name: 'New alarm rule' })).toBeVisible();
      await expectNoAxeViolations(page, `rule editor, ${width} px`);
      await page.getByRole('form', { name: 'New alarm rule' }).getByRole('button', { name: 'Cancel' }).click();
    }
  });

  test('deleting a rule leaves the focus on the next rule, not on the body', async ({ page, server }) => {
    await openApp(page, server);
    await openAlarms(page);
    await page.getByRole('tab', { name: 'Rules', exact: true }).click();
    const rules = page.getByRole('table', { name: 'Alarm rules' });
    await expect(rowOf(rules, alarmSeed.warning)).toBeVisible();
    await rowOf(rules, alarmSeed.critical)
      .getByRole('button', { name: `Delete ${alarmSeed.critical}` })
      .click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete rule' }).click();
    await expect(rowOf(rules, alarmSeed.critical)).toHaveCount(0);
    expect(await focused(page)).toBe(`button: Edit ${alarmSeed.warning}`);
  });
});
