import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests drive the renderer in Debian's Chromium against the app's browser mode
 * (`node dist/main/serve.js`), started per test with a fresh data dir (see e2e/fixtures.ts).
 * Run `npm run build` first. Never `playwright install`: the browser is /usr/bin/chromium.
 */
export default defineConfig({
  testDir: './e2e',
  outputDir: './test-results',
  timeout: 90_000,
  expect: { timeout: 15_000 },
  // Each test starts its own service with a demo plant on loopback: one at a time.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  reporter: [['list'], ['html', { outputFolder: '../playwright-report', open: 'never' }]],
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1400, height: 900 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    timezoneId: 'Europe/Berlin',
    locale: 'en-GB',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
});
