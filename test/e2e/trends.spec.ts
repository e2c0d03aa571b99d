import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { RawSamples } from '../../main/store/raw/raw-samples.js';
import type { Locator, Page } from '@playwright/test';
import {
  expect,
  exportNameShape,
  openApp,
  startServer,
  stopServer,
  test as base,
  type BrowserModeServer,
} from './fixtures.js';
import { BAD, isBad, seedIndex, seedTrendHistory, seedValue, SEED_STEP_MS, type TrendSeed } from './trend-seed.js';

/*
 * The history trend against the real service and a seeded store: 30 days at 10 s of two tags (Bad samples, a 3-hour
 * gap, one spike). Zooms from 30 days down to a minute and checks that what the readout, the chart notices and the
 * CSV export say is exactly what is stored.
 */

const ZONE = 'Europe/Berlin'; // the playwright config's timezoneId
const fmt = new Intl.DateTimeFormat('en-GB', {
  timeZone: ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'short',
});
function parts(ms: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of fmt.formatToParts(new Date(ms))) out[p.type] = p.value;
  return out;
}
/** What the UI shows for a time: "2026-11-30 12:00:00 CET". */
const shown = (ms: number): string => {
  const p = parts(ms);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${p.timeZoneName}`;
};
/** A datetime-local input value in the page's zone. */
const inputValue = (ms: number): string => {
  const p = parts(ms);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`;
};

interface Ctx {
  server: BrowserModeServer;
  seed: TrendSeed;
}
const test = base.extend<Ctx>({
  // eslint-disable-next-line no-empty-pattern
  seed: async ({}, use) => {
    const dir = mkdtempSync(join(tmpdir(), 'twinedge-trends-'));
    const seed = seedTrendHistory(dir);
    await use({ ...seed, dir } as TrendSeed & { dir: string });
  },
  server: async ({ seed }, use, testInfo) => {
    const s = await startServer(45_000, {}, [], { dataDir: (seed as TrendSeed & { dir: string }).dir });
    await use(s);
    await stopServer(s);
    await testInfo.attach('service-output.txt', { body: s.output(), contentType: 'text/plain' });
  },
});

const nav = (page: Page, name: string): Locator =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

/** The readout cells of one tag: time, value, min, max, samples, quality, source. */
function readout(page: Page, tag: string) {
  const row = page
    .getByRole('table', { name: 'Cursor readout' })
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: tag, exact: true }) });
  const cell = (i: number): Locator => row.getByRole('cell').nth(i);
  return {
    time: cell(0),
    value: cell(1),
    min: cell(2),
    max: cell(3),
    count: cell(4),
    quality: cell(5),
    source: cell(6),
  };
}

async function goTo(page: Page, ms: number): Promise<void> {
  await page.getByLabel(/^Go to time/).fill(inputValue(ms));
  await page.getByRole('button', { name: 'Go', exact: true }).click();
}

async function showRange(page: Page, from: number, to: number): Promise<void> {
  await page.getByLabel('From', { exact: true }).fill(inputValue(from));
  await page.getByLabel('To', { exact: true }).fill(inputValue(to));
  await page.getByRole('button', { name: 'Show range' }).click();
  await expect(page.getByRole('status', { name: 'Visible range' })).toContainText(`${shown(from)} – ${shown(to)}`);
}

const temp = (v: number): string => `${String(v)} °C`;

