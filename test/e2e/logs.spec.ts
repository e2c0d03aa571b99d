import type { Page } from '@playwright/test';
import { expect, openApp, test } from './fixtures.js';

/**
 * Settings → Logs: the service's own log, newest first, from its start on; filtered by level and text, with
 * the file's path shown and the recorded level changeable.
 */

const openLogs = async (page: Page): Promise<void> => {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings', exact: true }).click();
  await expect(page).toHaveURL(/#\/settings$/);
  await expect(page.getByRole('heading', { name: 'Settings', level: 2 })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Logs', level: 3 })).toBeVisible();
};

test.describe('the log view', () => {
  test('shows the lines since the start, filters by level and text, and changes the recorded level', async ({
    page,
    server,
  }) => {
    await openApp(page, server);
    await openLogs(page);

    await expect(page.getByLabel('Log file path')).toHaveText(/[\\/]logs[\\/]twinedge\.log$/);
    await expect(page.getByLabel('Log file path')).toContainText(server.dataDir);

    const table = page.getByRole('table', { name: 'Log lines' });
    const startLine = table.getByRole('row').filter({ hasText: 'TwinEdge Desktop' }).filter({ hasText: 'starting' });
    await expect(startLine).toHaveCount(1);
    await expect(startLine.getByRole('cell').nth(1)).toHaveText('INFO');
    // Local time with the zone (the browser runs in Europe/Berlin).
    await expect(startLine.getByRole('cell').first()).toHaveText(
      /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} (CET|CEST|GMT\+\d)$/,
    );
    await expect(table.getByRole('row').filter({ hasText: 'Demo plant running' })).toHaveCount(1);

    // Warnings and errors only: the start line goes, whatever is left is a warning or an error.
    await page.getByLabel('Show level').selectOption('warn');
    await expect(startLine).toHaveCount(0);
    const levels = await table.locator('tbody tr td:nth-child(2)').allTextContents();
    expect(levels.every((l) => l === 'WARN' || l === 'ERROR')).toBe(true);
    if (levels.length === 0) await expect(table).toContainText('No log lines match this level and search.');

    // Back to everything, then a search.
    await page.getByLabel('Show level').selectOption('debug');
    await expect(startLine).toHaveCount(1);
    await page.getByLabel('Search the log').fill('demo plant running');
    await expect(table.locator('tbody tr')).toHaveCount(1);
    await expect(table.locator('tbody tr')).toContainText('Demo plant running: OPC UA opc.tcp://');
    await page.getByLabel('Search the log').fill('no line says this 1f3a');
    await expect(table).toContainText('No log lines match this level and search.');
    await page.getByLabel('Search the log').fill('');
    await expect(startLine).toHaveCount(1);

    // The recorded level: debug from now on, and the change itself is in the log.
    await expect(page.getByLabel('Recorded log level')).toHaveValue('info');
    await page.getByLabel('Recorded log level').selectOption('debug');
    await expect(page.getByText('Recording at debug from now on.')).toBeVisible();
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect(table.getByRole('row').filter({ hasText: 'Log level changed from info to debug.' })).toHaveCount(1);

    // Auto-refresh picks up new lines without a click: another window changes the level, this one shows it.
    await page.getByLabel(/Auto-refresh/).check();
    const other = await page.context().newPage();
    await openApp(other, server);
    await openLogs(other);
    await other.getByLabel('Recorded log level').selectOption('warn');
    await expect(other.getByText('Recording at warn from now on.')).toBeVisible();
    await other.close();
    await expect(table.getByRole('row').filter({ hasText: 'Log level changed from debug to warn.' })).toHaveCount(1);
  });
});
