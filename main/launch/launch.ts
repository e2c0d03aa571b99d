import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { findElectron } from './electron-runtime.js';
import { packagedBindingSource, prepareElectronSqlite } from './electron-native.js';

/**
 * `npm start`: the desktop app where the Electron runtime exists, otherwise browser mode with one
 * plain line saying why. Arguments after `--` go to browser mode (e.g. --port, --data-dir).
 */
const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

const runChild = (cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): void => {
  const child = spawn(cmd, args, { stdio: 'inherit', env });
  const forward = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 1 : 0);
  });
};

const startBrowserMode = (reason: string): void => {
  console.log(`TwinEdge: ${reason}, so starting browser mode instead (open the URL below).`);
  runChild(process.execPath, [join(projectRoot, 'dist', 'main', 'serve.js'), ...process.argv.slice(2)]);
};

/** `--prepare-native` (npm run package): build the Electron binding where electron-builder.yml picks it up. */
const prepareForPackaging = (): void => {
  const electron = findElectron(projectRoot);
  const native = electron.ok ? prepareElectronSqlite(projectRoot, electron.binary, electron.version) : electron;
  if (!native.ok) {
    console.error(`TwinEdge: cannot package: ${native.reason}.`);
    process.exitCode = 1;
    return;
  }
  const target = packagedBindingSource(projectRoot);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(native.path, target);
};

const start = (): void => {
  const electron =
    process.env.TWINEDGE_BROWSER_MODE === '1'
      ? { ok: false as const, reason: 'TWINEDGE_BROWSER_MODE=1 is set' }
      : findElectron(projectRoot);
  if (!electron.ok) {
    startBrowserMode(electron.reason);
    return;
  }
  const native = prepareElectronSqlite(projectRoot, electron.binary, electron.version);
  if (!native.ok) {
    startBrowserMode(`the data store could not be built for Electron ${electron.version} (${native.reason})`);
    return;
  }
  runChild(electron.binary, [projectRoot], { ...process.env, TWINEDGE_SQLITE_BINDING: native.path });
};

if (process.argv.includes('--prepare-native')) prepareForPackaging();
else start();
