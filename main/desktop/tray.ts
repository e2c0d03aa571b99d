import {
  app,
  Menu,
  nativeImage,
  Tray,
  type BrowserWindow,
  type MenuItemConstructorOptions,
  type NativeImage,
} from 'electron';
import type { AlarmsChanged } from '../domain/alarm/alarms-changed.js';
import type { AppStatus } from '../domain/app/app-status.js';
import type { CallName } from '../contract/wire.js';
import type { CallOutput } from '../contract/contract.js';
import type { UiSettings } from '../domain/app/ui-settings.js';
import type { Router } from '../contract/router.js';
import type { SyncStatus } from '../domain/sync/sync-status.js';
import type { EventHub } from '../app/event-hub.js';
import type { Logger } from '../log/logger.js';
import {
  AUTOSTART_FILE,
  autostartEnabled,
  autostartPath,
  desktopEntryText,
  launchCommand,
  removeAutostart,
  writeAutostart,
} from './linux-autostart.js';
import { trayIconPng } from './tray-icon.js';
import { trayModel, type DesktopToggle, type TrayIconState, type TrayInput, type TrayMenuItem } from './tray-model.js';

type DesktopSettings = Pick<UiSettings, DesktopToggle>;

/** Brings the window to the front, from the tray, a second launch or a hidden start. */
export const showWindow = (window: BrowserWindow | undefined): void => {
  if (!window || window.isDestroyed()) return;
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
};

/** Closing the window hides it while close-to-tray is on, unless the app is quitting. */
export const keepInTray = (window: BrowserWindow, o: { closeToTray: () => boolean; quitting: () => boolean }): void => {
  window.on('close', (event) => {
    if (o.quitting() || !o.closeToTray()) return;
    event.preventDefault();
    window.hide();
  });
};

/** The autostart entry on Linux: this same app, with --minimised when the window should stay hidden. */
const linuxEntry = (s: DesktopSettings): string =>
  desktopEntryText({
    name: app.getName(),
    comment: 'Collects OPC UA / Modbus plant data from login',
    argv: launchCommand({
      execPath: process.execPath,
      appImage: process.env.APPIMAGE,
      appPath: app.isPackaged ? undefined : app.getAppPath(),
      minimised: s.startMinimised,
    }),
    // The deb package installs the icon under the executable's name; an AppImage or a dev run has none.
    icon: app.isPackaged && !process.env.APPIMAGE ? AUTOSTART_FILE.replace(/\.desktop$/, '') : undefined,
  });

/**
 * The OS start-at-login entry: Electron's login item on Windows and macOS; on Linux, where Electron has none,
 * the desktop's autostart folder. A login launch carries --minimised when the window should stay hidden.
 * A failure (read-only home) is logged and the app runs on.
 */
export const applyLoginItem = (s: DesktopSettings, log?: Logger): void => {
  if (process.platform !== 'linux') {
    app.setLoginItemSettings({ openAtLogin: s.startAtLogin, args: s.startMinimised ? ['--minimised'] : [] });
    return;
  }
  const path = autostartPath(process.env);
  const r = s.startAtLogin ? writeAutostart(path, linuxEntry(s)) : removeAutostart(path);
  if (!r.ok) log?.warn(r.message);
  else if (r.changed) log?.info(`Start at login ${s.startAtLogin ? 'set in' : 'removed from'} ${path}.`);
};

/**
 * True when start at login is on but its Linux autostart file was deleted or switched off outside the app
 * (by hand or with the desktop's Startup Applications tool). The setting then follows the desktop (off)
 * rather than writing the file back: an engineer who removed it there expects it to stay removed, and the
 * tray shows the truth so one click turns it on again.
 */
export const loginItemRemovedOutside = (s: DesktopSettings): boolean =>
  process.platform === 'linux' && s.startAtLogin && !autostartEnabled(autostartPath(process.env));

const call = async <K extends CallName>(
  router: Router,
  name: K,
  input: unknown = {},
): Promise<CallOutput<K> | null> => {
  const r = await router.invoke(name, input);
  return r.ok ? (r.value as CallOutput<K>) : null;
};

