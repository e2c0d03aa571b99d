import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type ElectronRuntime = { ok: true; binary: string; version: string } | { ok: false; reason: string };

const locate = (electronDir: string): string | undefined => {
  const pathFile = join(electronDir, 'path.txt');
  const executable = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const binary = override
    ? join(override, executable ?? 'electron')
    : executable
      ? join(electronDir, 'dist', executable)
      : undefined;
  return binary && existsSync(binary) ? binary : undefined;
};

/**
 * Finds the Electron binary the `electron` package installed, downloading it once if it is missing.
 * Done by hand rather than by loading the electron package, which downloads with no time limit and throws a
 * message about deleting node_modules that would mislead an engineer on an offline network.
 */
export const findElectron = (projectRoot: string): ElectronRuntime => {
  const electronDir = join(projectRoot, 'node_modules', 'electron');
  if (!existsSync(join(electronDir, 'package.json'))) {
    return { ok: false, reason: 'the electron package is not installed (run npm install)' };
  }
  const { version } = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')) as { version: string };
  let binary = locate(electronDir);
  if (!binary) {
    const download = spawnSync(process.execPath, [join(electronDir, 'install.js')], {
      encoding: 'utf8',
      timeout: 5 * 60_000,
    });
    binary = locate(electronDir);
    if (!binary) {
      const why = /fetch failed|ENOTFOUND|ECONNREFUSED|EAI_AGAIN|ETIMEDOUT/.test(`${download.stderr}${download.stdout}`)
        ? 'its download is not reachable from this network'
        : 'its download failed';
      return { ok: false, reason: `the Electron ${version} runtime is not installed and ${why}` };
    }
  }
  return { ok: true, binary, version };
};
