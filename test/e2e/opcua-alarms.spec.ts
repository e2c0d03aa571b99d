import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { expectNoAxeViolations } from './axe.js';
import { expect, openApp, repoRoot, startServer, stopServer, test, type BrowserModeServer } from './fixtures.js';
import type { ConditionStateOnServer } from '../fixtures/opcua-alarms-space.js';

/*
 * The server's own alarms end to end: a node-opcua server with an exclusive limit alarm (child process,
 * test/fixtures/opcua-alarms-space.ts), the app in browser mode collecting from it, and Chromium. The alarm is
 * acknowledged from the Alarms view with a comment, and the acknowledgement is checked on the server's condition.
 */

interface AlarmsServerProcess {
  port: number;
  send(line: string): Promise<string>;
  stop(): Promise<void>;
}

/** The fixture in its own process; each stdin command answers one line (DONE … or STATE {json}). */
async function startAlarmsServer(pkiDir: string): Promise<AlarmsServerProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'test/fixtures/opcua-alarms-space.ts'), '0', pkiDir],
    { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let out = '';
  const waiters: ((line: string) => void)[] = [];
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
    for (const line of d.toString().split('\n')) {
      if (/^(DONE|STATE) /.test(line)) waiters.shift()?.(line);
    }
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`alarms server did not start: ${out}`)), 60_000);
    const poll = setInterval(() => {
      const m = /READY (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        clearInterval(poll);
        resolve(Number(m[1]));
      }
    }, 50);
    child.once('exit', (code) => {
      clearTimeout(timer);
      clearInterval(poll);
      reject(new Error(`alarms server exited (${code}): ${out}`));
    });
  });
  return {
    port,
    send: (line) =>
      new Promise((resolve) => {
        waiters.push(resolve);
        child.stdin?.write(`${line}\n`);
      }),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

const deviceName = 'Tank PLC';
const comment = 'Float switch checked, level confirmed by sight glass';

const nav = (page: Page, name: string) =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

function rowOf(table: Locator, name: string): Locator {
  return table.getByRole('row').filter({ has: table.page().getByRole('rowheader', { name, exact: true }) });
}

test.describe('OPC UA server alarms', () => {
  let dir: string;
  let alarms: AlarmsServerProcess;
  let app: BrowserModeServer;

  test.beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'twinedge-e2e-ua-alarms-'));
    alarms = await startAlarmsServer(join(dir, 'server-pki'));
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        demoPlant: false,
        devices: [
          {
            name: deviceName,
            protocol: 'opcua',
            settings: { endpointUrl: `opc.tcp://127.0.0.1:${alarms.port}`, publishingIntervalMs: 200 },
            tags: [{ name: 'Level', unit: '%', nodeId: 'ns=1;s=Tank1.Level', samplingIntervalMs: 200 }],
          },
        ],
      }),
    );
    app = await startServer(45_000, {}, ['--config', config]);
  });

  test.afterEach(async ({ page }) => {
    // Leave the app before the service stops, so its WebSocket does not log a failed reconnect.
    await page.goto('about:blank');
    await stopServer(app);
    await alarms.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('acknowledge a server alarm from the Alarms view (checked on the server), then list and export its plain events', async ({
    page,
  }) => {
    await alarms.send('level 97');
    await openApp(page, app);
    await nav(page, 'Alarms').click();
    const table = page.getByRole('table', { name: 'Active alarms' });
    const row = rowOf(table, 'LevelAlarm');
    await expect(row).toBeVisible({ timeout: 45_000 });
    await expect(row).toContainText('Critical');
    await expect(row).toContainText('Active (HighHigh), unacknowledged');
    await expect(row).toContainText('Tank 1 level 97.0 % (HighHigh)');
    await expect(row).toContainText('OPC UA severity 900');
    await expect(row).toContainText(`OPC UA server: ${deviceName}`);

    const dialog = page.getByRole('dialog', { name: `Acknowledge LevelAlarm on ${deviceName}` });
    // The Active tab and the server's comment dialog: no axe violations at 1400 and 1000 px, actions on screen.
    for (const width of [1400, 1000]) {
      await page.setViewportSize({ width, height: 900 });
      await expectNoAxeViolations(page, `Alarms with a server alarm, ${width} px`);
      const ackButton = row.getByRole('button', { name: 'Acknowledge LevelAlarm on the server' });
      await expect(ackButton).toBeInViewport({ ratio: 1 });
      await ackButton.click();
      await expect(dialog).toBeVisible();
      await expectNoAxeViolations(page, `server comment dialog, ${width} px`);
      if (width === 1400) await dialog.getByRole('button', { name: 'Cancel' }).click();
    }
    await dialog.getByLabel('Comment').fill(comment);
    await dialog.getByRole('button', { name: 'Acknowledge on the server' }).click();
    await expect(
      page.getByRole('status').filter({ hasText: `LevelAlarm on ${deviceName}: acknowledged` }),
    ).toBeVisible();

    // On the server, not only in our list.
    const state = JSON.parse((await alarms.send('state')).slice('STATE '.length)) as {
      level: ConditionStateOnServer;
    };
    expect(state.level).toMatchObject({ active: true, acked: true, comment });
    await expect(row).toContainText('Active (HighHigh), acknowledged, unconfirmed');
    await expect(row).toContainText(`“${comment}”`);
    await expect(row.getByRole('button', { name: 'Confirm LevelAlarm on the server' })).toBeVisible();
    // The Acknowledge button is gone: the focus went to the row's next action, not to the body.
    await expect(row.getByRole('button', { name: 'Confirm LevelAlarm on the server' })).toBeFocused();

    // Plain events of the same server, in the event view.
    await alarms.send('event 500 Pump P1 started by operator');
    await page.getByRole('tab', { name: 'Server events', exact: true }).click();
    const events = page.getByRole('table', { name: 'Server events' });
    const eventRow = rowOf(events, 'Pump P1 started by operator');
    await expect(async () => {
      await page.getByRole('button', { name: 'Refresh', exact: true }).click();
      await expect(eventRow).toBeVisible({ timeout: 1000 });
    }).toPass({ timeout: 20_000 });
    await expect(eventRow).toContainText(deviceName);
    await expect(eventRow).toContainText('500');
    await page.getByLabel('Search').fill('no such text');
    await expect(eventRow).toBeHidden();
    await page.getByLabel('Search').fill('pump p1');
    await expect(eventRow).toBeVisible();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^twinedge-server-events-.*\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv).toContain(`${deviceName},Tank1,ns=1;s=Tank1,BaseEventType,500,warning,Pump P1 started by operator`);
  });
});
