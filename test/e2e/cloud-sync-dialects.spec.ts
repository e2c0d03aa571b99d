import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { secretEnvName } from '../../main/secrets/env-store.js';
import { Store } from '../../main/store/store.js';
import { scopes } from '../../main/domain/cloud/account.js';
import { type Device, type DeviceBody } from '../../main/sync/api/model.js';
import { API_KEY_SECRET } from '../../main/sync/sync-service.js';
import { startCloudSim, type CloudSim, type Dialect } from '../sim/cloud/index.js';
import { demoDevices, expect, openApp, startServer, stopServer, test as base } from './fixtures.js';

/*
 * Cloud sync through the real UI against readings of the TwinEdge reference other than ours (issue 14):
 * - strict-scopes: a key that may write telemetry and nothing else. The app cannot register its devices (403 on
 *   /devices), says so truthfully ("TwinEdge answered, but ...", never "Cannot reach TwinEdge"), and data flows once
 *   the engineer links a local device to an existing TwinEdge device by typing its asset id.
 * - ours: a link by hand to an id TwinEdge does not have is refused in the dialog and changes nothing.
 * The service runs in browser mode with the demo plant collecting; the key comes from the environment.
 */

const KEY = 'te_e2e_dialects_3b9f0c1d7e2a4f68b5c0d1e2f3a4b5c6';
const [OPCUA_DEMO, MODBUS_DEMO] = demoDevices;
const WAIT = { timeout: 45_000 };

interface Options {
  dialect: Dialect;
  /** A device in TwinEdge before the app first starts (created past routes and scopes: not counted as created). */
  cloudDevice: DeviceBody;
}
interface Ctx {
  sim: CloudSim;
  asset: Device;
  /** Every sync status the page received over its WebSocket, as raw frames. */
  frames: string[];
}

const test = base.extend<Ctx & Options>({
  dialect: ['ours', { option: true }],
  cloudDevice: [
    { name: 'Line 3 pump skid', type: 'opcua', description: 'registered in TwinEdge by IT' },
    { option: true },
  ],
  sim: async ({ dialect }, use) => {
    // All scopes asked for: the strict-scopes dialect itself cuts every key down to write:telemetry.
    const sim = await startCloudSim({
      dialect,
      keys: [{ key: KEY, tier: 'professional', scopes: [...scopes], name: `e2e ${dialect}` }],
    });
    await use(sim);
    await sim.close();
  },
  asset: async ({ sim, cloudDevice }, use) => {
    await use(sim.createDevice(cloudDevice));
  },
  server: async ({ sim, asset: _asset }, use, testInfo) => {
    const dir = mkdtempSync(join(tmpdir(), 'twinedge-e2e-dialects-'));
    const store = Store.open(join(dir, 'twinedge.sqlite'));
    try {
      store.settings.set('sync.baseUrl', sim.url);
    } finally {
      store.close();
    }
    const s = await startServer(45_000, { TWINEDGE_SECRETS_FROM_ENV: '1', [secretEnvName(API_KEY_SECRET)]: KEY }, [], {
      dataDir: dir,
    });
    await use(s);
    await stopServer(s);
    await testInfo.attach('service-output.txt', { body: s.output(), contentType: 'text/plain' });
  },
  frames: async ({ page }, use) => {
    const frames: string[] = [];
    page.on('websocket', (ws) => {
      ws.on('framereceived', (f) => frames.push(typeof f.payload === 'string' ? f.payload : f.payload.toString()));
    });
    await use(frames);
  },
});

const openCloudSync = async (page: Page): Promise<void> => {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cloud sync', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Cloud sync', level: 2 })).toBeVisible();
};

const deviceRow = (page: Page, name: string): Locator =>
  page
    .getByRole('table', { name: 'Devices in TwinEdge' })
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name, exact: true }) });

