import { EventEmitter } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { callNames, ipcChannels } from '../../main/contract/wire.js';
import { type PreloadApi } from '../../main/contract/contract.js';
import { createRouter, type Handlers } from '../../main/contract/router.js';
import { EventHub } from '../../main/app/event-hub.js';
import { contentSecurityPolicy } from '../../main/server/security-headers.js';
import { filesUnder } from '../helpers/files.js';
import { tempDir } from '../helpers/temp-dir.js';

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
    permissionCheck: undefined as undefined | ((...args: unknown[]) => unknown),
    schemes: [] as unknown[],
    protocolHandlers: new Map<string, (request: { url: string }) => Promise<Response>>(),
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
        setPermissionCheckHandler: (fn: (...args: unknown[]) => unknown) => (fake.permissionCheck = fn),
      },
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => fake.schemes.push(...schemes),
      handle: (scheme: string, fn: (request: { url: string }) => Promise<Response>) =>
        fake.protocolHandlers.set(scheme, fn),
    },
  };
});

const { createMainWindow } = await import('../../main/desktop/window.js');
const { bridgeIpc } = await import('../../main/desktop/ipc-bridge.js');
const { hardenWebContents, isTrustedSender } = await import('../../main/desktop/security.js');
const { registerAppScheme, serveRenderer } = await import('../../main/desktop/app-protocol.js');

const root = fileURLToPath(new URL('../..', import.meta.url));

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
    // Exactly these: nothing that loosens them rides along (nodeIntegrationInSubFrames, experimentalFeatures,
    // enableBlinkFeatures, a disabled webSecurity...).
    expect((win?.options as { webPreferences: unknown }).webPreferences).toEqual({
      preload: '/app/dist/preload/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    });
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

  it('refuses every contract call from every sender but the app window, before the router runs', async () => {
    let ran = 0;
    const handlers = Object.fromEntries(
      callNames.map((n) => [
        n,
        () => {
          ran += 1;
          return `${n} ran`;
        },
      ]),
    ) as unknown as Handlers;
    bridgeIpc(createRouter(handlers), new EventHub(), createMainWindow('/p.cjs'));
    const handle = fake.handlers.get(ipcChannels.invoke);
    if (!handle) throw new Error('no IPC handler registered');
    const wrongSenders = [
      frame('https://evil.example/'),
      frame('http://127.0.0.1:8420/index.html'),
      frame('file:///app/dist/renderer/index.html'),
      frame('twinedge://app/index.html', frame('twinedge://app/index.html')), // an iframe inside the app
      frame('twinedge://evil/index.html'),
      frame('twinedge://app.evil/index.html'),
      frame('twinedge-app://app/index.html'),
      frame('about:blank'),
      frame('not a url'),
      null,
    ];
    expect(callNames.length).toBeGreaterThan(20);
    for (const name of callNames) {
      for (const senderFrame of wrongSenders) {
        expect(await handle({ senderFrame }, name, {}), `${name} from ${JSON.stringify(senderFrame)}`).toEqual({
          ok: false,
          error: { code: 'unavailable', message: 'Refused: the call did not come from the TwinEdge window.' },
        });
      }
    }
    expect(ran).toBe(0);
    // The same calls from the app window reach the router (which then checks their input).
    for (const name of callNames) {
      const r = (await handle({ senderFrame: frame('twinedge://app/index.html') }, name, {})) as {
        ok: boolean;
        error?: { code: string };
      };
      if (!r.ok) expect(r.error?.code, name).toBe('invalid_input');
    }
    expect(ran).toBeGreaterThan(0);
  });

  it('registers one IPC handler only, the sender-checked bridge: no other ipcMain use anywhere', () => {
    const sources = [...filesUnder(join(root, 'main')), ...filesUnder(join(root, 'preload'))].filter((f) =>
      f.endsWith('.ts'),
    );
    const users = sources.filter((f) => /\bipcMain\b/.test(readFileSync(f, 'utf8'))).map((f) => relative(root, f));
    expect(users).toEqual([join('main', 'desktop', 'ipc-bridge.ts')]);
    const bridge = readFileSync(join(root, 'main', 'desktop', 'ipc-bridge.ts'), 'utf8');
    expect(bridge.match(/ipcMain\.\w+/g)).toEqual(['ipcMain.handle', 'ipcMain.removeHandler']);
    expect(bridge).toMatch(/isTrustedSender\(event\.senderFrame\) \? router\.invoke/);
  });

  it('serves the UI from the privileged app scheme with the CSP, and nothing outside the renderer folder', async () => {
    registerAppScheme();
    expect(fake.schemes).toEqual([{ scheme: 'twinedge', privileges: { standard: true, secure: true } }]);
    const dir = tempDir();
    try {
      mkdirSync(join(dir.path, 'renderer'));
      writeFileSync(join(dir.path, 'renderer', 'index.html'), '<!doctype html><title>t</title>');
      writeFileSync(join(dir.path, 'secret.txt'), 'outside');
      serveRenderer(join(dir.path, 'renderer'));
      const serve = fake.protocolHandlers.get('twinedge');
      if (!serve) throw new Error('no protocol handler');
      const page = await serve({ url: 'twinedge://app/index.html' });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toBe(contentSecurityPolicy);
      expect(await page.text()).toContain('<title>t</title>');
      for (const url of ['twinedge://evil/index.html', 'twinedge://app/..%2fsecret.txt', 'twinedge://app/nope.js']) {
        expect((await serve({ url })).status, url).toBe(404);
      }
    } finally {
      dir.remove();
    }
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
    const openHandler = contents.setWindowOpenHandler.mock.calls[0]?.[0] as (details?: unknown) => unknown;
    expect(openHandler()).toEqual({ action: 'deny' });
    const webview = { preventDefault: vi.fn() };
    contents.emit('will-attach-webview', webview);
    expect(webview.preventDefault).toHaveBeenCalled();
    const redirect = { preventDefault: vi.fn() };
    contents.emit('will-redirect', redirect, 'https://evil.example/');
    expect(redirect.preventDefault).toHaveBeenCalled();
    for (const url of ['file:///etc/passwd', 'twinedge://evil/index.html', 'http://127.0.0.1:8420/']) {
      const away = { preventDefault: vi.fn() };
      contents.emit('will-navigate', away, url);
      expect(away.preventDefault, url).toHaveBeenCalled();
    }
    expect(openHandler({ url: 'twinedge://app/index.html' })).toEqual({ action: 'deny' });
    const answer = vi.fn();
    fake.permissionHandler?.({}, 'media', answer);
    expect(answer).toHaveBeenCalledWith(false);
    for (const permission of ['notifications', 'geolocation', 'clipboard-read', 'serial', 'hid', 'usb']) {
      expect(fake.permissionCheck?.({}, permission, 'twinedge://app'), permission).toBe(false);
    }
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
