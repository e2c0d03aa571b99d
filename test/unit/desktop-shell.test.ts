import { EventEmitter } from 'node:events';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { callNames, ipcChannels, type PreloadApi } from '../../main/contract/contract.js';
import { createRouter, type Handlers } from '../../main/contract/router.js';
import { EventHub } from '../../main/live/event-hub.js';

/**
 * The Electron binary cannot run on our build machines, so this is the one place that stands in for
 * the `electron` module: a recorder of what the shell asks of it. It checks the security settings
 * and the IPC wiring; the Playwright Electron test covers the real thing where Electron exists.
 */
const fake = vi.hoisted(() => {
  const handlers = new Map<string, (...args: unknown[]) => unknown>();
  const rendererListeners = new Map<string, (...args: unknown[]) => void>();
  return {
    handlers,
    rendererListeners,
    windows: [] as { options: unknown; loaded: string[] }[],
    exposed: new Map<string, unknown>(),
    appEvents: new Map<string, (...args: unknown[]) => void>(),
    permissionHandler: undefined as undefined | ((...args: unknown[]) => void),
    invoked: [] as unknown[][],
  };
});

vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  class BrowserWindow extends Emitter {
    readonly webContents = { send: vi.fn() };
    readonly record: { options: unknown; loaded: string[] };
    constructor(options: unknown) {
      super();
      this.record = { options, loaded: [] };
      fake.windows.push(this.record);
    }
    loadURL(url: string): Promise<void> {
      this.record.loaded.push(url);
      return Promise.resolve();
    }
    isDestroyed(): boolean {
      return false;
    }
  }
  return {
    BrowserWindow,
    ipcMain: {
      handle: (channel: string, fn: (...args: unknown[]) => unknown) => fake.handlers.set(channel, fn),
      removeHandler: (channel: string) => fake.handlers.delete(channel),
    },
    ipcRenderer: {
      invoke: (...args: unknown[]) => {
        fake.invoked.push(args);
        return Promise.resolve({ ok: true, value: null });
      },
      on: (channel: string, fn: (...args: unknown[]) => void) => fake.rendererListeners.set(channel, fn),
      removeListener: (channel: string) => fake.rendererListeners.delete(channel),
    },
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => fake.exposed.set(key, api) },
    app: { on: (event: string, fn: (...args: unknown[]) => void) => fake.appEvents.set(event, fn) },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: (...args: unknown[]) => void) => (fake.permissionHandler = fn),
        setPermissionCheckHandler: () => undefined,
      },
    },
    protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() },
  };
});

const { createMainWindow } = await import('../../main/desktop/window.js');
const { bridgeIpc } = await import('../../main/desktop/ipc-bridge.js');
const { hardenWebContents, isTrustedSender } = await import('../../main/desktop/security.js');

const frame = (url: string, parent: unknown = null): { url: string; parent: unknown } => ({ url, parent });

describe('desktop shell (electron stood in)', () => {
  beforeEach(() => {
    fake.handlers.clear();
    fake.windows.length = 0;
  });

  it('opens the window with the security checklist settings and the app scheme', () => {
    createMainWindow('/app/dist/preload/preload.cjs');
    const [win] = fake.windows;
    expect(win?.options).toMatchObject({
      webPreferences: {
        preload: '/app/dist/preload/preload.cjs',
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
      },
    });
    expect(win?.loaded).toEqual(['twinedge://app/index.html']);
  });

  it('trusts only the top frame of the app origin', () => {
    expect(isTrustedSender(frame('twinedge://app/index.html') as never)).toBe(true);
    expect(isTrustedSender(frame('twinedge://app/index.html', {}) as never)).toBe(false);
    expect(isTrustedSender(frame('https://evil.example/') as never)).toBe(false);
    expect(isTrustedSender(frame('file:///etc/passwd') as never)).toBe(false);
    expect(isTrustedSender(null)).toBe(false);
  });

  it('serves contract calls from the app window and refuses any other sender', async () => {
    const handlers = Object.fromEntries(callNames.map((n) => [n, () => `${n} ran`])) as unknown as Handlers;
    const win = createMainWindow('/p.cjs');
    bridgeIpc(createRouter(handlers), new EventHub(), win);
    const handle = fake.handlers.get(ipcChannels.invoke);
    if (!handle) throw new Error('no IPC handler registered');
    expect(await handle({ senderFrame: frame('twinedge://app/index.html') }, 'tags.list', {})).toEqual({
      ok: true,
      value: 'tags.list ran',
    });
    expect(await handle({ senderFrame: frame('https://evil.example/') }, 'tags.list', {})).toMatchObject({
      ok: false,
      error: { code: 'unavailable' },
    });
    expect(
      await handle({ senderFrame: frame('twinedge://app/index.html') }, 'devices.delete', { id: -1 }),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', fields: [{ path: 'id' }] },
    });
  });

  it('denies navigation away, new windows, webviews and permission requests', () => {
    hardenWebContents();
    const created = fake.appEvents.get('web-contents-created');
    const contents = Object.assign(new EventEmitter(), { setWindowOpenHandler: vi.fn() });
    created?.({}, contents);
    const nav = { preventDefault: vi.fn() };
    contents.emit('will-navigate', nav, 'https://evil.example/');
    expect(nav.preventDefault).toHaveBeenCalled();
    const internal = { preventDefault: vi.fn() };
    contents.emit('will-navigate', internal, 'twinedge://app/index.html');
    expect(internal.preventDefault).not.toHaveBeenCalled();
    const openHandler = contents.setWindowOpenHandler.mock.calls[0]?.[0] as () => unknown;
    expect(openHandler()).toEqual({ action: 'deny' });
    const webview = { preventDefault: vi.fn() };
    contents.emit('will-attach-webview', webview);
    expect(webview.preventDefault).toHaveBeenCalled();
    const answer = vi.fn();
    fake.permissionHandler?.({}, 'media', answer);
    expect(answer).toHaveBeenCalledWith(false);
  });

  it('the preload exposes exactly one function per contract call and nothing else', async () => {
    await import('../../preload/preload.js');
    const api = fake.exposed.get('twinedge') as PreloadApi;
    expect(Object.keys(api.calls).sort()).toEqual([...callNames].sort());
    await api.calls['devices.list']({});
    expect(fake.invoked.at(-1)).toEqual([ipcChannels.invoke, 'devices.list', {}]);
    const seen: unknown[] = [];
    const off = api.on((name, payload) => seen.push([name, payload]));
    const deliver = fake.rendererListeners.get(ipcChannels.event);
    deliver?.({}, 'devices.changed', { at: 1 });
    deliver?.({}, 'not.an.event', { at: 2 });
    expect(seen).toEqual([['devices.changed', { at: 1 }]]);
    off();
    expect(fake.rendererListeners.has(ipcChannels.event)).toBe(false);
  });
});
