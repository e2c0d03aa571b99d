import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { ModbusDeviceInput } from '../../main/domain/device/device-schema.js';
import { secretEnvName } from '../../main/secrets/env-store.js';
import { Store } from '../../main/store/store.js';
import { scopes } from '../../main/domain/cloud/account.js';
import { TwinEdgeClient } from '../../main/sync/client/twinedge-client.js';
import { scaledClock } from '../../main/sync/clock.js';
import { API_KEY_SECRET } from '../../main/sync/sync-service.js';
import { anomalyScore } from '../sim/cloud/ml.js';
import { startCloudSim, type CloudSim } from '../sim/cloud/index.js';
import { expect, openApp, startServer, stopServer, test as base, type BrowserModeServer } from './fixtures.js';

/*
 * The trend view with TwinEdge (the local TwinEdge API over real HTTP, the key from the environment): the part of a
 * range older than this workstation's history comes from TwinEdge and says so, a trained model's anomaly scores
 * are overlaid and readable at the cursor, and a saved view goes to TwinEdge as a dashboard and comes back.
 */

const KEY = 'te_e2e_trends_6f1d2c9a8b7e4d30a5c1f2e3d4b5a697';
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const ZONE = 'Europe/Berlin'; // the playwright config's timezoneId
/** How the UI writes a score (renderer/src/lib/format.ts). */
const threeDecimals = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3, useGrouping: false });

