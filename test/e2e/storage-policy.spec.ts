import type { Locator, Page } from '@playwright/test';
import { expectNoAxeViolations } from './axe.js';
import { openDevices } from './devices-page.js';
import { demoDevices, expect, openApp, test } from './fixtures.js';

/**
 * Storage policies as an engineer edits them: the Modbus demo device's default and one tag's own policy with its
 * span, saved, still there after a reload, and the lossy tag marked in live values and the trend tag picker.
 */

const [demoUa, demoModbus] = demoDevices;

async function editDemo(page: Page, name: string = demoModbus): Promise<Locator> {
  await openDevices(page);
  await expect(page.getByRole('table', { name: 'Devices' }).getByText('connected', { exact: true })).toHaveCount(2, {
    timeout: 45_000,
  });
  await page.getByRole('button', { name: `Edit ${name}` }).click();
  return page.getByRole('form', { name: /Edit device/ });
}

test('device default and a tag override: saved, shown after reload, the lossy tag marked', async ({ page, server }) => {
  test.setTimeout(180_000);
  await openApp(page, server);
  let form = await editDemo(page);

  // Device default: on change, lossless, stored at least every 300 s.
  const device = form.getByRole('group', { name: 'Storage (device default)' });
  await device.getByLabel('Store', { exact: true }).selectOption('change');
  await device.getByLabel('Deadband (engineering units)').fill('0');
  await device.getByLabel('Max interval (s)').fill('300');
  await device.getByLabel('Compression deviation (engineering units)').fill('0');
  await expect(form.getByRole('button', { name: /^Tag 2 storage:/ })).toContainText('max 300 s');
  await expect(form.getByRole('button', { name: /^Tag 2 storage:/ })).toContainText('device default');

  // Tag 1: its own policy (a copy of the device's to start with), a deadband of 1 % of its span, no span yet.
  const tagName = await form.getByLabel('Tag 1 name', { exact: true }).inputValue();
  const unit = await form.getByLabel('Tag 1 unit', { exact: true }).inputValue();
  const cell = form.getByRole('button', { name: /^Tag 1 storage:/ });
  await cell.click();
  await expect(cell).toHaveAttribute('aria-expanded', 'true');
  const tag = form.getByRole('group', { name: 'Storage of tag 1' });
  await tag.getByLabel('Tag 1 storage policy').selectOption('own');
  await tag.getByLabel('Tag 1 band').selectOption('percent');
  await tag.getByLabel('Tag 1 deadband (% of span)').fill('1');
  await expect(tag.getByText(/^Lossy: the stored trend is not every collected value/)).toBeVisible();
  await expectNoAxeViolations(page, 'device form with a tag storage editor open');

  // Saving without a span: the error is at the tag's span, and the summary links to it.
  await form.getByRole('button', { name: 'Save device' }).click();
  const spanLow = tag.getByLabel(/^Tag 1 span low/);
  await expect(spanLow).toHaveAttribute('aria-invalid', 'true');
  await expect(tag.getByText("a percent deadband or deviation needs the tag's span (low below high)")).toBeVisible();
  await expect(form.getByRole('list', { name: 'Settings to fix' })).toContainText(/Tag 1 span low/);
  await expectNoAxeViolations(page, 'device form with a storage error');

  await spanLow.fill('0');
  await tag.getByLabel(/^Tag 1 span high/).fill('200');
  await expect(spanLow).toHaveAttribute('aria-invalid', 'false');
  await form.getByRole('button', { name: 'Save device' }).click();
  await expect(form).toBeHidden();

  // After a reload the service gives back what was saved.
  await page.reload();
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  form = await editDemo(page);
  const deviceAgain = form.getByRole('group', { name: 'Storage (device default)' });
  await expect(deviceAgain.getByLabel('Store', { exact: true })).toHaveValue('change');
  await expect(deviceAgain.getByLabel('Max interval (s)')).toHaveValue('300');
  const cellAgain = form.getByRole('button', { name: /^Tag 1 storage:/ });
  await expect(cellAgain).toContainText('on change beyond ±1 % of span, max 300 s');
  await expect(cellAgain).toContainText('own · lossy');
  await expect(form.getByRole('button', { name: /^Tag 2 storage:/ })).toContainText('on change (lossless), max 300 s');
  await cellAgain.click();
  const tagAgain = form.getByRole('group', { name: 'Storage of tag 1' });
  await expect(tagAgain.getByLabel('Tag 1 storage policy')).toHaveValue('own');
  await expect(tagAgain.getByLabel('Tag 1 deadband (% of span)')).toHaveValue('1');
  await expect(tagAgain.getByLabel(/^Tag 1 span high/)).toHaveValue('200');
  await form.getByRole('button', { name: 'Cancel' }).click();

  // Live values: the lossy tag says how it is stored; a lossless one says nothing.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Live values' }).click();
  const live = page.getByRole('table', { name: 'Live values' });
  const note = live.getByRole('note', { name: `Stored lossily: deadband ±1 % of span` });
  await expect(note).toHaveCount(1);
  // The row header reads the tag name, then how it is stored.
  await expect(live.getByRole('rowheader', { name: `${tagName} Stored lossily: deadband ±1 % of span` })).toHaveText(
    `${tagName}stored: deadband ±1 % of span`,
  );
  await expect(live.getByRole('note')).toHaveCount(1);
  await expectNoAxeViolations(page, 'live values with a lossy tag');

  // Trends: the tag picker says so too (read out with the tag's checkbox).
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Trends' }).click();
  const box = page
    .getByRole('group', { name: demoModbus })
    .getByRole('checkbox', { name: unit ? `${tagName} (${unit})` : tagName, exact: true });
  await expect(box).toHaveAccessibleDescription(/stored lossily: deadband ±1 % of span/);
  // On the chart: the legend and the current values say it as well.
  await box.check();
  await expect(
    page
      .getByRole('list', { name: 'Legend' })
      .getByRole('note', { name: `${tagName} stored lossily: deadband ±1 % of span` }),
  ).toBeVisible();
  await expect(
    page
      .getByRole('table', { name: 'Current values' })
      .getByRole('note', { name: 'Stored lossily: deadband ±1 % of span' }),
  ).toBeVisible();
  await expectNoAxeViolations(page, 'trends with a lossy tag on the chart');
});