export interface DesktopTray {
  /** The desktop settings as last read or changed (close-to-tray is asked on every close). */
  settings(): DesktopSettings | null;
  /** Reads status, sync, alarms and settings again (all at once) and redraws. */
  refresh(): Promise<void>;
  destroy(): void;
}

/**
 * The tray icon: state colour, tooltip and a menu of status lines, the desktop toggles and quick actions.
 * Everything it shows comes from tray-model.ts; this only wires Electron's Tray and Menu to the core.
 */
export const installTray = (deps: {
  router: Router;
  events: EventHub;
  window: () => BrowserWindow | undefined;
  quit: () => void;
  log?: Logger;
}): DesktopTray => {
  const state: TrayInput = { status: null, sync: null, alarms: null, settings: null };
  const images = new Map<TrayIconState, NativeImage>();
  const image = (s: TrayIconState): NativeImage => {
    let img = images.get(s);
    if (!img) {
      img = nativeImage.createFromBuffer(trayIconPng(s), { scaleFactor: 2 });
      images.set(s, img);
    }
    return img;
  };
  const tray = new Tray(image('ok'));
  let shown = '';
  let icon: TrayIconState = 'ok';

  const setToggle = async (id: DesktopToggle, value: boolean): Promise<void> => {
    // The core answers with a settings.changed event: the menu and the login item follow from there.
    await call(deps.router, 'settings.update', { [id]: value });
  };
  const act = (id: Extract<TrayMenuItem, { kind: 'action' }>['id']): void => {
    if (id === 'open') showWindow(deps.window());
    else if (id === 'quit') deps.quit();
    else {
      // The core answers with a sync.changed event: the menu follows from there. A refusal is not silent.
      const paused = id === 'pauseSync';
      void deps.router.invoke('sync.setPaused', { paused }).then((r) => {
        if (!r.ok) deps.log?.warn(`Tray: cloud sync could not be ${paused ? 'paused' : 'resumed'}: ${r.error.message}`);
      });
    }
  };
  const item = (m: TrayMenuItem): MenuItemConstructorOptions => {
    switch (m.kind) {
      case 'separator':
        return { type: 'separator' };
      case 'info':
        return { label: m.label, enabled: false };
      case 'toggle':
        return { label: m.label, type: 'checkbox', checked: m.checked, click: () => void setToggle(m.id, !m.checked) };
      case 'action':
        return { label: m.label, click: () => act(m.id) };
    }
  };
  function render(): void {
    const model = trayModel(state);
    const key = JSON.stringify(model);
    if (key === shown || tray.isDestroyed()) return;
    shown = key;
    if (model.icon !== icon) {
      icon = model.icon;
      tray.setImage(image(icon));
    }
    tray.setToolTip(model.tooltip);
    tray.setContextMenu(Menu.buildFromTemplate(model.menu.map(item)));
  }

  tray.on('click', () => showWindow(deps.window()));
  const unsubscribe = deps.events.subscribe((name, payload) => {
    if (name === 'status.changed') state.status = payload as AppStatus;
    else if (name === 'sync.changed') state.sync = payload as SyncStatus;
    else if (name === 'alarms.changed') state.alarms = (payload as AlarmsChanged).counts;
    else if (name === 'settings.changed') {
      const s = payload as UiSettings;
      const before = state.settings;
      state.settings = { startAtLogin: s.startAtLogin, startMinimised: s.startMinimised, closeToTray: s.closeToTray };
      if (before?.startAtLogin !== s.startAtLogin || before.startMinimised !== s.startMinimised)
        applyLoginItem(state.settings, deps.log);
    } else return;
    render();
  });
  render();

  return {
    settings: () => state.settings,
    refresh: async () => {
      const [status, sync, alarms, settings] = await Promise.all([
        call(deps.router, 'status.get'),
        call(deps.router, 'sync.status'),
        call(deps.router, 'alarms.counts'),
        call(deps.router, 'settings.get'),
      ]);
      Object.assign(state, { status, sync, alarms, settings });
      render();
    },
    destroy: () => {
      unsubscribe();
      if (!tray.isDestroyed()) tray.destroy();
    },
  };
};
