import { contextBridge, ipcRenderer } from 'electron';
import { callNames, eventNames, ipcChannels, type EventName } from '../main/contract/wire.js';
import type { PreloadApi } from '../main/contract/contract.js';

/**
 * The whole preload: one function per contract call, generated from the contract's call list, and
 * one event subscription. No Node or Electron object ever reaches the page.
 */
const calls = Object.fromEntries(
  callNames.map((name) => [name, (input: unknown) => ipcRenderer.invoke(ipcChannels.invoke, name, input)]),
) as PreloadApi['calls'];

const knownEvents = new Set<string>(eventNames);

const api: PreloadApi = {
  calls,
  on(listener) {
    const handler = (_event: Electron.IpcRendererEvent, name: unknown, payload: unknown): void => {
      if (typeof name === 'string' && knownEvents.has(name)) listener(name as EventName, payload);
    };
    ipcRenderer.on(ipcChannels.event, handler);
    return () => {
      ipcRenderer.removeListener(ipcChannels.event, handler);
    };
  },
};

contextBridge.exposeInMainWorld('twinedge', api);
