import { expect, openApp, test } from './fixtures.js';

const demoUa = 'Demo pump skid (OPC UA)';

test.describe('OPC UA certificates', () => {
  test("the Certificates section shows the app's own certificate with its validity in local time", async ({
    page,
    server,
  }) => {
    await openApp(page, server);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
    await page.getByRole('button', { name: 'Certificates' }).click();
    const section = page.getByRole('region', { name: 'Certificates' });
    const own = section.getByRole('definition');
    await expect(section.getByLabel("This app's certificate")).toContainText(/CN=TwinEdge Desktop@/);
    await expect(own.filter({ hasText: /^urn:.+:TwinEdge:Desktop$/ })).toHaveCount(1);
    await expect(own.filter({ hasText: /^[0-9A-F]{40}$/ })).toHaveCount(1);
    // Validity with the zone (the test browser runs in Europe/Berlin).
    await expect(section.getByLabel("This app's certificate")).toContainText(
      /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (CET|CEST|GMT\+1|GMT\+2) to \d{4}/,
    );
    await expect(section.getByLabel("This app's certificate")).toContainText(server.dataDir);
    // The demo device uses security None: no server certificate was needed, none refused.
    await expect(section.getByRole('table', { name: 'Refused server certificates' })).toContainText('None');
  });

  test('switching the demo device to SignAndEncrypt: refused until its certificate is trusted, then connected', async ({
    page,
    server,
  }, testInfo) => {
    await openApp(page, server);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
    const devices = page.getByRole('table', { name: 'Devices' });
    const row = devices.getByRole('row').filter({ has: page.getByRole('rowheader', { name: demoUa, exact: true }) });
    await expect(row.getByText('connected', { exact: true })).toBeVisible({ timeout: 45_000 });

    // Discover the demo server's endpoints and pick the encrypted one.
    await page.getByRole('button', { name: `Edit ${demoUa}` }).click();
    await page.getByRole('button', { name: 'Discover endpoints' }).click();
    const endpoints = page.getByRole('table', { name: 'Endpoints of the server' });
    await expect(endpoints).toContainText('SignAndEncrypt');
    await expect(endpoints).toContainText('not trusted yet');
    await page.getByRole('button', { name: 'Use SignAndEncrypt Basic256Sha256' }).click();
    await expect(page.getByLabel('Security mode')).toHaveValue('SignAndEncrypt');
    await expect(page.getByLabel('Security policy')).toHaveValue('Basic256Sha256');
    await page.getByRole('button', { name: 'Save device' }).click();

    // No trust on first use: the device says why it does not connect.
    await expect(row).toContainText("the server's certificate is not trusted yet", { timeout: 45_000 });
    await expect(row).toContainText('Devices → Certificates');
    const thumbprint = /thumbprint ([0-9A-F]{40})/.exec((await row.innerText()) ?? '')?.[1];
    expect(thumbprint).toBeDefined();

    await page.getByRole('button', { name: 'Certificates' }).click();
    const refused = page.getByRole('table', { name: 'Refused server certificates' });
    await expect(refused).toContainText(thumbprint!);
    await refused.getByRole('button', { name: /^Trust / }).click();
    const dialog = page.getByRole('dialog', { name: 'Trust this server certificate?' });
    await expect(dialog).toContainText(thumbprint!);
    await dialog.getByRole('button', { name: 'Trust certificate' }).click();
    await expect(page.getByRole('table', { name: 'Trusted server certificates' })).toContainText(thumbprint!);

    // The running collector connects at its next attempt: no restart, no new save.
    await expect(row.getByText('connected', { exact: true })).toBeVisible({ timeout: 45_000 });
    await page.screenshot({ path: testInfo.outputPath('certificates.png'), fullPage: true });
    await testInfo.attach('certificates.png', {
      path: testInfo.outputPath('certificates.png'),
      contentType: 'image/png',
    });

    // Revoking the trust needs a confirmation too; the certificate goes back to the refused list.
    await page
      .getByRole('table', { name: 'Trusted server certificates' })
      .getByRole('button', { name: /^Revoke trust in / })
      .click();
    await page
      .getByRole('dialog', { name: 'Revoke trust in this certificate?' })
      .getByRole('button', { name: 'Revoke trust' })
      .click();
    await expect(refused).toContainText(thumbprint!);
  });
});
