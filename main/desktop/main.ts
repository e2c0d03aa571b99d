import { app, dialog, powerMonitor, type BrowserWindow } from 'electron';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, type App } from '../app/create-app.js';
import { errorMessage } from '../domain/errors/app-error.js';
import type { CallOutput } from '../contract/contract.js';
import { createLogger, logCrashes, logFileOf } from '../log/logger.js';
import { secretRedactor } from '../log/redactor.js';
import { registerAppScheme, serveRenderer } from './app-protocol.js';
import { bridgeIpc } from './ipc-bridge.js';
import { electronSqliteBinding } from './native-binding.js';
import { hardenWebContents } from './security.js';
import {
  applyLoginItem,
  installTray,
  keepInTray,
  loginItemRemovedOutside,
  showWindow,
  type DesktopTray,
} from './tray.js';
import { startHidden } from './tray-model.js';
import { createMainWindow } from './window.js';

/**
 * The desktop shell: window, tray, IPC transport and lifecycle only. Everything else is the shared core
 * (createApp), the same one browser mode serves.
 */
const distDir = fileURLToPath(new URL('..', import.meta.url));

/** An Electron event whose default can be prevented (checked: the typings do not always declare one). */
const isPreventable = (e: unknown): e is { preventDefault(): void } =>
  typeof (e as { preventDefault?: unknown } | null)?.preventDefault === 'function';

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
      // Linux and macOS announce a shutdown: preventDefault asks the OS to wait (logind takes a delay lock) while
      // the app stops cleanly (collectors, sessions, samples, store), so it must quit right away. The typings
      // give the listener no event (electron/electron#44594); Electron passes one, hence the rest parameter.
      powerMonitor.on('shutdown', (...args: unknown[]) => {
        if (isPreventable(args[0])) args[0].preventDefault();
        logger.info('The OS is shutting down: stopping cleanly.');
        app.quit();
      });
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
      // A Linux autostart entry removed outside the app turns the setting off rather than being written back (tray.ts).
      if (settings && loginItemRemovedOutside(settings)) {
        logger.info('Start at login: the autostart entry was removed outside TwinEdge, so the setting is now off.');
        await core.router.invoke('settings.update', { startAtLogin: false });
      } else if (settings) applyLoginItem(settings, logger);
      window = createMainWindow(join(distDir, 'preload', 'preload.cjs'), { hidden });
      // Windows ends the session (log off, shut down): start the same clean stop; the process may be killed soon
      // after, and the core has no synchronous flush (samples are written every tick, so little is pending).
      // query-session-end is left alone: another app may still cancel the shutdown, and quitting then would
      // silently stop collecting.
      window.on('session-end', (event) => {
        logger.info(`Windows is ending the session (${event.reasons.join(', ')}): stopping cleanly.`);
        app.quit();
      });
      unbridge = bridgeIpc(core.router, core.events, window);
      tray = installTray({
        router: core.router,
        events: core.events,
        window: () => window,
        quit: () => app.quit(),
        log: logger,
      });
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