const inputValue = (ms: number): string => {
  const p: Record<string, string> = {};
  for (const x of new Intl.DateTimeFormat('en-GB', {
    timeZone: ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(ms)))
    p[x.type] = x.value;
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`;
};

interface Ctx {
  sim: CloudSim;
  seeded: { dir: string; localFrom: number; cloudFrom: number };
  server: BrowserModeServer;
}

const test = base.extend<Ctx>({
  // eslint-disable-next-line no-empty-pattern
  sim: async ({}, use) => {
    // 60x: a training job (30 s of TwinEdge time) completes in half a second.
    const sim = await startCloudSim({
      keys: [{ key: KEY, tier: 'enterprise', scopes: [...scopes], name: 'e2e trends' }],
      clock: scaledClock(60),
    });
    await use(sim);
    await sim.close();
  },
  seeded: async ({ sim }, use) => {
    const dir = mkdtempSync(join(tmpdir(), 'twinedge-trends-cloud-'));
    const now = Date.now();
    const localFrom = Math.floor((now - 2 * DAY) / HOUR) * HOUR;
    const cloudFrom = Math.floor((now - 40 * DAY) / DAY) * DAY;
    const store = Store.open(join(dir, 'twinedge.sqlite'));
    try {
      store.settings.set('demo.enabled', false);
      store.settings.set('sync.baseUrl', sim.url);
      const dev = store.devices.save(
        ModbusDeviceInput.parse({
          name: 'Line 3 PLC',
          protocol: 'modbus',
          enabled: false,
          settings: { host: '127.0.0.1' },
          tags: [{ name: 'FT-301', unit: 'm³/h', area: 'holding', address: 0, dataType: 'float32' }],
        }),
      );
      const tagId = dev.tags[0]?.id ?? 0;
      // Locally only the last two days, every minute, all 7 m³/h.
      store.writeSamples(
        Array.from({ length: 2 * 1440 }, (_, i) => ({ tagId, ts: localFrom + i * MIN, value: 7, quality: 0 })),
        null,
      );
      while (store.rollups.step(50_000) > 0) {
        // rolled up now so the first query finds everything
      }
    } finally {
      store.close();
    }
    await use({ dir, localFrom, cloudFrom });
  },
  server: async ({ seeded }, use, testInfo) => {
    const s = await startServer(45_000, { TWINEDGE_SECRETS_FROM_ENV: '1', [secretEnvName(API_KEY_SECRET)]: KEY }, [], {
      dataDir: seeded.dir,
    });
    await use(s);
    await stopServer(s);
    await testInfo.attach('service-output.txt', { body: s.output(), contentType: 'text/plain' });
  },
});

const readoutCell = (page: Page, tag: string, i: number): Locator =>
  page
    .getByRole('table', { name: 'Cursor readout' })
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: tag, exact: true }) })
    .getByRole('cell')
    .nth(i);

async function goTo(page: Page, ms: number): Promise<void> {
  await page.getByLabel(/^Go to time/).fill(inputValue(ms));
  await page.getByRole('button', { name: 'Go', exact: true }).click();
}

test('older data from TwinEdge, anomaly scores at the cursor, a view saved as a dashboard and opened back', async ({
  page,
  server,
  sim,
  seeded,
}) => {
  test.setTimeout(120_000);
  const api = new TwinEdgeClient({ baseUrl: sim.url, apiKey: KEY, maxRetries: 0 });
  // The app registers its device in TwinEdge on its own.
  let assetId = '';
  await expect
    .poll(
      async () => {
        assetId = (await api.listDevices({ per_page: 100 })).items.find((d) => d.name === 'Line 3 PLC')?.id ?? '';
        return assetId;
      },
      { timeout: 20_000 },
    )
    .not.toBe('');
  // TwinEdge has 38 days from before the local history: hourly, the value is 100 + the day's index.
  const old = Array.from({ length: 38 * 24 }, (_, i) => ({
    timestamp: new Date(seeded.cloudFrom + i * HOUR).toISOString(),
    asset_id: assetId,
    tag_name: 'FT-301',
    value: 100 + Math.floor(i / 24),
    quality: 'good' as const,
  }));
  await api.ingest(old, { idempotencyKey: 'e2e-old-history' });
  const job = await api.startTraining({
    name: 'FT-301 anomalies',
    model_type: 'anomaly_detection',
    asset_id: assetId,
    tag_names: ['FT-301'],
    start: new Date(seeded.localFrom).toISOString(),
    end: new Date().toISOString(),
  });
  await expect.poll(async () => (await api.getTrainingJob(job.id)).status, { timeout: 20_000 }).toBe('completed');

  await openApp(page, server);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Trends', exact: true }).click();
  await page.getByRole('checkbox', { name: 'FT-301 (m³/h)', exact: true }).check();
  await page.getByRole('button', { name: '30 d', exact: true }).click();
  const notices = page.getByRole('status', { name: 'Chart notices' });
  await expect(notices).toContainText(/Reduced/);

  // Without the TwinEdge fill, 20 days ago is simply empty here.
  const day = 15;
  const inDay = seeded.cloudFrom + day * DAY + 12 * HOUR;
  await goTo(page, inDay);
  await expect(readoutCell(page, 'FT-301', 1)).toHaveText('—');
  await expect(readoutCell(page, 'FT-301', 6)).toHaveText('local');

  await page.getByRole('checkbox', { name: 'Fill older data from TwinEdge' }).check();
  await expect(notices).toContainText('Dashed lines are TwinEdge data (older than the local history).');
  await goTo(page, inDay);
  await expect(readoutCell(page, 'FT-301', 6)).toHaveText('TwinEdge data');
  // TwinEdge's daily buckets hold one value all day: 100 + the day's index, exactly.
  await expect(readoutCell(page, 'FT-301', 1)).toHaveText(`${100 + day} m³/h`);
  // Local history still reads as local.
  await goTo(page, seeded.localFrom + DAY);
  await expect(readoutCell(page, 'FT-301', 6)).toHaveText('local');
  await expect(readoutCell(page, 'FT-301', 1)).toHaveText('7 m³/h');

  // ---- ML predictions: the score in force at the cursor is the one TwinEdge computed for that hour -------------
  await page.getByRole('button', { name: '24 h', exact: true }).click();
  await page.getByRole('checkbox', { name: 'ML predictions overlay' }).check();
  const hour = Math.floor((Date.now() - 6 * HOUR) / HOUR) * HOUR;
  await goTo(page, hour + 20 * MIN);
  const predictions = page.getByRole('table', { name: 'ML predictions at the cursor' });
  const row = predictions.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'FT-301' }) });
  const score = anomalyScore(assetId, hour);
  await expect(row.getByRole('cell').nth(2)).toHaveText(
    score !== 0 && score < 1e-3 ? score.toExponential(3) : threeDecimals.format(score),
  );
  await expect(row.getByRole('cell').nth(3)).toHaveText(score > 0.8 ? 'yes' : 'no');

  // ---- a saved view as a TwinEdge dashboard, and that dashboard opened as a new view --------------------------
  await page.getByText('Saved views and TwinEdge dashboards').click();
  await page.getByLabel('View name').fill('Line 3 flow');
  await page.getByRole('button', { name: 'Save view' }).click();
  await page.getByRole('button', { name: 'Save Line 3 flow as TwinEdge dashboard' }).click();
  await expect(page.getByText('Saved “Line 3 flow” as a TwinEdge dashboard.')).toBeVisible();
  const dashboards = (await api.listDashboards({ per_page: 100 })).items;
  expect(dashboards.map((d) => d.name)).toEqual(['Line 3 flow']);
  expect(dashboards[0]?.widgets[0]).toMatchObject({
    type: 'trend',
    range: 'P1D',
    series: [{ asset_id: assetId, tag_name: 'FT-301', axis: 'm³/h' }],
  });

  await page.getByRole('button', { name: 'Open TwinEdge dashboard…' }).click();
  await page.getByRole('combobox', { name: 'Dashboard' }).selectOption({ label: 'Line 3 flow' });
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.getByText('Opened “Line 3 flow (2)”.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Open view Line 3 flow (2)' })).toBeVisible();
});
