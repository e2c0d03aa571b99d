import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { findElectron } from './electron-runtime.js';
import { prepareElectronSqlite } from './electron-native.js';

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

const electron =
  process.env.TWINEDGE_BROWSER_MODE === '1'
    ? { ok: false as const, reason: 'TWINEDGE_BROWSER_MODE=1 is set' }
    : findElectron(projectRoot);
if (!electron.ok) {
  startBrowserMode(electron.reason);
} else {
  const native = prepareElectronSqlite(projectRoot, electron.binary, electron.version);
  if (!native.ok) {
    startBrowserMode(`the data store could not be built for Electron ${electron.version} (${native.reason})`);
  } else {
    runChild(electron.binary, [projectRoot], { ...process.env, TWINEDGE_SQLITE_BINDING: native.path });
  }
}
