import type { Bridge, PreloadApi } from '../../../main/contract/contract';
import { electronBridge } from './bridge-electron';
import { wsBridge, type WsBridge } from './bridge-ws';

declare global {
  interface Window {
    twinedge?: PreloadApi;
  }
}

export interface PickedBridge {
  bridge: Bridge;
  /** Present in browser mode only: the socket's connection state. */
  ws: WsBridge | null;
}

/** Desktop shell when preload exposed window.twinedge, else browser mode over WebSocket. */
export function pickBridge(): PickedBridge {
  if (window.twinedge) return { bridge: electronBridge(window.twinedge), ws: null };
  const ws = wsBridge();
  return { bridge: ws, ws };
}
