import type { Locator, Page } from '@playwright/test';
import { DataType, Variant, VariantArrayType, type UAObject } from 'node-opcua';
import path from 'node:path';
import { startPlcServer, type PlcServer } from '../helpers/opcua-plc-server.js';
import { tempDir } from '../helpers/temp-dir.js';
import { expect, openApp, test } from './fixtures.js';

/**
 * Structures and arrays end to end, against the test PLC (test/fixtures/opcua-plc-space.ts) in this process: a
 * structured variable browsed as a tree of fields, two fields and an array element added as tags, then on the trend
 * and in the readout with the server's exact values; a String variable's text in the readout, not on the chart.
 */

const deviceName = 'Test PLC';
let plc: PlcServer;
const dir = tempDir('twinedge-e2e-plc-');

test.beforeAll(async () => {
  // Fixed values for exact checks (the dynamic ones change but are not looked at here).
  plc = await startPlcServer(path.join(dir.path, 'pki'), { mode: 'definition', updateMs: 0 });
  // An array longer than the tree lists (100 elements), element i = i / 2.
  const as = plc.server.engine.addressSpace!;
  const long = new Variant({
    dataType: DataType.Double,
    arrayType: VariantArrayType.Array,
    value: Float64Array.from({ length: 250 }, (_, i) => i / 2),
  });
  as.getOwnNamespace().addVariable({
    componentOf: as.findNode('ns=1;s=Plc.Arrays') as UAObject,
    browseName: 'Long',
    nodeId: 's=Plc.Arrays.Long',
    dataType: 'Double',
    valueRank: 1,
    value: { get: () => long },
  });
});
test.afterAll(async () => {
  await plc.stop();
  dir.remove();
});

async function openView(page: Page, name: 'Devices' | 'Trends'): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click();
}

/** Opens a folder or value row with the keyboard, as a tree is used without a mouse. */
async function expand(item: Locator): Promise<void> {
  await item.focus();
  await item.press('ArrowRight');
  await expect(item).toHaveAttribute('aria-expanded', 'true');
}