test('30 days down to one minute: spike, samples, Bad, gap and CSV equal the store; a saved view reopens', async ({
  page,
  server,
  seed,
}) => {
  test.setTimeout(180_000);
  const [boiler, steam] = seed.tags as [TrendSeed['tags'][0], TrendSeed['tags'][0]];
  await openApp(page, server);
  await nav(page, 'Trends').click();
  await page.getByRole('checkbox', { name: `${boiler.name} (${boiler.unit})`, exact: true }).check();
  await page.getByRole('checkbox', { name: `${steam.name} (${steam.unit})`, exact: true }).check();
  const chart = page.getByRole('application', { name: 'Trend chart of 2 tags: pan, zoom and cursor' });
  await expect(chart).toBeVisible();
  // One axis per unit, both in the legend with a toggle.
  await expect(page.getByRole('checkbox', { name: `Show ${boiler.name} [°C]` })).toBeChecked();
  await expect(page.getByRole('checkbox', { name: `Show ${steam.name} [bar]` })).toBeChecked();

  // ---- 30 days: reduced, and the spike survives in its bucket's max ------------------------------------------------
  await page.getByRole('button', { name: '30 d', exact: true }).click();
  const notices = page.getByRole('status', { name: 'Chart notices' });
  await expect(notices).toContainText(/Reduced: \d+-(minute|hour) min\/max\/avg buckets/);
  await goTo(page, seed.spikeTs);
  const b = readout(page, boiler.name);
  await expect(b.max).toHaveText(temp(seed.spikeValue));
  await expect(b.time).toContainText('bucket');
  await expect(b.source).toHaveText('local');

  // ---- zoom in step by step with the keyboard around the cursor, down to raw samples -----------------------------
  await chart.focus();
  for (let i = 0; i < 15; i++) {
    await chart.press('+');
    await page.waitForTimeout(40);
  }
  await expect(page.getByRole('status', { name: 'Visible range' })).toContainText(/\(\d+ s\)/);
  await expect(notices).not.toContainText('Reduced');
  await expect(b.time).toHaveText(shown(seed.spikeTs));
  await expect(b.value).toHaveText(temp(seed.spikeValue));
  await expect(b.quality).toHaveText('Good');
  await expect(b.count).toHaveText('');

  // ---- one minute around a Bad sample, 5 days ago: readout equals the stored samples -------------------------------
  let k = seedIndex(seed, seed.end - 5 * 86_400_000);
  while (!isBad(k)) k++;
  const badTs = seed.start + k * SEED_STEP_MS;
  const from = badTs - 20_000;
  const to = from + 60_000;
  await showRange(page, from, to);
  await goTo(page, badTs);
  await expect(b.time).toHaveText(shown(badTs));
  await expect(b.value).toHaveText('—');
  await expect(b.quality).toHaveText('Bad');
  await goTo(page, badTs + SEED_STEP_MS);
  await expect(b.time).toHaveText(shown(badTs + SEED_STEP_MS));
  await expect(b.value).toHaveText(temp(seedValue(0, k + 1)));
  await expect(b.quality).toHaveText('Good');
  const s = readout(page, steam.name);
  await expect(s.value).toHaveText(`${String(seedValue(1, k + 1))} bar`);
  // Alt+→ steps the cursor to the next stored point.
  await chart.focus();
  await chart.press('Alt+ArrowRight');
  await expect(b.time).toHaveText(shown(badTs + 2 * SEED_STEP_MS));
  await expect(b.value).toHaveText(temp(seedValue(0, k + 2)));

  // ---- CSV of the visible minute: the same rows as the store -------------------------------------------------------
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  expect(exportNameShape((await download).suggestedFilename())).toBe('twinedge-trend-<time>.csv');
  const file = await (await download).path();
  const csv = readFileSync(file, 'utf8').trim().split(/\r?\n/);
  const db = new Database(join(server.dataDir, 'twinedge.sqlite'), { readonly: true, fileMustExist: true });
  // Through the store's one raw reader: this minute lies in sealed blocks (the seed is compacted).
  const reader = new RawSamples(db);
  const stored = seed.tags
    .flatMap((t) => reader.raw(t.id, from, to))
    .sort((a, b) => a.ts - b.ts || a.tagId - b.tagId)
    .map((r) => ({ tag_id: r.tagId, ts: r.ts, value: r.value as number, quality: r.quality }));
  db.close();
  expect(stored.length).toBe(2 * 7);
  const dataLines = csv.slice(1).filter((l) => l.trim() !== '');
  expect(dataLines.length).toBe(stored.length);
  // One row per stored sample, in the columns the header names: UTC time, tag, value, quality.
  const header = csv[0]!.split(',');
  const at = (name: string): number => header.indexOf(name);
  const rows = dataLines.map((l) => l.split(','));
  const tagName = new Map(seed.tags.map((t) => [t.id, t.name]));
  for (const r of stored) {
    const row = rows.find(
      (f) => f[at('timestamp_utc')] === new Date(r.ts).toISOString() && f[at('tag')] === tagName.get(r.tag_id),
    );
    expect(row, `a CSV row for ${tagName.get(r.tag_id)} at ${new Date(r.ts).toISOString()}`).toBeDefined();
    expect(row![at('value')]).toBe(String(r.value));
    expect(row![at('quality')]).toBe(r.quality === BAD ? 'Bad (0x80000000)' : 'Good (0x00000000)');
  }
  await expect(page.getByRole('status').filter({ hasText: /Exported \d+ rows/ })).toContainText(
    `Exported ${stored.length} rows`,
  );

  // ---- the same range as 1-minute buckets: each bucket says how many of its samples were Bad, and the worst -------
  await page.getByRole('combobox', { name: 'CSV resolution' }).selectOption('1m');
  const bucketDownload = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const bucketFile = await bucketDownload;
  expect(exportNameShape(bucketFile.suggestedFilename())).toBe('twinedge-trend-1-minute-buckets-<time>.csv');
  const bucketCsv = readFileSync(await bucketFile.path(), 'utf8')
    .trim()
    .split(/\r?\n/);
  const bucketHeader = bucketCsv[0]!.split(',');
  expect(bucketHeader).toEqual(
    expect.arrayContaining(['avg_of_usable', 'usable_samples', 'bad_samples', 'usable_percent', 'worst_quality']),
  );
  const col = (name: string): number => bucketHeader.indexOf(name);
  const rollupDb = new Database(join(server.dataDir, 'twinedge.sqlite'), { readonly: true, fileMustExist: true });
  const rollups = rollupDb
    .prepare('SELECT tag_id, bucket, count, bad_count FROM rollup_1m WHERE bucket >= ? AND bucket < ? ORDER BY bucket')
    .all(Math.floor(from / 60_000) * 60_000, to) as {
    tag_id: number;
    bucket: number;
    count: number;
    bad_count: number;
  }[];
  rollupDb.close();
  const bucketRows = bucketCsv.slice(1).map((l) => l.split(','));
  expect(bucketRows.length).toBe(rollups.length);
  for (const r of rollups) {
    const row = bucketRows.find(
      (f) => f[col('bucket_start_utc')] === new Date(r.bucket).toISOString() && f[col('tag')] === tagName.get(r.tag_id),
    );
    expect(row, `a bucket row for ${tagName.get(r.tag_id)} at ${new Date(r.bucket).toISOString()}`).toBeDefined();
    expect(row![col('usable_samples')]).toBe(String(r.count));
    expect(row![col('bad_samples')]).toBe(String(r.bad_count));
    expect(row![col('worst_quality')]).toBe(r.bad_count > 0 ? 'Bad (0x80000000)' : 'Good (0x00000000)');
  }
  // The Bad sample read above is in one of these buckets, for each tag.
  expect(bucketRows.filter((f) => f[col('bad_samples')] !== '0').length).toBe(2);

  // ---- the chart as a PNG; a legend toggle hides a line ---------------------------------------------------------------
  const png = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export PNG' }).click();
  expect(exportNameShape((await png).suggestedFilename())).toBe('twinedge-trend-<time>.png');
  const steamToggle = page.getByRole('checkbox', { name: `Show ${steam.name} [bar]` });
  await steamToggle.uncheck();
  await expect(steamToggle).not.toBeChecked();
  await steamToggle.check();

  // ---- the gap: a 'no data' marker, no line across it ---------------------------------------------------------------
  await showRange(page, seed.gapFrom - 60_000, seed.gapTo + 60_000);
  const marker = Math.round((seed.gapFrom - SEED_STEP_MS + seed.gapTo) / 2);
  await goTo(page, marker);
  await expect(b.quality).toHaveText('no data');
  await expect(b.value).toHaveText('—');

  // ---- save the minute as a view, reload, open it ------------------------------------------------------------------
  await showRange(page, from, to);
  await page.getByText('Saved views and TwinEdge dashboards').click();
  await page.getByLabel('View name').fill('Bad sample minute');
  await page.getByRole('button', { name: 'Save view' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved view' })).toHaveText(
    'Saved view “Bad sample minute”.',
  );
  await page.reload();
  await nav(page, 'Trends').click();
  await page.getByRole('button', { name: '1 h', exact: true }).click();
  await page.getByText('Saved views and TwinEdge dashboards').click();
  await page.getByRole('button', { name: 'Open view Bad sample minute' }).click();
  await expect(page.getByRole('status', { name: 'Visible range' })).toContainText(`${shown(from)} – ${shown(to)}`);
  await goTo(page, badTs);
  await expect(readout(page, boiler.name).quality).toHaveText('Bad');
});

test('retention: what is stored, the disk cost of each choice as it is typed, field errors, save', async ({
  page,
  server,
}) => {
  await openApp(page, server);
  await nav(page, 'Trends').click();
  await page.locator('summary', { hasText: 'History storage and retention' }).click();
  const form = page.getByRole('form', { name: 'History storage and retention' });
  await expect(form).toContainText(/In use [\d.]+ (KiB|MiB|GiB)/);
  await expect(form).toContainText(/oldest raw \d{4}-\d\d-\d\d \d\d:\d\d:\d\d CET/);
  const raw = form.getByLabel('Keep raw samples (days)');
  const rollups = form.getByLabel('Keep 1-minute and 1-hour rollups (days)');
  await expect(raw).toHaveValue(/^\d+$/);
  await expect(raw).toHaveAccessibleDescription(/≈ [\d.]+ (B|KiB|MiB|GiB)/);
  // Raw data in days: the measured cost per sample of the main kind of tag, and the days the cap holds at today's rate.
  const cost = form.getByRole('region', { name: 'Raw data cost' });
  await expect(cost).toContainText(
    /Raw data: [\d.]+ bytes per sample \((analog|integer|digital|text), in sealed blocks\), the [\d.]+ (MiB|GiB) cap holds (about [\d,.]+ days|less than a day \(about \d+ h\)) at today's [\d,.]+( k| M)? samples a day/,
  );
  const kinds = cost.getByRole('list', { name: 'Bytes per sample by kind of tag' }).getByRole('listitem');
  await expect(kinds.first()).toHaveText(/^(Analog|Integer|Digital|Text), \d+ tags?: [\d.]+ bytes per sample as rows/);
  const held = async (): Promise<number> => {
    const m = /cap holds about ([\d,.]+) days/.exec((await cost.textContent()) ?? '');
    return m ? Number((m[1] as string).replace(/,/g, '')) : NaN;
  };
  const cap = form.getByLabel('Size cap (MiB)');
  const capBefore = await cap.inputValue();
  await cap.fill('2048');
  await expect(cost).toContainText('the 2.0 GiB cap holds');
  const at2 = await held();
  await cap.fill('4096');
  await expect(cost).toContainText('the 4.0 GiB cap holds');
  // Twice the cap, about twice the days (rounded to whole days).
  expect(Math.abs((await held()) - 2 * at2)).toBeLessThanOrEqual(2);
  await cap.fill(capBefore);
  await raw.fill('365');
  await expect(form.getByLabel('Size cap (MiB)')).toHaveAccessibleDescription(/expected total ≈/);
  // Rollups shorter than raw samples: refused at the field.
  await rollups.fill('30');
  await form.getByRole('button', { name: 'Save retention' }).click();
  await expect(rollups).toHaveAttribute('aria-invalid', 'true');
  await expect(rollups).toHaveAccessibleDescription(/at least as long as raw samples/);
  await raw.fill('20');
  await rollups.fill('400');
  // Alarm history has its own age, shown with what it holds.
  const alarmHistory = form.getByLabel('Keep alarm history (days)');
  await expect(alarmHistory).toHaveValue('365');
  await expect(alarmHistory).toHaveAccessibleDescription(/^[\d,]+ entries/);
  await alarmHistory.fill('90');
  await form.getByRole('button', { name: 'Save retention' }).click();
  await expect(form.getByRole('status')).toHaveText('Retention saved.');
  await page.reload();
  await nav(page, 'Trends').click();
  await page.locator('summary', { hasText: 'History storage and retention' }).click();
  await expect(page.getByLabel('Keep raw samples (days)')).toHaveValue('20');
  await expect(page.getByLabel('Keep 1-minute and 1-hour rollups (days)')).toHaveValue('400');
  await expect(page.getByLabel('Keep alarm history (days)')).toHaveValue('90');
});

base(
  'live follow on the demo plant: the window slides, a pan stops following, Back to live resumes',
  async ({ page, server }) => {
    base.setTimeout(150_000);
    await openApp(page, server);
    await nav(page, 'Trends').click();
    await page
      .getByRole('group', { name: 'Demo pump skid (Modbus)' })
      .getByRole('checkbox', { name: 'T-101 level (%)', exact: true })
      .check();
    await page.getByRole('button', { name: 'Live 10 min', exact: true }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Following live' })).toHaveText(
      '● Following live (10 min)',
    );
    // Live samples reach the readout: the newest point is a few seconds old, Good, with its unit.
    const level = readout(page, 'T-101 level');
    await expect(async () => {
      await goTo(page, Date.now() - 3000);
      await expect(level.quality).toHaveText('Good', { timeout: 1000 });
    }).toPass({ timeout: 60_000 });
    await expect(level.value).toHaveText(/^\d+(\.\d+)? %$/);
    const visible = page.getByRole('status', { name: 'Visible range' });
    const before = await visible.textContent();
    await expect(visible).not.toHaveText(before ?? '', { timeout: 5000 });
    // A keyboard pan stops following: the range stays put.
    const chart = page.getByRole('application', { name: /^Trend chart of \d+ tags?: pan, zoom and cursor$/ });
    await chart.focus();
    await chart.press('ArrowLeft');
    await expect(page.getByRole('button', { name: 'Back to live' })).toBeVisible();
    // The range, without the transient " · loading…" a query in flight adds.
    const rangeText = async (): Promise<string> =>
      ((await visible.textContent()) ?? '').replace(/\s*·\s*loading…$/, '');
    const paused = await rangeText();
    await page.waitForTimeout(1500);
    expect(await rangeText()).toBe(paused);
    await page.getByRole('button', { name: 'Back to live' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Following live' })).toBeVisible();
  },
);