test.describe('strict-scopes: a key that may only write telemetry', () => {
  test.use({ dialect: 'strict-scopes' });

  test('says why devices wait, a device linked by typing its asset id uploads there, nothing duplicated', async ({
    page,
    server,
    sim,
    asset,
    frames,
  }) => {
    test.setTimeout(120_000);
    await openApp(page, server);
    await openCloudSync(page);

    // The state: TwinEdge answered (403), so it is a problem, not an outage, and it says which answer and why.
    const state = page.getByLabel('Sync state');
    await expect(state).toContainText('answered with a problem', WAIT);
    // The summary, right after the badge, starts "TwinEdge answered, but".
    await expect(state).toHaveText(/answered with a problem\s*TwinEdge answered, but /);
    await expect(state).toContainText('403');
    await expect(state).toContainText('write:assets');
    await expect(state).not.toContainText('Cannot reach TwinEdge');
    // The status bar link is named with the words its badge shows.
    const indicator = page
      .getByRole('contentinfo', { name: 'Status bar' })
      .getByRole('link', { name: /^Cloud sync: answered with a problem, [\d,]+ samples buffered$/ });
    await expect(indicator).toBeVisible();
    await expect(indicator).toContainText('answered with a problem');

    // Each demo device waits for a link, and its row says why.
    for (const name of demoDevices) {
      const row = deviceRow(page, name);
      await expect(row.getByRole('cell', { name: '⚠ needs a link' })).toBeVisible();
      await expect(row).toContainText(
        `This API key may not register devices in TwinEdge (TwinEdge answered 403 to POST /devices; registering needs the scope write:assets).`,
      );
      await expect(row.getByRole('button', { name: `Link to a TwinEdge device for ${name}` })).toBeEnabled();
    }
    // Nothing went up, and the app created no device (it may not).
    expect(sim.points()).toEqual([]);
    expect(sim.stats().devicesCreated).toBe(0);

    // ---- link the OPC UA demo device to the device that is already in TwinEdge, by its asset id -------------------
    await deviceRow(page, OPCUA_DEMO)
      .getByRole('button', { name: `Link to a TwinEdge device for ${OPCUA_DEMO}` })
      .click();
    const dialog = page.getByRole('dialog', { name: `Link “${OPCUA_DEMO}” to a TwinEdge device` });
    await expect(dialog).toBeVisible();
    // The list cannot be read with this key: the dialog says so (and why) and offers the typed id instead.
    await expect(dialog.getByRole('status')).toHaveText(
      'This API key may not list TwinEdge devices (403 to GET /devices): type the asset id of the TwinEdge device instead.',
    );
    await expect(dialog.getByLabel('TwinEdge device')).toHaveCount(0);
    await expect(dialog).toContainText('registering needs the scope write:assets');

    // axe-core is not a dependency of this project: the dialog's accessibility is checked by role and name here.
    const idField = dialog.getByRole('textbox', { name: 'TwinEdge asset id' });
    await expect(idField).toBeVisible();
    await expect(dialog.getByRole('button', { name: 'Link', exact: true })).toBeEnabled();
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeEnabled();

    await idField.fill(asset.id);
    await dialog.getByRole('button', { name: 'Link', exact: true }).click();
    await expect(dialog).toBeHidden();
    await expect(
      page.getByRole('status').filter({ hasText: `“${OPCUA_DEMO}”: linked to TwinEdge asset ${asset.id}` }),
    ).toBeVisible();

    const linked = deviceRow(page, OPCUA_DEMO);
    await expect(linked.getByRole('cell', { name: 'linked by you', exact: true })).toBeVisible();
    await expect(linked.getByRole('cell', { name: asset.id, exact: true })).toBeVisible();
    await expect(linked).toContainText(
      `Linked by you to the TwinEdge asset ${asset.id} (not checked: this key may not read TwinEdge devices).`,
    );

    // Its samples arrive at that asset; the other device still waits, and the state still says so, truthfully.
    await expect.poll(() => sim.points({ asset_id: asset.id }).length, WAIT).toBeGreaterThan(0);
    await expect(deviceRow(page, MODBUS_DEMO).getByRole('cell', { name: '⚠ needs a link' })).toBeVisible();
    await expect(state).toContainText('answered with a problem');
    await expect(state).toContainText(`"${MODBUS_DEMO}"`);
    await expect(state).not.toContainText(`"${OPCUA_DEMO}"`);
    await expect(state).not.toContainText('Cannot reach TwinEdge');

    // Only the asset that was there before exists; every point went there, once.
    const points = sim.points();
    expect(new Set(points.map((p) => p.asset_id))).toEqual(new Set([asset.id]));
    expect(sim.devices().map((d) => d.id)).toEqual([asset.id]);
    const stats = sim.stats();
    expect(stats.devicesCreated).toBe(0);
    expect(stats.duplicatePoints).toBe(0);

    // Never "Cannot reach TwinEdge" in any status the page was sent (the frames do carry the summary), nor in the
    // service's log, which has the state change as one WARN line.
    expect(frames.some((f) => f.includes('TwinEdge answered, but '))).toBe(true);
    expect(frames.filter((f) => f.includes('Cannot reach TwinEdge'))).toEqual([]);
    expect(server.output()).toMatch(/ WARN {2}Cloud sync: .*problem\. TwinEdge answered, but .*403.*write:assets/);
    expect(server.output()).not.toContain('Cannot reach TwinEdge');
  });
});

