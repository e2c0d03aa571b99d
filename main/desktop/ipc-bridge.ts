import { ipcMain, type BrowserWindow } from 'electron';
import { ipcChannels, type WireResult } from '../contract/wire.js';
import type { Router } from '../contract/router.js';
import type { EventHub } from '../app/event-hub.js';
import { isTrustedSender } from './security.js';

const refused: WireResult<never> = {
  ok: false,
  error: { code: 'unavailable', message: 'Refused: the call did not come from the TwinEdge window.' },
};

/**
 * The only ipcMain use in the app: one channel carries every contract call to the shared router, one
 * carries pushed events to the window. Results travel as envelopes so errors keep their code and fields.
 */
export const bridgeIpc = (router: Router, events: EventHub, window: BrowserWindow): (() => void) => {
  ipcMain.handle(ipcChannels.invoke, (event, name: unknown, input: unknown) =>
    isTrustedSender(event.senderFrame) ? router.invoke(name, input) : refused,
  );
  const unsubscribe = events.subscribe((name, payload) => {
    if (!window.isDestroyed()) window.webContents.send(ipcChannels.event, name, payload);
  });
  return () => {
    unsubscribe();
    ipcMain.removeHandler(ipcChannels.invoke);
  };
};
