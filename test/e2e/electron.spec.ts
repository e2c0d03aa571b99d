import { _electron as electron, expect, test } from '@playwright/test';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from './fixtures.js';

/**
 * Where the Electron binary is, or null. `require('electron')` returns its path, but when the binary
 * is missing it tries to download it; so check the file named in electron/path.txt first and only
 * then ask require('electron').
 */
function electronBinary(): string | null {
  const require = createRequire(join(repoRoot, 'package.json'));
  let pkgDir: string;
  try {
    pkgDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return null;
  }
  const pathTxt = join(pkgDir, 'path.txt');
  if (!existsSync(pathTxt)) return null;
  const candidate = join(pkgDir, 'dist', readFileSync(pathTxt, 'utf8').trim());
  if (!existsSync(candidate)) return null;
  const fromRequire = require('electron') as unknown;
  return typeof fromRequire === 'string' && existsSync(fromRequire) ? fromRequire : null;
}

const binary = electronBinary();

test('desktop shell shows the same renderer with the preload bridge', async () => {
  test.skip(binary === null, 'Electron binary not installed on this machine');
  const main = join(repoRoot, 'dist', 'main', 'desktop.js');
  expect(existsSync(main), `${main} missing: run npm run build`).toBe(true);
  const dataDir = mkdtempSync(join(tmpdir(), 'twinedge-electron-'));
  const app = await electron.launch({
    executablePath: binary!,
    args: [main, '--data-dir', dataDir, '--no-sandbox'],
    cwd: repoRoot,
  });
  try {
    const window = await app.firstWindow();
    await expect(window.getByRole('navigation', { name: 'Main' })).toBeVisible();
    expect(await window.evaluate(() => typeof (window as unknown as { twinedge?: unknown }).twinedge)).toBe('object');
    await window.getByRole('link', { name: 'Devices' }).click();
    await expect(window.getByRole('table', { name: 'Devices' })).toBeVisible();
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
