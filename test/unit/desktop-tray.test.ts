import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { UiSettings } from '../../main/domain/app/ui-settings.js';
import type { WireResult } from '../../main/contract/wire.js';
import type { Router } from '../../main/contract/router.js';
import { EventHub } from '../../main/app/event-hub.js';

/**
 * The tray and window life with `electron` stood in (the binary cannot run here): what the shell asks of
 * Tray, Menu, nativeImage, the login item and the window. The model itself is tested in tray-model.test.ts.
 */
interface MenuItem {
  label?: string;
  type?: string;
  checked?: boolean;
  enabled?: boolean;
  click?: () => void;
}
const fake = vi.hoisted(() => ({
  trays: [] as {
    image: unknown;
    tooltip: string;
    menu: MenuItem[];
    destroyed: boolean;
    handlers: Map<string, () => void>;
  }[],
  loginItems: [] as unknown[],
}));

vi.mock('electron', () => {
  class Tray {
    readonly record = {
      image: undefined as unknown,
      tooltip: '',
      menu: [] as MenuItem[],
      destroyed: false,
      handlers: new Map<string, () => void>(),
    };
    constructor(image: unknown) {
      this.record.image = image;
      fake.trays.push(this.record);
    }
    setImage(image: unknown): void {
      this.record.image = image;
    }
    setToolTip(text: string): void {
      this.record.tooltip = text;
    }
    setContextMenu(menu: { items: MenuItem[] }): void {
      this.record.menu = menu.items;
    }
    on(event: string, fn: () => void): void {
      this.record.handlers.set(event, fn);
    }
    isDestroyed(): boolean {
      return this.record.destroyed;
    }
    destroy(): void {
      this.record.destroyed = true;
    }
  }
  return {
    Tray,
    Menu: { buildFromTemplate: (items: MenuItem[]) => ({ items }) },
    nativeImage: { createFromBuffer: (buf: Buffer) => ({ png: buf }) },
    app: {
      setLoginItemSettings: (s: unknown) => fake.loginItems.push(s),
      getName: () => 'TwinEdge Desktop',
      isPackaged: true,
      getAppPath: () => '/nonexistent/app.asar',
    },
  };
});

const { installTray, keepInTray, loginItemRemovedOutside, showWindow } = await import('../../main/desktop/tray.js');

/** The login item differs by OS: each test says which one it runs as (Linux writes the autostart file). */
const realPlatform = process.platform;
const runAs = (platform: NodeJS.Platform): void => {
  Object.defineProperty(process, 'platform', { value: platform, configurable: true });
};

/** A window that records what is asked of it. */
class FakeWindow extends EventEmitter {
  calls: string[] = [];
  minimized = false;
  isDestroyed = (): boolean => false;
  isMinimized = (): boolean => this.minimized;
  restore = (): void => void this.calls.push('restore');
  show = (): void => void this.calls.push('show');
  focus = (): void => void this.calls.push('focus');
  hide = (): void => void this.calls.push('hide');
}

const settings: UiSettings = {
  trendTagIds: [],
  trendWindowMinutes: 10,
  demoPlant: false,
  startAtLogin: false,
  startMinimised: false,
  closeToTray: false,
  introDismissed: false,
};

