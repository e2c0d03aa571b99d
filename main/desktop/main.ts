import { app, dialog, powerMonitor, type BrowserWindow } from 'electron';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, type App } from '../app/create-app.js';
import { errorMessage } from '../app/errors.js';
import type { CallOutput } from '../contract/contract.js';
import { createLogger, logCrashes, logFileOf } from '../log/logger.js';
import { secretRedactor } from '../log/redactor.js';
import { registerAppScheme, serveRenderer } from './app-protocol.js';
import { bridgeIpc } from './ipc-bridge.js';
import { electronSqliteBinding } from './native-binding.js';
import { hardenWebContents } from './security.js';
import { applyLoginItem, installTray, keepInTray, showWindow, type DesktopTray } from './tray.js';
import { startHidden } from './tray-model.js';
import { createMainWindow } from './window.js';

/**
 * The desktop shell: window, tray, IPC transport and lifecycle only. Everything else is the shared core
 * (createApp), the same one browser mode serves.
 */
const distDir = fileURLToPath(new URL('..', import.meta.url));

if (!app.requestSingleInstanceLock()) {
  // Another window already collects into the same store: hand over to it (it comes to the front).
  app.quit();
} else {
  registerAppScheme();
  const logger = createLogger({ file: logFileOf(app.getPath('userData')), console: !app.isPackaged });
  // A crash is logged (redacted) and said in a dialog (redacted too) before the app ends.
  logCrashes(
    logger,
    (text) => {
      dialog.showErrorBox('TwinEdge Desktop stopped after an unexpected error', text.slice(0, 2000));
      app.exit(1);
    },
    { fatalRejections: false },
  );
  let core: App | undefined;
  let window: BrowserWindow | undefined;
  let tray: DesktopTray | undefined;
  let unbridge: (() => void) | undefined;
  let quitting = false;
  let stopped = false;

  app.on('second-instance', () => showWindow(window));

  app.on('window-all-closed', () => app.quit());

  // Graceful shutdown: collectors stopped, sessions closed, pending samples written, store closed, then quit.
  app.on('before-quit', (event) => {
    quitting = true;
    if (stopped || !core) return;
    event.preventDefault();
    unbridge?.();
    tray?.destroy();
    void core.stop().finally(() => {
      stopped = true;
      app.quit();
    });
  });
  // A service manager or the OS ending the session: the same clean stop.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => app.quit());

  app
    .whenReady()
    .then(async () => {
      hardenWebContents();
      serveRenderer(join(distDir, 'renderer'));
      // Linux and macOS announce a shutdown: stop cleanly (collectors, sessions, samples, store) right away.
      powerMonitor.on('shutdown', () => app.quit());
      const binding = electronSqliteBinding(app.isPackaged, app.getAppPath());
      core = await createApp({
        dataDir: app.getPath('userData'),
        logger,
        shell: 'desktop',
        version: app.getVersion(),
        ...(binding ? { nativeBinding: binding } : {}),
      });
      const settingsResult = await core.router.invoke('settings.get', {});
      const settings = settingsResult.ok ? (settingsResult.value as CallOutput<'settings.get'>) : null;
      const hidden = settings !== null && startHidden({ settings, argv: process.argv });
      if (settings) applyLoginItem(settings);
      window = createMainWindow(join(distDir, 'preload', 'preload.cjs'), { hidden });
      unbridge = bridgeIpc(core.router, core.events, window);
      tray = installTray({ router: core.router, events: core.events, window: () => window, quit: () => app.quit() });
      keepInTray(window, { closeToTray: () => tray?.settings()?.closeToTray ?? false, quitting: () => quitting });
      await tray.refresh();
    })
    .catch((err: unknown) => {
      logger.error(`TwinEdge Desktop could not start: ${errorMessage(err)}`);
      dialog.showErrorBox('TwinEdge Desktop could not start', secretRedactor.redact(errorMessage(err)));
      stopped = true;
      app.quit();
    });
}
