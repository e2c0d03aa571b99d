import { readFileSync, writeFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { demoDevices, expect, exportNameShape, openApp, test } from './fixtures.js';

const demoUa = 'Demo pump skid (OPC UA)';

async function openDevices(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
  await expect(page.getByRole('heading', { name: 'Devices' })).toBeVisible();
}

function deviceRow(page: Page, name: string) {
  return page
    .getByRole('table', { name: 'Devices' })
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name, exact: true }) });
}

interface PublishedEntry {
  EndpointUrl: string;
  DataSetWriterGroup: string;
  OpcNodes: { Id: string; DisplayName: string }[];
}

test.describe('Device files', () => {
  test('OPC UA details: the subscription as requested and as the server revised it', async ({ page, server }) => {
    await openApp(page, server);
    await openDevices(page);
    await expect(deviceRow(page, demoUa).getByText('connected', { exact: true })).toBeVisible({ timeout: 45_000 });
    await page.getByRole('button', { name: `Details of ${demoUa}` }).click();
    const details = page.getByRole('region', { name: `Details: ${demoUa}` });
    const sub = details.getByRole('region', { name: 'Subscription' });
    await expect(sub).toContainText(/requested 1000 ms → revised \d+ ms/);
    await expect(sub.getByRole('definition').filter({ hasText: /^\d+$/ }).first()).toBeVisible();
    const items = sub.getByRole('table', { name: 'Monitored items' });
    // One row per tag (plus the header row), each with a revised sampling interval and a status.
    await expect(items.getByRole('row')).toHaveCount(25);
    const first = items.getByRole('row').nth(1);
    await expect(first.getByRole('cell').nth(0)).toHaveText('500');
    await expect(first.getByRole('cell').nth(1)).toHaveText(/^\d+/);
    await expect(first.getByRole('cell').nth(4)).toContainText(/Good\s*0x00000000/);
    // Whatever the server revised is said in words.
    const text = await items.innerText();
    for (const m of text.matchAll(/server revised (\d+) → (\d+)/g)) expect(m[1]).not.toBe(m[2]);
  });

  test('published nodes: export, import back as a new device that connects, a bad node shows its path', async ({
    page,
    server,
  }, testInfo) => {
    await openApp(page, server);
    await openDevices(page);
    await page.getByRole('button', { name: `Details of ${demoUa}` }).click();
    const details = page.getByRole('region', { name: `Details: ${demoUa}` });

    const downloading = page.waitForEvent('download');
    await details.getByRole('button', { name: 'Export published nodes (JSON)' }).click();
    const download = await downloading;
    expect(exportNameShape(download.suggestedFilename())).toBe(`twinedge-${demoUa}-publishednodes-<time>.json`);
    const file = testInfo.outputPath('publishednodes.json');
    await download.saveAs(file);
    const json = JSON.parse(readFileSync(file, 'utf8')) as PublishedEntry[];
    expect(json).toHaveLength(1);
    expect(json[0]!.EndpointUrl).toMatch(/^opc\.tcp:\/\/127\.0\.0\.1:\d+/);
    expect(json[0]!.OpcNodes).toHaveLength(24);
    for (const n of json[0]!.OpcNodes) expect(n.Id).toMatch(/^ns=1;s=PumpSkid\./);
    expect(JSON.stringify(json)).not.toMatch(/password/i);

    // Import it back: the name is taken, so the new device is "… (imported)".
    await page.getByLabel('Import published nodes…', { exact: true }).setInputFiles(file);
    const review = page.getByRole('region', { name: 'Import published nodes from publishednodes.json' });
    await expect(review).toContainText('1 endpoint found, no problems');
    const endpoints = review.getByRole('table', { name: 'Endpoints in publishednodes.json' });
    await expect(endpoints.getByRole('row', { name: new RegExp(demoUa.replace(/[()]/g, '\\$&')) })).toContainText(
      json[0]!.EndpointUrl,
    );
    await expect(endpoints).toContainText('24');
    await expect(review).toContainText('check security in the device form');
    await review.getByRole('button', { name: 'Create 1 device' }).click();
    await expect(review).toHaveCount(0);
    const imported = `${demoUa} (imported)`;
    await expect(page.getByRole('status')).toContainText(`Created “${imported}” (24 tags)`);
    const row = deviceRow(page, imported);
    await expect(row.getByRole('cell').nth(3)).toHaveText('24');
    await expect(row.getByText('connected', { exact: true })).toBeVisible({ timeout: 45_000 });

    // A file with one bad node: the good ones are read, the bad one is named by its path.
    json[0]!.OpcNodes[3]!.Id = 'not a node id';
    const bad = testInfo.outputPath('bad-nodes.json');
    writeFileSync(bad, JSON.stringify(json));
    await page.getByLabel('Import published nodes…', { exact: true }).setInputFiles(bad);
    const badReview = page.getByRole('region', { name: 'Import published nodes from bad-nodes.json' });
    await expect(badReview).toContainText('1 endpoint found, 1 problem');
    await expect(badReview.getByRole('list', { name: 'Problems in bad-nodes.json' })).toContainText(
      '[0].OpcNodes[3]: nodeId: a node id like ns=2;s=Pump.Flow or i=2258',
    );
    await expect(badReview.getByRole('table', { name: 'Endpoints in bad-nodes.json' })).toContainText('23');
    await badReview.getByRole('button', { name: 'Cancel' }).click();
    await expect(badReview).toHaveCount(0);
  });

  test('configuration: export both demo devices, import replaces them after a confirmation', async ({
    page,
    server,
  }, testInfo) => {
    await openApp(page, server);
    await openDevices(page);
    await expect(page.getByText('Passwords are never in these files')).toBeVisible();

    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export configuration' }).click();
    const download = await downloading;
    expect(exportNameShape(download.suggestedFilename())).toBe('twinedge-config-<time>.json');
    const file = testInfo.outputPath('twinedge-config.json');
    await download.saveAs(file);
    const cfg = JSON.parse(readFileSync(file, 'utf8')) as {
      $schema: string;
      devices: { name: string; id?: number; tags: { id?: number; name: string; samplingIntervalMs?: number }[] }[];
    };
    expect(cfg.$schema).toBe('./twinedge-config.schema.json');
    expect(cfg.devices.map((d) => d.name)).toEqual(expect.arrayContaining([...demoDevices]));
    for (const d of cfg.devices) {
      expect(d.id).toBeUndefined();
      for (const t of d.tags) expect(t.id).toBeUndefined();
    }

    // Ask the demo server for a sampling interval below its minimum: the details say what it granted instead.
    const ua = cfg.devices.find((d) => d.name === demoUa)!;
    ua.tags[0]!.samplingIntervalMs = 10;
    writeFileSync(file, JSON.stringify(cfg, null, 2));

    await page.getByLabel('Import configuration…', { exact: true }).setInputFiles(file);
    const review = page.getByRole('region', { name: 'Import configuration from twinedge-config.json' });
    await expect(review).toContainText('adds 0 devices and replaces 2 devices');
    await expect(review.getByRole('list', { name: 'Devices replaced' }).getByRole('listitem')).toHaveCount(2);
    await review.getByRole('button', { name: 'Import configuration' }).click();
    await expect(review).toHaveCount(0);
    await expect(page.getByRole('status')).toContainText('Imported 2 devices from twinedge-config.json.');
    await expect(page.getByRole('table', { name: 'Devices' }).getByRole('rowheader')).toHaveCount(2);
    await expect(deviceRow(page, demoUa).getByText('connected', { exact: true })).toBeVisible({ timeout: 45_000 });
    await page.getByRole('button', { name: `Details of ${demoUa}` }).click();
    const items = page
      .getByRole('region', { name: `Details: ${demoUa}` })
      .getByRole('table', { name: 'Monitored items' });
    const revised = items
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: ua.tags[0]!.name, exact: true }) });
    await expect(revised.getByRole('cell').nth(0)).toHaveText('10');
    await expect(revised.getByRole('cell').nth(1)).toContainText(/server revised 10 → \d+ ms/);
    await expect(page.getByRole('region', { name: 'Subscription' })).toContainText('1 revised by the server');
    await page.getByRole('button', { name: 'Close details' }).click();

    // A file that is not a configuration: problems with their paths, nothing to import.
    const bad = testInfo.outputPath('bad-config.json');
    writeFileSync(bad, JSON.stringify({ devices: [{ ...cfg.devices[0], name: '' }], extra: 1 }));
    await page.getByLabel('Import configuration…', { exact: true }).setInputFiles(bad);
    const badReview = page.getByRole('region', { name: 'Import configuration from bad-config.json' });
    const problems = badReview.getByRole('list', { name: 'Problems in bad-config.json' });
    await expect(problems).toContainText('devices[0].name');
    await expect(badReview.getByRole('button', { name: 'Import configuration' })).toHaveCount(0);
    await badReview.getByRole('button', { name: 'Cancel' }).click();
  });
});