test.describe('ours: a link to an id TwinEdge does not have', () => {
  // A device of the demo device's name, not registered by this app: the demo device lands in conflict.
  test.use({ cloudDevice: { name: OPCUA_DEMO, type: 'opcua', description: 'registered in TwinEdge by someone else' } });

  test('is refused in the dialog and changes nothing', async ({ page, server, sim, asset }) => {
    test.setTimeout(120_000);
    await openApp(page, server);
    await openCloudSync(page);

    const row = deviceRow(page, OPCUA_DEMO);
    await expect(row.getByRole('cell', { name: '⚠ conflict' })).toBeVisible(WAIT);
    await expect(deviceRow(page, MODBUS_DEMO).getByRole('cell', { name: 'synced', exact: true })).toBeVisible(WAIT);
    const before = { ids: sim.devices().map((d) => d.id), created: sim.stats().devicesCreated };
    expect(before.created).toBe(1);

    await row.getByRole('button', { name: `Link to a TwinEdge device for ${OPCUA_DEMO}` }).click();
    const dialog = page.getByRole('dialog', { name: `Link “${OPCUA_DEMO}” to a TwinEdge device` });
    // This key may list devices: TwinEdge's devices are offered by name and id.
    const select = dialog.getByRole('combobox', { name: 'TwinEdge device' });
    await expect(select).toBeVisible();
    await expect(select.getByRole('option', { name: `${OPCUA_DEMO} (${asset.id})` })).toHaveCount(1);

    // An empty submit says what is missing.
    await dialog.getByRole('button', { name: 'Link', exact: true }).click();
    await expect(dialog.getByRole('alert')).toHaveText('Pick a TwinEdge device or type its asset id.');

    // A typed id with a typo is checked against TwinEdge and refused; the dialog stays open with the reason.
    const typo = `${asset.id}x`;
    await dialog.getByRole('textbox', { name: 'TwinEdge asset id' }).fill(typo);
    await dialog.getByRole('button', { name: 'Link', exact: true }).click();
    await expect(dialog.getByRole('alert')).toContainText(`TwinEdge has no device with the id "${typo}".`);
    await expect(dialog).toBeVisible();

    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toBeHidden();
    // Nothing changed: still in conflict, not linked, no device made or changed in TwinEdge, no points to the typo.
    await expect(row.getByRole('cell', { name: '⚠ conflict' })).toBeVisible();
    await expect(row.getByRole('cell', { name: 'linked by you' })).toHaveCount(0);
    expect(sim.devices().map((d) => d.id)).toEqual(before.ids);
    expect(sim.devices().find((d) => d.id === asset.id)).toEqual(asset);
    expect(sim.stats().devicesCreated).toBe(before.created);
    expect(sim.points({ asset_id: typo })).toEqual([]);
    expect(sim.points({ asset_id: asset.id })).toEqual([]);
    expect(sim.stats().duplicatePoints).toBe(0);
  });
});
