import { app, dialog, type BrowserWindow } from 'electron';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, type App } from '../app/create-app.js';
import { errorMessage } from '../app/errors.js';
import { createLogger, logCrashes, logFileOf } from '../log/logger.js';
import { secretRedactor } from '../log/redactor.js';
import { registerAppScheme, serveRenderer } from './app-protocol.js';
import { bridgeIpc } from './ipc-bridge.js';
import { electronSqliteBinding } from './native-binding.js';
import { hardenWebContents } from './security.js';
import { createMainWindow } from './window.js';

/**
 * The desktop shell: window, IPC transport and lifecycle only. Everything else is the shared core
 * (createApp), the same one browser mode serves.
 */
const distDir = fileURLToPath(new URL('..', import.meta.url));

if (!app.requestSingleInstanceLock()) {
  // Another window already collects into the same store: hand over to it.
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
  let unbridge: (() => void) | undefined;
  let stopped = false;

  app.on('second-instance', () => {
    if (window?.isMinimized()) window.restore();
    window?.focus();
  });

  app.on('window-all-closed', () => app.quit());

  // Graceful shutdown: collectors stopped, pending samples written, store closed, then quit.
  app.on('before-quit', (event) => {
    if (stopped || !core) return;
    event.preventDefault();
    unbridge?.();
    void core.stop().finally(() => {
      stopped = true;
      app.quit();
    });
  });

  app
    .whenReady()
    .then(async () => {
      hardenWebContents();
      serveRenderer(join(distDir, 'renderer'));
      const binding = electronSqliteBinding(app.isPackaged, app.getAppPath());
      core = await createApp({
        dataDir: app.getPath('userData'),
        logger,
        shell: 'desktop',
        version: app.getVersion(),
        ...(binding ? { nativeBinding: binding } : {}),
      });
      window = createMainWindow(join(distDir, 'preload', 'preload.cjs'));
      unbridge = bridgeIpc(core.router, core.events, window);
    })
    .catch((err: unknown) => {
      logger.error(`TwinEdge Desktop could not start: ${errorMessage(err)}`);
      dialog.showErrorBox('TwinEdge Desktop could not start', secretRedactor.redact(errorMessage(err)));
      stopped = true;
      app.quit();
    });
}
