import { BrowserWindow } from 'electron';
import { appOrigin } from './app-protocol.js';

/** The main window; with `hidden` (start minimised) it stays in the tray until opened from there. */
export const createMainWindow = (preloadPath: string, o: { hidden?: boolean } = {}): BrowserWindow => {
  const window = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    title: 'TwinEdge Desktop',
    show: false,
    backgroundColor: '#f4f6f8',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  if (!o.hidden) window.once('ready-to-show', () => window.show());
  void window.loadURL(`${appOrigin}/index.html`);
  return window;
};
