import { readFileSync } from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import { expect, exportNameShape, openApp, test } from './fixtures.js';

const demoModbus = 'Demo pump skid (Modbus)';

async function openDevices(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
  await expect(page.getByRole('heading', { name: 'Devices' })).toBeVisible();
}

/** The current values of inputs or selects, in order. */
async function values(inputs: Locator): Promise<string[]> {
  return Promise.all((await inputs.all()).map((l) => l.inputValue()));
}

function deviceRow(page: Page, name: string) {
  return page
    .getByRole('table', { name: 'Devices' })
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name, exact: true }) });
}

/** A row of a table whose row header is this name. */
function tagRow(table: Locator, name: string): Locator {
  return table.getByRole('row').filter({ has: table.page().getByRole('rowheader', { name, exact: true }) });
}

test.describe('Modbus UI', () => {
  test('register map: Modicon entry, a bad row shows its field error, fixed, saved', async ({ page, server }) => {
    await openApp(page, server);
    await openDevices(page);
    await page.getByRole('button', { name: 'Add Modbus device' }).click();
    const form = page.getByRole('form', { name: 'New Modbus device' });

    // Transport decides the fields: serial settings for RTU, host and port for TCP.
    const transport = form.getByLabel('Transport', { exact: true });
    await transport.selectOption({ label: 'Modbus RTU (serial)' });
    await expect(form.getByLabel('Serial port', { exact: true })).toBeVisible();
    await expect(form.getByLabel('Baud rate (bit/s)', { exact: true })).toHaveValue('19200');
    await expect(form.getByLabel('Parity', { exact: true })).toHaveValue('even');
    await expect(form.getByLabel('Host', { exact: true })).toHaveCount(0);
    await transport.selectOption({ label: 'Modbus TCP' });
    await expect(form.getByLabel('Serial port', { exact: true })).toHaveCount(0);

    await form.getByLabel('Device name', { exact: true }).fill('Line 4 dosing PLC');
    await form.getByLabel('Host', { exact: true }).fill('127.0.0.1');
    await form.getByLabel('Port', { exact: true }).fill('9');

    // Row 1 by Modicon address: 40011 is holding register offset 10.
    await form.getByLabel('Tag 1 name', { exact: true }).fill('P-101 setpoint');
    await form.getByLabel('Tag 1 Modicon address', { exact: true }).fill('40011');
    await form.getByLabel('Tag 1 Modicon address', { exact: true }).press('Tab');
    await expect(form.getByLabel('Tag 1 table', { exact: true })).toHaveValue('holding');
    await expect(form.getByLabel('Tag 1 offset (0-based)', { exact: true })).toHaveValue('10');
    await form.getByLabel('Tag 1 data type', { exact: true }).selectOption('float64');
    // 64-bit orders are shown with eight letters.
    await expect(form.getByLabel('Tag 1 order', { exact: true }).getByRole('option')).toHaveText([
      'ABCDEFGH',
      'GHEFCDAB',
      'BADCFEHG',
      'HGFEDCBA',
    ]);
    await form.getByLabel('Tag 1 data type', { exact: true }).selectOption('float32');
    await form.getByLabel('Tag 1 unit', { exact: true }).fill('bar');

    // A Modicon address that names no table is refused where it was typed.
    const modicon2 = form.getByLabel('Tag 2 Modicon address', { exact: true });
    await form.getByRole('button', { name: 'Add register' }).click();
    await modicon2.fill('50001');
    await modicon2.press('Tab');
    await expect(modicon2).toHaveAttribute('aria-invalid', 'true');
    await expect(modicon2).toHaveAccessibleDescription(/not a Modicon address/);

    // Row 2: a bool in a holding register with a bit number out of range.
    await form.getByLabel('Tag 2 name', { exact: true }).fill('Alarm word');
    await form.getByLabel('Tag 2 offset (0-based)', { exact: true }).fill('20');
    await form.getByLabel('Tag 2 data type', { exact: true }).selectOption('bool');
    const bit = form.getByLabel('Tag 2 bit (0 = least significant)', { exact: true });
    await expect(bit).toHaveValue('0');
    await bit.fill('16');
    // Strings show their length in registers and characters.
    await form.getByRole('button', { name: 'Duplicate tag 1', exact: true }).click();
    await expect(form.getByLabel('Tag 2 name', { exact: true })).toHaveValue('P-101 setpoint (copy)');
    await form.getByLabel('Tag 2 data type', { exact: true }).selectOption('string');
    await form.getByLabel('Tag 2 length (registers)', { exact: true }).fill('8');
    await expect(form.getByLabel('Tag 2 length (registers)', { exact: true })).toHaveAccessibleDescription(
      /16 characters/,
    );
    await form.getByRole('button', { name: 'Remove tag 2', exact: true }).click();

    await form.getByRole('button', { name: 'Save device' }).click();
    await expect(form.getByRole('alert').first()).toContainText('Not saved');
    await expect(bit).toHaveAttribute('aria-invalid', 'true');
    await expect(bit).toHaveAccessibleDescription(/at most 15/);

    await bit.fill('3');
    await form.getByRole('button', { name: 'Save device' }).click();
    await expect(form).toBeHidden();
    await expect(page.getByRole('status').filter({ hasText: 'Saved “Line 4 dosing PLC” with 2 tags' })).toBeVisible();
    const row = deviceRow(page, 'Line 4 dosing PLC');
    await expect(row).toContainText('Modbus TCP');
    await expect(row).toContainText('127.0.0.1:9');

    // Saved as entered: reopen and check the rows.
    await row.getByRole('button', { name: 'Edit Line 4 dosing PLC' }).click();
    const edit = page.getByRole('form', { name: /Edit device/ });
    await expect(edit.getByLabel('Tag 1 Modicon address', { exact: true })).toHaveValue('40011');
    await expect(edit.getByLabel('Tag 2 bit (0 = least significant)', { exact: true })).toHaveValue('3');
    await expect(edit.getByLabel('Tag 2 Modicon address', { exact: true })).toHaveValue('40021');
  });

  test('register map CSV: export, then import into a new device, with a review step', async ({
    page,
    server,
  }, testInfo) => {
    await openApp(page, server);
    await openDevices(page);
    await deviceRow(page, demoModbus)
      .getByRole('button', { name: `Edit ${demoModbus}` })
      .click();
    const edit = page.getByRole('form', { name: /Edit device/ });
    const names = await values(edit.getByRole('textbox', { name: /^Tag \d+ name$/ }));
    expect(names.length).toBeGreaterThan(3);

    const downloading = page.waitForEvent('download');
    await edit.getByRole('button', { name: 'Export CSV' }).click();
    const download = await downloading;
    expect(exportNameShape(download.suggestedFilename())).toBe(`twinedge-${demoModbus}-registers-<time>.csv`);
    const file = testInfo.outputPath('registers.csv');
    await download.saveAs(file);
    const text = readFileSync(file, 'utf8');
    expect(text.replace(/^\uFEFF/, '').split('\r\n')[0]).toBe(
      'name,table,address,modicon,type,order,bit,length,scale,offset,unit,poll_ms,' +
        'store,deadband,max_interval_s,compression,span_low,span_high',
    );
    expect(text).toContain(',holding,0,40001,float32,ABCD,');
    await edit.getByRole('button', { name: 'Cancel' }).click();

    await page.getByRole('button', { name: 'Add Modbus device' }).click();
    const form = page.getByRole('form', { name: 'New Modbus device' });
    await form.getByLabel('Device name', { exact: true }).fill('Pump skid copy');
    await form.getByLabel('Host', { exact: true }).fill('127.0.0.1');
    await form.getByLabel('Port', { exact: true }).fill('9');

    // A file with a problem: shown with line and column, nothing replaced, cancel.
    await form.getByLabel('Import CSV', { exact: true }).setInputFiles({
      name: 'broken.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('name,modicon,type\nok,40001,float32\nbad,40003,float33\n'),
    });
    const review = form.getByRole('region', { name: 'CSV import' });
    await expect(review).toContainText('1 register read, 1 problem');
    await expect(review.getByRole('listitem')).toHaveText([/^line 3, column type: /]);
    await review.getByRole('button', { name: 'Cancel import' }).click();
    await expect(review).toBeHidden();
    await expect(form.getByRole('textbox', { name: /^Tag \d+ name$/ })).toHaveCount(1);

    // The exported file: every row back, then saved.
    await form.getByLabel('Import CSV', { exact: true }).setInputFiles(file);
    await expect(review).toContainText(`${names.length} registers read, no problems`);
    await review.getByRole('button', { name: `Replace register map with ${names.length} registers` }).click();
    await expect(form.getByRole('status')).toContainText(`replaced with ${names.length} registers`);
    const imported = await values(form.getByRole('textbox', { name: /^Tag \d+ name$/ }));
    expect(imported).toEqual(names);
    await form.getByRole('button', { name: 'Save device' }).click();
    await expect(form).toBeHidden();
    await expect(
      page.getByRole('status').filter({ hasText: `Saved “Pump skid copy” with ${names.length} tags` }),
    ).toBeVisible();
  });

  test('test read of a demo register shows the request, raw hex and the value with quality', async ({
    page,
    server,
  }, testInfo) => {
    await openApp(page, server);
    await openDevices(page);
    await deviceRow(page, demoModbus)
      .getByRole('button', { name: `Edit ${demoModbus}` })
      .click();
    const edit = page.getByRole('form', { name: /Edit device/ });
    // Find a float32 holding register row of the demo map.
    const types = await values(edit.getByRole('combobox', { name: /^Tag \d+ data type$/ }));
    const n = types.indexOf('float32') + 1;
    expect(n).toBeGreaterThan(0);
    const unit = await edit.getByLabel(`Tag ${n} unit`, { exact: true }).inputValue();

    await edit.getByRole('button', { name: `Test read tag ${n}`, exact: true }).click();
    const result = edit.getByRole('region', { name: `Test read of tag ${n}`, exact: true });
    await expect(result).toBeVisible({ timeout: 15_000 });
    await expect(result).toContainText(/FC 3 read holding registers/);
    await expect(result).toContainText(/0x[0-9A-Fa-f]{4} 0x[0-9A-Fa-f]{4}/);
    await expect(result).toContainText(
      new RegExp(`-?\\d+(\\.\\d+)?${unit ? ` ${unit.replace(/[/^$.*+?()[\]{}|\\]/g, '\\$&')}` : ''}`),
    );
    await expect(result).toContainText('Good');
    await page.screenshot({ path: testInfo.outputPath('test-read.png'), fullPage: true });
    await testInfo.attach('test-read.png', { path: testInfo.outputPath('test-read.png'), contentType: 'image/png' });
  });

  test('write to a demo holding register with confirmation; the device takes it; it shows in the audit log', async ({
    page,
    server,
  }, testInfo) => {
    await openApp(page, server);
    await openDevices(page);
    const row = deviceRow(page, demoModbus);
    await expect(row.getByText('connected', { exact: true })).toBeVisible({ timeout: 45_000 });
    await expect(row.getByRole('cell').filter({ hasText: /^\d+$/ }).first()).toBeVisible();
    await row.getByRole('button', { name: `Details of ${demoModbus}` }).click();

    const details = page.getByRole('region', { name: `Details: ${demoModbus}` });
    await expect(details.getByRole('table', { name: 'Poll groups' })).toBeVisible({ timeout: 15_000 });
    await expect(details).toContainText('Requests per poll cycle');

    // The demo controller's level setpoint: a holding register the simulation never overwrites (the level
    // loop follows it), so a written value stays and the collector reads it back.
    const tags = details.getByRole('table', { name: `Tags of ${demoModbus}` });
    const tagName = 'T-101 level setpoint';
    const target = tagRow(tags, tagName);
    await expect(target).toContainText('HR 100 (40101)');
    await expect(target).toContainText('float32');
    const current = target.getByRole('cell').nth(2);
    await expect(current).toHaveText(/^\d+(\.\d+)? % Good$/);
    await expect(current).not.toHaveText(/^62\.5 %/);
    await target.getByRole('button', { name: `Write value to ${tagName}` }).click();

    const dialog = page.getByRole('dialog', { name: `Write value to ${tagName}` });
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText('Holding registers (4x)');
    await expect(dialog).toContainText('float32');
    const value = dialog.getByLabel(/^New value/);
    await value.fill('62,5');
    await dialog.getByRole('button', { name: 'Review write' }).click();
    await expect(value).toHaveAttribute('aria-invalid', 'true');
    await expect(value).toHaveAccessibleDescription(/decimals with a point/);
    await value.fill('62.5');
    await dialog.getByRole('button', { name: 'Review write' }).click();
    await expect(dialog.getByRole('alert')).toHaveText(`Write 62.5 % to ${tagName} (40101)?`);
    await page.screenshot({ path: testInfo.outputPath('write-confirm.png') });
    await dialog.getByRole('button', { name: 'Write now' }).click();
    await expect(dialog.getByRole('status')).toHaveText(`Written: 62.5 % to ${tagName} (40101).`);
    await expect(dialog).toContainText(/FC 16 write/);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(dialog).toBeHidden();

    // The proof: the collector's next poll reads the new value back from the device (live update).
    await expect(current).toHaveText('62.5 % Good', { timeout: 10_000 });
    // It stays: the simulation does not write over the setpoint.
    await page.waitForTimeout(2_500);
    await expect(current).toHaveText('62.5 % Good');
    await page.screenshot({ path: testInfo.outputPath('written-value.png'), fullPage: true });

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
    const log = page.getByRole('table', { name: 'Audit log' });
    await expect(log.getByRole('columnheader', { name: /^Time \(Europe\/Berlin\)$/ })).toBeVisible();
    const entry = log.getByRole('row').filter({ hasText: tagName });
    await expect(entry).toHaveCount(1);
    await expect(entry).toContainText(demoModbus);
    await expect(entry).toContainText('62.5');
    await expect(entry).toContainText('written');
    await expect(entry).toContainText(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} (CET|CEST|GMT\+\d)/);
    await page.screenshot({ path: testInfo.outputPath('audit-log.png'), fullPage: true });
    await testInfo.attach('audit-log.png', { path: testInfo.outputPath('audit-log.png'), contentType: 'image/png' });
  });

  test('string and bit-in-register tags: text and bits in the details and the trend readout', async ({
    page,
    server,
  }, testInfo) => {
    await openApp(page, server);
    await openDevices(page);
    const row = deviceRow(page, demoModbus);
    await expect(row.getByText('connected', { exact: true })).toBeVisible({ timeout: 45_000 });
    await row.getByRole('button', { name: `Details of ${demoModbus}` }).click();
    const details = page.getByRole('region', { name: `Details: ${demoModbus}` });
    const tags = details.getByRole('table', { name: `Tags of ${demoModbus}` });

    // A 16-character string: its text is the value.
    const batch = tagRow(tags, 'Batch ID');
    await expect(batch).toContainText('HR 102 (40103)');
    await expect(batch.getByRole('cell').nth(1)).toHaveText('string, 16 characters');
    await expect(batch.getByRole('cell').nth(2)).toHaveText('B-20261130-01 Good', { timeout: 15_000 });

    // Bits 0, 1 and 2 of one holding register, each 0 or 1.
    for (const [name, bit] of [
      ['Status: P-101 running', 0],
      ['Status: P-101 tripped', 1],
      ['Status: F-101 backflushing', 2],
    ] as const) {
      const r = tagRow(tags, name);
      await expect(r).toContainText('HR 110 (40111)');
      await expect(r.getByRole('cell').nth(1)).toHaveText(`bool, bit ${bit}`);
      await expect(r.getByRole('cell').nth(2)).toHaveText(/^[01] Good$/);
    }
    await page.screenshot({ path: testInfo.outputPath('details-string-bits.png'), fullPage: true });

    // The register map shows the bit numbers too.
    await page.getByRole('button', { name: 'Close details' }).click();
    await row.getByRole('button', { name: `Edit ${demoModbus}` }).click();
    const edit = page.getByRole('form', { name: /Edit device/ });
    const names = await values(edit.getByRole('textbox', { name: /^Tag \d+ name$/ }));
    const running = names.indexOf('Status: P-101 running') + 1;
    expect(running).toBeGreaterThan(0);
    await expect(edit.getByLabel(`Tag ${running} data type`, { exact: true })).toHaveValue('bool');
    await expect(edit.getByLabel(`Tag ${running} bit (0 = least significant)`, { exact: true })).toHaveValue('0');
    await expect(edit.getByLabel(`Tag ${running + 2} bit (0 = least significant)`, { exact: true })).toHaveValue('2');
    await edit.getByRole('button', { name: 'Cancel' }).click();

    // Trends: the string beside a number. The readout shows the text; the chart draws no line for it.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Trends' }).click();
    const picker = page.getByRole('region', { name: 'Tags' });
    const group = picker.getByRole('group', { name: demoModbus, exact: true });
    await expect(group.getByRole('checkbox').first()).toBeVisible({ timeout: 30_000 });
    const readouts = page.getByRole('table', { name: 'Current values' });
    if ((await readouts.count()) > 0) await picker.getByRole('button', { name: 'Clear selection' }).click();
    await picker.getByLabel('Search tags').fill('Batch ID');
    await group.getByRole('checkbox', { name: 'Batch ID', exact: true }).check();
    await picker.getByLabel('Search tags').fill('T-101 level setpoint');
    await group.getByRole('checkbox', { name: 'T-101 level setpoint (%)', exact: true }).check();

    const batchReadout = readouts.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Batch ID' }) });
    await expect(batchReadout).toHaveCount(1);
    await expect(batchReadout.locator('td.value')).toHaveText('B-20261130-01', { timeout: 15_000 });
    await expect(batchReadout).toContainText('Good');
    const spReadout = readouts
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: 'T-101 level setpoint' }) });
    await expect(spReadout.locator('td.value')).toHaveText(/^\d+(\.\d+)? %$/);

    // Only the number is charted; the text tag is named as not charted.
    const chart = page.getByRole('figure', { name: /Trend chart/ });
    await expect(chart).toHaveAccessibleName('Trend chart of 1 tag');
    const legend = page.getByRole('list', { name: 'Legend' });
    await expect(legend).toContainText('T-101 level setpoint');
    await expect(legend).not.toContainText('Batch ID');
    await expect(page.getByText('Batch ID is text: its value is in the table below, not on the chart.')).toBeVisible();
    await page.screenshot({ path: testInfo.outputPath('trends-string.png'), fullPage: true });
    await testInfo.attach('trends-string.png', {
      path: testInfo.outputPath('trends-string.png'),
      contentType: 'image/png',
    });
  });
});