test('browse a structure, add two fields and an array element, see them on the trend and in the readout', async ({
  page,
  server,
}, testInfo) => {
  await openApp(page, server);
  await openView(page, 'Devices');
  await page.getByRole('button', { name: 'Add OPC UA device' }).click();
  const form = page.getByRole('form', { name: 'New OPC UA device' });
  await form.getByLabel('Device name', { exact: true }).fill(deviceName);
  await form.getByLabel('Endpoint URL', { exact: true }).fill(plc.endpointUrl);
  await form.getByRole('button', { name: 'Remove tag 1' }).click();
  await form.getByRole('button', { name: 'Save device' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Saved “${deviceName}” with 0 tags` })).toBeVisible();

  await page.getByRole('button', { name: `Browse ${deviceName}` }).click();
  const panel = page.getByRole('region', { name: `Address space of ${deviceName}` });
  const tree = panel.getByRole('tree', { name: `Address space of ${deviceName}` });
  const details = panel.getByRole('region', { name: 'Node details' });
  await expand(tree.getByRole('treeitem', { name: 'Plc, Object', exact: true }));
  await expand(tree.getByRole('treeitem', { name: 'Structs, Object', exact: true }));

  // The structure opens into its fields, read from the server's DataTypeDefinition; a nested one opens further.
  const pump1 = tree.getByRole('treeitem', { name: 'Pump1, Variable, Pump_t' });
  await expand(pump1);
  const speed = tree.getByRole('treeitem', { name: 'Speed, Field, Double' }).first();
  await expect(speed).toHaveAttribute('aria-level', String(Number(await pump1.getAttribute('aria-level')) + 1));
  await expect(tree.getByRole('treeitem', { name: 'Temperatures, Field, Double[3]' }).first()).toBeVisible();
  const motor = tree.getByRole('treeitem', { name: 'Motor, Field, Motor_t' }).first();
  await expand(motor);
  const current = tree.getByRole('treeitem', { name: 'Current, Field, Double' }).first();
  await current.click();
  await expect(details.getByRole('heading')).toHaveText('Pump1 › Motor.Current');
  await expect(details).toContainText('12.75');

  // Two fields, one by the keyboard (Space), one by its checkbox.
  await current.focus();
  await current.press(' ');
  await expect(tree.getByRole('checkbox', { name: 'Select Pump1.Motor.Current' })).toBeChecked();
  await tree.getByRole('checkbox', { name: 'Select Pump1.Speed' }).check();

  // An array offers its elements by IndexRange.
  await expand(tree.getByRole('treeitem', { name: 'Arrays, Object', exact: true }));
  await expand(tree.getByRole('treeitem', { name: 'Double, Variable, Double', exact: true }));
  await expect(tree.getByRole('treeitem', { name: /^\[\d\], Element, Double$/ })).toHaveCount(5);
  await tree.getByRole('checkbox', { name: 'Select Double[2]' }).check();
  // A matrix by "row,column".
  await expand(tree.getByRole('treeitem', { name: 'Matrix, Variable, Double', exact: true }));
  await tree.getByRole('treeitem', { name: '[1,2], Element, Double' }).click();
  await expect(details).toContainText('IndexRange 1,2');
  await expect(details.locator('dd.value')).toHaveText('12');

  // A long array: the first 100 elements, then a row to choose a range from.
  await expand(tree.getByRole('treeitem', { name: 'Long, Variable, Double', exact: true }));
  await expect(tree.getByRole('treeitem', { name: '[99], Element, Double' })).toBeVisible();
  await expect(tree.getByRole('treeitem', { name: '[100], Element, Double' })).toHaveCount(0);
  const range = tree.getByRole('textbox', { name: 'Elements of Long to list' });
  await expect(tree.getByRole('treeitem', { name: /^150 more elements/ })).toContainText('of 250');
  await range.fill('240:260');
  await range.press('Enter');
  await expect(
    tree.getByRole('treeitem', { name: /^\[\d+\], Element, Double$/ }).filter({ hasText: /\[2[45]\d\]/ }),
  ).toHaveCount(10);
  await expect(tree.getByRole('treeitem', { name: '[0], Element, Double' })).toHaveCount(1); // Double's; Long lists 240 on
  await tree.getByRole('treeitem', { name: '[245], Element, Double' }).click();
  await expect(details.locator('dd.value')).toHaveText('122.5');
  const long = tree.getByRole('treeitem', { name: 'Long, Variable, Double', exact: true });
  await long.focus();
  await long.press('ArrowLeft');

  // And a String variable, whose text goes to the readout (Arrays folded first: it has a String array too).
  const arrays = tree.getByRole('treeitem', { name: 'Arrays, Object', exact: true });
  await arrays.focus();
  await arrays.press('ArrowLeft');
  await expect(arrays).toHaveAttribute('aria-expanded', 'false');
  await expand(tree.getByRole('treeitem', { name: 'Scalars, Object', exact: true }));
  await tree.getByRole('checkbox', { name: 'Select String', exact: true }).check();

  await page.screenshot({ path: testInfo.outputPath('address-space-structures.png'), fullPage: true });
  await testInfo.attach('address-space-structures.png', {
    path: testInfo.outputPath('address-space-structures.png'),
    contentType: 'image/png',
  });
  await panel.getByRole('button', { name: 'Add 4 as tags' }).click();
  await expect(panel.getByRole('status')).toHaveText(
    `Added 4 tags to “${deviceName}”: Pump1.Motor.Current, Pump1.Speed, Double[2], String.`,
  );

  // The tag editor shows where each tag reads from.
  await panel.getByRole('button', { name: 'Close' }).click();
  await page.getByRole('button', { name: `Edit ${deviceName}` }).click();
  const edit = page.getByRole('form', { name: /Edit device/ });
  await expect(edit.getByLabel('Tag 1 name', { exact: true })).toHaveValue('Pump1.Motor.Current');
  await expect(edit.getByLabel('Tag 1 node id', { exact: true })).toHaveValue('ns=1;s=Plc.Structs.Pump1');
  await expect(edit.getByLabel('Tag 1 field', { exact: true })).toHaveValue('Motor.Current');
  await expect(edit.getByLabel('Tag 1 index range', { exact: true })).toHaveValue('');
  await expect(edit.getByLabel('Tag 3 node id', { exact: true })).toHaveValue('ns=1;s=Plc.Arrays.Double');
  await expect(edit.getByLabel('Tag 3 index range', { exact: true })).toHaveValue('2');
  await expect(edit.getByLabel('Tag 3 field', { exact: true })).toHaveValue('');
  await edit.getByRole('button', { name: 'Cancel' }).click();

  // Trends: the server's values exactly, quality Good; the text in the readout, not on the chart.
  await openView(page, 'Trends');
  const picker = page.getByRole('region', { name: 'Tags' });
  const readouts = page.getByRole('table', { name: 'Current values' });
  if ((await readouts.count()) > 0) await picker.getByRole('button', { name: 'Clear selection' }).click();
  const group = picker.getByRole('group', { name: deviceName });
  const expected: [string, string][] = [
    ['Pump1.Speed', '1450.5'],
    ['Pump1.Motor.Current', '12.75'],
    ['Double[2]', '3.5'],
    ['String', 'Pump station 4 — ready'],
  ];
  for (const [name] of expected) await group.getByRole('checkbox', { name, exact: true }).check();
  for (const [name, value] of expected) {
    const r = readouts.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
    await expect(r).toHaveCount(1);
    await expect(r.locator('td.value')).toHaveText(value, { timeout: 30_000 });
    await expect(r.getByRole('cell').nth(2)).toHaveText('Good');
  }
  await expect(page.getByRole('figure', { name: /Trend chart/ })).toHaveAccessibleName('Trend chart of 3 tags');
  const legend = page.getByRole('list', { name: 'Legend' });
  for (const [name] of expected.slice(0, 3)) await expect(legend).toContainText(name);
  await expect(legend).not.toContainText('String');
  await expect(page.getByText('String is text: its value is in the table below, not on the chart.')).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('trends-structures.png'), fullPage: true });
  await testInfo.attach('trends-structures.png', {
    path: testInfo.outputPath('trends-structures.png'),
    contentType: 'image/png',
  });
  await page.goto('about:blank');
});
