import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { UiSettings } from '../../main/domain/app/ui-settings.js';
import type { WireResult } from '../../main/contract/wire.js';

/**
 * The desktop entry (main/desktop/main.ts) with `electron` and the core stood in: single instance, hidden
 * start, second launch, close to tray and the graceful shutdown, as the real shell wires them.
 */
type Listener = (...args: unknown[]) => void;
const fake = vi.hoisted(() => ({
  lock: true,
  appEvents: new Map<string, Listener>(),
  quit: [] as number[],
  /** What the shell did, in order: 'quit' (app.quit asked) and 'stop' (core.stop). */
  order: [] as string[],
  invoked: [] as { name: unknown; input: unknown }[],
  windows: [] as {
    calls: string[];
    options: Record<string, unknown>;
    emit: (event: string, ...args: unknown[]) => boolean;
  }[],
  trays: 0,
  loginItems: [] as unknown[],
  created: [] as Record<string, unknown>[],
  stops: 0,
  settings: {},
  errors: [] as string[],
}));

vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  class BrowserWindow extends Emitter {
    readonly webContents = { send: (): void => undefined };
    readonly record;
    constructor(options: Record<string, unknown>) {
      super();
      this.record = { calls: [] as string[], options, emit: (e: string, ...a: unknown[]) => this.emit(e, ...a) };
      fake.windows.push(this.record);
    }
    loadURL(): Promise<void> {
      return Promise.resolve();
    }
    isDestroyed = (): boolean => false;
    isMinimized = (): boolean => false;
    restore = (): void => void this.record.calls.push('restore');
    show = (): void => void this.record.calls.push('show');
    focus = (): void => void this.record.calls.push('focus');
    hide = (): void => void this.record.calls.push('hide');
  }
  class Tray {
    constructor() {
      fake.trays++;
    }
    setImage(): void {}
    setToolTip(): void {}
    setContextMenu(): void {}
    on(): void {}
    isDestroyed(): boolean {
      return false;
    }
    destroy(): void {}
  }
  return {
    BrowserWindow,
    Tray,
    Menu: { buildFromTemplate: (items: unknown[]) => ({ items }) },
    nativeImage: { createFromBuffer: () => ({}) },
    ipcMain: { handle: (): void => undefined, removeHandler: (): void => undefined },
    session: {
      defaultSession: { setPermissionRequestHandler: () => undefined, setPermissionCheckHandler: () => undefined },
    },
    protocol: { registerSchemesAsPrivileged: () => undefined, handle: () => undefined },
    powerMonitor: { on: (event: string, fn: Listener) => fake.appEvents.set(`power:${event}`, fn) },
    dialog: { showErrorBox: (_title: string, text: string) => fake.errors.push(text) },
    app: {
      requestSingleInstanceLock: () => fake.lock,
      on: (event: string, fn: Listener) => fake.appEvents.set(event, fn),
      quit: () => {
        fake.quit.push(Date.now());
        fake.order.push('quit');
      },
      getName: () => 'TwinEdge Desktop',
      whenReady: () => Promise.resolve(),
      isPackaged: false,
      getAppPath: () => '/nonexistent/app',
      getPath: () => '/nonexistent/user-data',
      getVersion: () => '9.9.9',
      setLoginItemSettings: (s: unknown) => fake.loginItems.push(s),
    },
  };
});

vi.mock('../../main/app/create-app.js', async () => {
  const { EventHub } = await import('../../main/app/event-hub.js');
  return {
    createApp: (options: Record<string, unknown>) => {
      fake.created.push(options);
      return Promise.resolve({
        events: new EventHub(),
        router: {
          invoke: (name: unknown, input: unknown): Promise<WireResult<unknown>> => {
            fake.invoked.push({ name, input });
            return Promise.resolve(
              name === 'settings.get'
                ? { ok: true, value: fake.settings }
                : { ok: false, error: { code: 'store_unavailable', message: 'not in this test' } },
            );
          },
        },
        stop: () => {
          fake.stops++;
          fake.order.push('stop');
          return Promise.resolve();
        },
      });
    },
  };
});

const settings = (s: Partial<UiSettings>): Record<string, unknown> => ({
  trendTagIds: [],
  trendWindowMinutes: 10,
  demoPlant: false,
  startAtLogin: false,
  startMinimised: false,
  closeToTray: false,
  introDismissed: false,
  ...s,
});

/** The login item differs by OS: Windows unless a test says Linux (which writes under a temp XDG_CONFIG_HOME). */
const realPlatform = process.platform;
const configHome = mkdtempSync(join(tmpdir(), 'twinedge-main-'));
const autostartFile = join(configHome, 'autostart', 'twinedge-desktop.desktop');
vi.stubEnv('XDG_CONFIG_HOME', configHome);

/** Imports main.ts afresh (it runs on import), without leaving its signal handlers in the test process. */
const launch = async (platform: NodeJS.Platform = 'win32'): Promise<void> => {
  Object.defineProperty(process, 'platform', { value: platform, configurable: true });
  const before = new Set([...process.listeners('SIGTERM'), ...process.listeners('SIGINT')]);
  vi.resetModules();
  fake.appEvents.clear();
  fake.windows.length = 0;
  fake.quit.length = 0;
  fake.order.length = 0;
  fake.invoked.length = 0;
  fake.created.length = 0;
  fake.stops = 0;
  fake.trays = 0;
  await import('../../main/desktop/main.js');
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    for (const l of process.listeners(signal)) if (!before.has(l)) process.removeListener(signal, l);
  }
  await vi.waitFor(() => expect(fake.trays + fake.quit.length).toBeGreaterThan(0));
};

