import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { electronBindingPath } from '../launch/electron-native.js';

/**
 * better-sqlite3 compiled for Electron's ABI lives apart from node_modules/better-sqlite3/build (which
 * stays a Node build for tests and browser mode): in the app's resources when packaged, in
 * node_modules/.cache during development (prepared by `npm start`).
 */
export const electronSqliteBinding = (packaged: boolean, appPath: string): string | undefined => {
  const fromEnv = process.env.TWINEDGE_SQLITE_BINDING;
  const candidate = fromEnv
    ? fromEnv
    : packaged
      ? join(process.resourcesPath, 'native', 'better_sqlite3.node')
      : electronBindingPath(appPath, process.versions.modules);
  return existsSync(candidate) ? candidate : undefined;
};
