import { homedir } from 'node:os';
import { join } from 'node:path';

export const productName = 'TwinEdge Desktop';

/**
 * The same folder Electron's app.getPath('userData') gives, so the desktop app and browser mode on
 * one machine share one store.
 */
export const defaultDataDir = (): string => {
  const home = homedir();
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(home, 'AppData', 'Roaming'), productName);
  if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', productName);
  return join(process.env.XDG_CONFIG_HOME ?? join(home, '.config'), productName);
};