test.describe('Modbus register map layout', () => {
  // The e2e tests compile without the DOM library: just the parts of it the page functions below use.
  interface Field {
    readonly tagName: string;
    readonly clientWidth: number;
    readonly value: string;
    readonly placeholder: string;
    readonly selectedOptions?: ArrayLike<{ readonly text: string }>;
    getAttribute(name: string): string | null;
  }
  interface Box {
    readonly scrollWidth: number;
    readonly clientWidth: number;
    readonly parentElement: Box | null;
    querySelectorAll(selector: string): ArrayLike<Field>;
  }
  interface PageGlobals {
    document: {
      documentElement: Box;
      createElement(tag: 'canvas'): {
        getContext(kind: '2d'): { font: string; measureText(text: string): { width: number } } | null;
      };
    };
    getComputedStyle(el: Field): {
      fontWeight: string;
      fontSize: string;
      fontFamily: string;
      paddingLeft: string;
      paddingRight: string;
    };
  }

  /** Name, table, type, order and poll rate cells of the register map whose text does not fit. */
  async function cutCells(map: Locator): Promise<string[]> {
    return map.evaluate((table: unknown) => {
      const g = globalThis as unknown as PageGlobals;
      const ctx = g.document.createElement('canvas').getContext('2d');
      if (!ctx) return ['no canvas to measure text with'];
      const out: string[] = [];
      for (const el of Array.from((table as Box).querySelectorAll('input, select'))) {
        const label = el.getAttribute('aria-label') ?? '';
        const poll = /^Tag \d+ poll rate/.test(label);
        if (!poll && !/^Tag \d+ (name|table|data type|order)$/.test(label)) continue;
        const cs = g.getComputedStyle(el);
        ctx.font = `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
        const select = el.tagName === 'SELECT';
        const text = select
          ? (el.selectedOptions?.[0]?.text ?? '')
          : poll && el.value === ''
            ? el.placeholder
            : el.value;
        // A select also needs room for its arrow (about 20 px in Chromium).
        const room = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) - (select ? 20 : 0);
        const need = ctx.measureText(text).width;
        if (need > room) out.push(`${label} "${text}": needs ${Math.ceil(need)} px, has ${Math.floor(room)} px`);
      }
      return out;
    });
  }

  test('name, table and type cells are readable at 1400 px; narrower, the map scrolls in its fieldset', async ({
    page,
    server,
  }, testInfo) => {
    await openApp(page, server);
    await openDevices(page);
    await deviceRow(page, demoModbus)
      .getByRole('button', { name: `Edit ${demoModbus}` })
      .click();
    const edit = page.getByRole('form', { name: /Edit device/ });
    const map = edit.getByRole('table', { name: 'Register map' });
    await expect(edit.getByLabel('Tag 1 name', { exact: true })).toBeVisible();
    // The demo map holds the long entries: a 26-character name, "Holding registers (4x)", a string's order.
    const names = await values(edit.getByRole('textbox', { name: /^Tag \d+ name$/ }));
    expect(names).toContain('Status: F-101 backflushing');
    const types = await values(edit.getByRole('combobox', { name: /^Tag \d+ data type$/ }));
    expect(types).toContain('string');

    // Every name, table, type and order shows its whole text (not "P-101 runnin", "Holding re", "floa").
    expect(await cutCells(map), 'register map cells that cut their text').toEqual([]);
    await page.screenshot({ path: testInfo.outputPath('register-map.png'), fullPage: true });
    await testInfo.attach('register-map.png', {
      path: testInfo.outputPath('register-map.png'),
      contentType: 'image/png',
    });
    // The controller rows at the end: a string, bits in a register, a word-swapped counter.
    await edit.getByLabel(`Tag ${names.length} name`, { exact: true }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: testInfo.outputPath('register-map-end.png') });
    await testInfo.attach('register-map-end.png', {
      path: testInfo.outputPath('register-map-end.png'),
      contentType: 'image/png',
    });

    // A narrow window: the cells keep their room and the map scrolls sideways inside its fieldset, not the page.
    await page.setViewportSize({ width: 1000, height: 800 });
    await expect
      .poll(() =>
        map.evaluate((t: unknown) => {
          const scroller = (t as Box).parentElement;
          return scroller !== null && scroller.scrollWidth > scroller.clientWidth;
        }),
      )
      .toBe(true);
    expect(await cutCells(map), 'register map cells that cut their text at 1000 px').toEqual([]);
    const pageWidth = await page.evaluate(
      () => (globalThis as unknown as PageGlobals).document.documentElement.scrollWidth,
    );
    expect(pageWidth, 'the page itself scrolls sideways').toBeLessThanOrEqual(1000);
    await page.screenshot({ path: testInfo.outputPath('register-map-narrow.png') });
    await testInfo.attach('register-map-narrow.png', {
      path: testInfo.outputPath('register-map-narrow.png'),
      contentType: 'image/png',
    });
  });
});
