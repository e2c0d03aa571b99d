import type { Locator, Page } from '@playwright/test';
import { expect } from './fixtures.js';

/** Steps the Devices specs share: open the view, start a new OPC UA device on the demo plant's server. */

export async function openDevices(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
  await expect(page.getByRole('heading', { name: 'Devices' })).toBeVisible();
}

/** Opens the new OPC UA device form with this name and the demo server's endpoint filled in; returns the form. */
export async function newDemoOpcUaDevice(page: Page, name: string): Promise<Locator> {
  const endpoint = (await page.getByLabel('Demo plant').locator('code').first().innerText()).trim();
  expect(endpoint).toMatch(/^opc\.tcp:\/\/127\.0\.0\.1:\d+$/);
  await page.getByRole('button', { name: 'Add OPC UA device' }).click();
  const form = page.getByRole('form', { name: 'New OPC UA device' });
  await form.getByLabel('Device name', { exact: true }).fill(name);
  await form.getByLabel('Endpoint URL', { exact: true }).fill(endpoint);
  return form;
}