describe('desktop entry (electron and the core stood in)', () => {
  afterAll(() => {
    vi.resetModules();
    vi.unstubAllEnvs();
    Object.defineProperty(process, 'platform', { value: realPlatform, configurable: true });
    rmSync(configHome, { recursive: true, force: true });
  });

  it('a second launch does not start: it quits and leaves the running one the window', async () => {
    fake.lock = false;
    await launch();
    expect(fake.quit).toHaveLength(1);
    expect(fake.created).toHaveLength(0);
    expect(fake.windows).toHaveLength(0);
    fake.lock = true;
  });

  it('starts the core, the window and the tray; the running one comes to the front on a second launch', async () => {
    fake.settings = settings({ startAtLogin: true });
    await launch();
    expect(fake.created[0]).toMatchObject({ shell: 'desktop', version: '9.9.9', dataDir: '/nonexistent/user-data' });
    expect(fake.loginItems.at(-1)).toEqual({ openAtLogin: true, args: [] });
    const win = fake.windows[0];
    expect(win).toBeDefined();
    // Shown once ready (not hidden).
    win?.emit('ready-to-show');
    expect(win?.calls).toEqual(['show']);
    fake.appEvents.get('second-instance')?.();
    expect(win?.calls).toEqual(['show', 'show', 'focus']);
  });

  it('start minimised: the window stays hidden until opened', async () => {
    fake.settings = settings({ startMinimised: true });
    await launch();
    fake.windows[0]?.emit('ready-to-show');
    expect(fake.windows[0]?.calls).toEqual([]);
    expect(fake.loginItems.at(-1)).toEqual({ openAtLogin: false, args: ['--minimised'] });
  });

  it('close to tray hides the window; quitting stops the core (store flushed and closed) before the app ends', async () => {
    fake.settings = settings({ closeToTray: true });
    await launch();
    const win = fake.windows[0];
    // The tray reads the settings once it is up.
    await new Promise((r) => setTimeout(r, 10));
    const close = { preventDefault: vi.fn() };
    win?.emit('close', close);
    expect(close.preventDefault).toHaveBeenCalled();
    expect(win?.calls).toContain('hide');

    const quitEvent = { preventDefault: vi.fn() };
    fake.appEvents.get('before-quit')?.(quitEvent);
    expect(quitEvent.preventDefault).toHaveBeenCalled();
    expect(fake.stops).toBe(1);
    await vi.waitFor(() => expect(fake.quit).toHaveLength(1));
    // The second before-quit (from that quit) goes through, and closing the window is no longer held.
    const again = { preventDefault: vi.fn() };
    fake.appEvents.get('before-quit')?.(again);
    expect(again.preventDefault).not.toHaveBeenCalled();
    const finalClose = { preventDefault: vi.fn() };
    win?.emit('close', finalClose);
    expect(finalClose.preventDefault).not.toHaveBeenCalled();
    expect(fake.stops).toBe(1);
  });

  it('an OS shutdown (Linux, macOS) asks the OS to wait, stops the core, then quits', async () => {
    fake.settings = settings({});
    await launch();
    const shutdown = { preventDefault: vi.fn() };
    fake.appEvents.get('power:shutdown')?.(shutdown);
    expect(shutdown.preventDefault).toHaveBeenCalledOnce();
    expect(fake.order).toEqual(['quit']);
    // Electron answers that quit with before-quit: the clean stop runs, then the final quit.
    const quitEvent = { preventDefault: vi.fn() };
    fake.appEvents.get('before-quit')?.(quitEvent);
    expect(quitEvent.preventDefault).toHaveBeenCalled();
    await vi.waitFor(() => expect(fake.order).toEqual(['quit', 'stop', 'quit']));
  });

  it('Windows ending the session (log off, shut down) starts the same clean stop; a mere query does not', async () => {
    fake.settings = settings({ closeToTray: true });
    await launch();
    const win = fake.windows[0];
    const query = { preventDefault: vi.fn(), reasons: ['shutdown'] };
    win?.emit('query-session-end', query);
    expect(query.preventDefault).not.toHaveBeenCalled();
    expect(fake.order).toEqual([]);
    win?.emit('session-end', { preventDefault: vi.fn(), reasons: ['logoff'] });
    expect(fake.order).toEqual(['quit']);
    fake.appEvents.get('before-quit')?.({ preventDefault: vi.fn() });
    await vi.waitFor(() => expect(fake.order).toEqual(['quit', 'stop', 'quit']));
    // The window no longer hides in the tray: it closes with the app.
    const close = { preventDefault: vi.fn() };
    win?.emit('close', close);
    expect(close.preventDefault).not.toHaveBeenCalled();
  });

  it('Linux: start at login on and its autostart file there: the file is kept up to date, the setting stays', async () => {
    mkdirSync(join(configHome, 'autostart'), { recursive: true });
    writeFileSync(autostartFile, '[Desktop Entry]\nType=Application\nExec=/old/place/twinedge\n');
    fake.settings = settings({ startAtLogin: true, startMinimised: true });
    const loginItems = fake.loginItems.length;
    await launch('linux');
    expect(readFileSync(autostartFile, 'utf8')).toMatch(/^Exec=.* --minimised$/m);
    expect(fake.invoked.filter((c) => c.name === 'settings.update')).toEqual([]);
    // Electron's login item does nothing on Linux: it is not asked.
    expect(fake.loginItems).toHaveLength(loginItems);
  });

  it('Linux: start at login on but its autostart file deleted by hand: the setting follows (off), no file is written back', async () => {
    rmSync(autostartFile, { force: true });
    fake.settings = settings({ startAtLogin: true });
    await launch('linux');
    expect(fake.invoked.filter((c) => c.name === 'settings.update')).toEqual([
      { name: 'settings.update', input: { startAtLogin: false } },
    ]);
    expect(existsSync(autostartFile)).toBe(false);
  });
});