describe('desktop tray and window life (electron stood in)', () => {
  let events: EventHub;
  let stored: UiSettings;
  let router: Router;
  let configHome: string;
  let syncStatus: { state: string; paused: boolean; backlog: { samples: number } };
  let refusePause: boolean;
  beforeEach(() => {
    syncStatus = { state: 'online', paused: false, backlog: { samples: 0 } };
    refusePause = false;
    configHome = mkdtempSync(join(tmpdir(), 'twinedge-tray-'));
    vi.stubEnv('XDG_CONFIG_HOME', configHome);
    vi.stubEnv('APPIMAGE', '');
    runAs('win32');
    fake.trays.length = 0;
    fake.loginItems.length = 0;
    events = new EventHub();
    stored = { ...settings };
    const ok = (value: unknown): Promise<WireResult<unknown>> => Promise.resolve({ ok: true, value });
    router = {
      invoke: (name, input) => {
        if (name === 'settings.get') return ok(stored);
        if (name === 'settings.update') {
          stored = { ...stored, ...(input as Partial<UiSettings>) };
          events.emit('settings.changed', stored);
          return ok(stored);
        }
        if (name === 'sync.status') return ok(syncStatus);
        if (name === 'sync.setPaused') {
          const { paused } = input as { paused: boolean };
          if (refusePause) return Promise.resolve({ ok: false, error: { code: 'unavailable', message: 'store busy' } });
          syncStatus = { ...syncStatus, paused, state: paused ? 'paused' : 'online' };
          events.emit('sync.changed', syncStatus as never);
          return ok(syncStatus);
        }
        if (name === 'alarms.counts')
          return ok({ bySeverity: { critical: 1, warning: 0, info: 0 }, unacknowledged: 1, shelved: 0 });
        return Promise.resolve({ ok: false, error: { code: 'store_unavailable', message: 'no store' } });
      },
    };
  });

  afterEach(() => {
    runAs(realPlatform);
    vi.unstubAllEnvs();
    rmSync(configHome, { recursive: true, force: true });
  });

  const start = (
    window: FakeWindow,
    quit = vi.fn(),
    log = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() },
  ) => installTray({ router, events, window: () => window as never, quit, log });
  const item = (label: string): MenuItem => {
    const found = fake.trays[0]?.menu.find((m) => m.label === label);
    if (!found) throw new Error(`no menu item "${label}"`);
    return found;
  };

  it('shows the state from the core and follows its events', async () => {
    const tray = start(new FakeWindow());
    await tray.refresh();
    const t = fake.trays[0];
    expect(t?.tooltip).toContain('1 active alarm (1 critical)');
    expect(item('1 active alarm (1 critical)').enabled).toBe(false);
    const redIcon = t?.image;
    events.emit('alarms.changed', {
      counts: { bySeverity: { critical: 0, warning: 0, info: 0 }, unacknowledged: 0, shelved: 0 },
      raised: [],
    } as never);
    expect(t?.tooltip).toContain('No active alarms');
    expect(t?.image).not.toBe(redIcon);
    events.emit('status.changed', {
      devices: [{ deviceId: 1, state: 'error', message: 'refused', since: 0, samples: 0, requestsPerCycle: null }],
      samplesPerSecond: 0,
      samplesLost: null,
      storeBytes: 0,
      storeError: null,
      configError: null,
      at: 0,
    });
    expect(item('0 of 1 device ok, 1 in error')).toBeDefined();
    tray.destroy();
    expect(t?.destroyed).toBe(true);
  });

  it('Windows and macOS: the toggles save the settings, and start at login / minimised reach the OS login item', async () => {
    const tray = start(new FakeWindow());
    await tray.refresh();
    item('Start at login').click?.();
    await vi.waitFor(() => expect(item('Start at login').checked).toBe(true));
    expect(stored.startAtLogin).toBe(true);
    expect(fake.loginItems.at(-1)).toEqual({ openAtLogin: true, args: [] });
    item('Start minimised').click?.();
    await vi.waitFor(() => expect(fake.loginItems.at(-1)).toEqual({ openAtLogin: true, args: ['--minimised'] }));
    const logins = fake.loginItems.length;
    item('Keep running in the tray when closed').click?.();
    await vi.waitFor(() => expect(tray.settings()?.closeToTray).toBe(true));
    expect(fake.loginItems.length).toBe(logins);
  });

  it('Linux: start at login writes the XDG autostart entry (with --minimised when asked) and removes it', async () => {
    runAs('linux');
    const file = join(configHome, 'autostart', 'twinedge-desktop.desktop');
    const exec = (): string | undefined => /^Exec=(.*)$/m.exec(readFileSync(file, 'utf8'))?.[1];
    const tray = start(new FakeWindow());
    await tray.refresh();
    expect(existsSync(file)).toBe(false);
    item('Start at login').click?.();
    await vi.waitFor(() => expect(existsSync(file)).toBe(true));
    expect(fake.loginItems).toEqual([]);
    expect(exec()).toBe(process.execPath.includes(' ') ? `"${process.execPath}"` : process.execPath);
    // A packaged deb install has its themed icon; the entry names it.
    expect(readFileSync(file, 'utf8')).toMatch(/^Icon=twinedge-desktop$/m);
    expect(loginItemRemovedOutside(stored)).toBe(false);
    item('Start minimised').click?.();
    await vi.waitFor(() => expect(exec()).toMatch(/ --minimised$/));
    item('Start at login').click?.();
    await vi.waitFor(() => expect(existsSync(file)).toBe(false));
    expect(fake.loginItems).toEqual([]);
  });

  it('Linux: an AppImage entry starts the AppImage file, without an icon it cannot point at', async () => {
    runAs('linux');
    vi.stubEnv('APPIMAGE', '/home/eng/Apps/TwinEdge Desktop.AppImage');
    const file = join(configHome, 'autostart', 'twinedge-desktop.desktop');
    const tray = start(new FakeWindow());
    await tray.refresh();
    item('Start at login').click?.();
    await vi.waitFor(() => expect(existsSync(file)).toBe(true));
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^Exec="\/home\/eng\/Apps\/TwinEdge Desktop\.AppImage"$/m);
    expect(text).not.toMatch(/^Icon=/m);
  });

  it('Linux: an unwritable config folder is logged in plain words and the app runs on', async () => {
    runAs('linux');
    vi.stubEnv('XDG_CONFIG_HOME', join(configHome, 'blocked'));
    writeFileSync(join(configHome, 'blocked'), 'a file where the folder should be');
    const log = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const tray = start(new FakeWindow(), vi.fn(), log);
    await tray.refresh();
    item('Start at login').click?.();
    await vi.waitFor(() => expect(log.warn).toHaveBeenCalledOnce());
    expect(log.warn.mock.calls[0]?.[0]).toMatch(/^Start at login could not be turned on: .* not written \(/);
    expect(item('Start at login').checked).toBe(true);
  });

  it('Linux: start at login counts as removed once its file is gone or switched off outside the app', () => {
    const on = { startAtLogin: true, startMinimised: false, closeToTray: false };
    runAs('linux');
    expect(loginItemRemovedOutside(on)).toBe(true);
    expect(loginItemRemovedOutside({ ...on, startAtLogin: false })).toBe(false);
    runAs('win32');
    expect(loginItemRemovedOutside(on)).toBe(false);
  });

  it('pauses and resumes cloud sync from the menu, and says so in the log when the core refuses', async () => {
    const log = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    await start(new FakeWindow(), vi.fn(), log).refresh();
    expect(fake.trays[0]?.tooltip).toContain('Cloud sync online');
    item('Pause cloud sync (keep buffering)').click?.();
    await vi.waitFor(() => expect(item('Resume cloud sync')).toBeDefined());
    expect(syncStatus.paused).toBe(true);
    expect(fake.trays[0]?.tooltip).toContain('Cloud sync paused');
    refusePause = true;
    item('Resume cloud sync').click?.();
    await vi.waitFor(() => expect(log.warn).toHaveBeenCalledWith('Tray: cloud sync could not be resumed: store busy'));
    expect(syncStatus.paused).toBe(true);
    expect(item('Resume cloud sync')).toBeDefined();
  });

  it('Open shows and focuses the window (restored if minimised); a click on the icon too; Quit quits', async () => {
    const window = new FakeWindow();
    window.minimized = true;
    const quit = vi.fn();
    await start(window, quit).refresh();
    item('Open TwinEdge').click?.();
    expect(window.calls).toEqual(['restore', 'show', 'focus']);
    fake.trays[0]?.handlers.get('click')?.();
    expect(window.calls.slice(3)).toEqual(['restore', 'show', 'focus']);
    item('Quit TwinEdge').click?.();
    expect(quit).toHaveBeenCalledOnce();
  });

  it('closing hides the window while close-to-tray is on, and closes it when quitting or off', () => {
    const window = new FakeWindow();
    let closeToTray = true;
    let quitting = false;
    keepInTray(window as never, { closeToTray: () => closeToTray, quitting: () => quitting });
    const close = (): boolean => {
      const event = { preventDefault: vi.fn() };
      window.emit('close', event);
      return event.preventDefault.mock.calls.length > 0;
    };
    expect(close()).toBe(true);
    expect(window.calls).toEqual(['hide']);
    quitting = true;
    expect(close()).toBe(false);
    quitting = false;
    closeToTray = false;
    expect(close()).toBe(false);
    expect(window.calls).toEqual(['hide']);
  });

  it('a second launch brings the running window to the front', () => {
    const window = new FakeWindow();
    showWindow(window as never);
    expect(window.calls).toEqual(['show', 'focus']);
    showWindow(undefined);
  });
});
