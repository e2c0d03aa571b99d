import { expect, openApp, test } from './fixtures.js';

/** Settings → Data store check: SQLite's full integrity check on demand, with its result and time. */
test.describe('the data store check', () => {
  test('runs a full check from Settings and shows the result with its time', async ({ page, server }) => {
    await openApp(page, server);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Data store check', level: 3 })).toBeVisible();
    const result = page.getByRole('status', { name: 'Last data store check' });
    await page.getByRole('button', { name: 'Check the data store now' }).click();
    // Local time with the zone (the browser runs in Europe/Berlin).
    await expect(result).toHaveText(
      /^No damage found \(full integrity check, \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} (CET|CEST|GMT\+\d), took .+\)\.$/,
    );
    await expect(page.getByRole('button', { name: 'Check the data store now' })).toBeEnabled();
  });
});
