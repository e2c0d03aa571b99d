import {
  app,
  Menu,
  nativeImage,
  Tray,
  type BrowserWindow,
  type MenuItemConstructorOptions,
  type NativeImage,
} from 'electron';
import type { AlarmsChanged } from '../contract/alarm-contract.js';
import type { AppStatus, CallName, CallOutput, UiSettings } from '../contract/contract.js';
import type { Router } from '../contract/router.js';
import type { SyncStatus } from '../contract/sync-contract.js';
import type { EventHub } from '../live/event-hub.js';
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

/**
 * The OS start-at-login entry (Windows and macOS; Electron has none on Linux, where the desktop's own
 * autostart folder is used). A login launch carries --minimised when the window should stay hidden.
 */
export const applyLoginItem = (s: DesktopSettings): void => {
  app.setLoginItemSettings({ openAtLogin: s.startAtLogin, args: s.startMinimised ? ['--minimised'] : [] });
};

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
  const item = (m: TrayMenuItem): MenuItemConstructorOptions => {
    switch (m.kind) {
      case 'separator':
        return { type: 'separator' };
      case 'info':
        return { label: m.label, enabled: false };
      case 'toggle':
        return { label: m.label, type: 'checkbox', checked: m.checked, click: () => void setToggle(m.id, !m.checked) };
      case 'action':
        return { label: m.label, click: m.id === 'open' ? () => showWindow(deps.window()) : () => deps.quit() };
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
        applyLoginItem(state.settings);
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