test('OPC UA: a device deadband reaches the tags on the default; a tag storing every sample keeps its own', async ({
  page,
  server,
}) => {
  test.setTimeout(120_000);
  await openApp(page, server);
  let form = await editDemo(page, demoUa);
  const device = form.getByRole('group', { name: 'Storage (device default)' });
  await device.getByLabel('Store', { exact: true }).selectOption('change');
  await device.getByLabel('Deadband (engineering units)').fill('0.25');
  await form.getByRole('button', { name: /^Tag 1 storage:/ }).click();
  const tag = form.getByRole('group', { name: 'Storage of tag 1' });
  await tag.getByLabel('Tag 1 storage policy').selectOption('own');
  // Every sample has no deadband: choosing it clears the copied one (the schema would refuse it).
  await tag.getByLabel('Tag 1 store').selectOption('every');
  await expect(tag.getByLabel(/^Tag 1 deadband/)).toBeDisabled();
  await expectNoAxeViolations(page, 'OPC UA device form with a tag storage editor open');
  await form.getByRole('button', { name: 'Save device' }).click();
  await expect(form).toBeHidden();

  await page.reload();
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  form = await editDemo(page, demoUa);
  await expect(form.getByRole('button', { name: /^Tag 1 storage:/ })).toContainText('every sampleown');
  await expect(form.getByRole('button', { name: /^Tag 2 storage:/ })).toContainText(
    /on change beyond ±0\.25 .*max 600 s.*device default · lossy/,
  );
  await form.getByRole('button', { name: 'Cancel' }).click();
});
