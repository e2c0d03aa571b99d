import type { Bridge } from '../../../main/contract/contract';
import type { CallName, ClientCallMessage, EventName, ServerMessage, WireResult } from '../../../main/contract/wire';
import { MAX_CALL_BYTES, tooLargeMessage } from '../../../main/contract/transport-limits';

export type ConnectionState =
  | { kind: 'connecting'; attempt: number }
  | { kind: 'open' }
  | { kind: 'lost'; retryAt: number; attempt: number; reason: string };

export interface WsBridge extends Bridge {
  /** Connection state changes; called at once with the current state. */
  onConnection(listener: (state: ConnectionState) => void): () => void;
  close(): void;
}

interface Pending {
  resolve: (r: WireResult<unknown>) => void;
  reject: (e: Error) => void;
  name: CallName;
}

const BACKOFF_START_MS = 500;
const BACKOFF_CAP_MS = 10_000;

/**
 * Browser-mode transport: one WebSocket to /ws on the serving origin. Authentication is the
 * cookie the server set when the page was loaded with ?token=, so nothing to send here.
 * Calls are paired with results by id; if the socket drops, pending calls are rejected and the
 * socket is reopened with capped exponential backoff.
 */
export function wsBridge(url = defaultUrl()): WsBridge {
  let socket: WebSocket | null = null;
  let nextId = 1;
  let attempt = 0;
  let closedByUs = false;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let state: ConnectionState = { kind: 'connecting', attempt: 0 };
  const pending = new Map<number, Pending>();
  /** Calls made while the socket is opening; sent on open. */
  const queued: ClientCallMessage[] = [];
  const eventListeners = new Set<(event: EventName, payload: unknown) => void>();
  const connListeners = new Set<(state: ConnectionState) => void>();

  const setState = (s: ConnectionState): void => {
    state = s;
    for (const l of [...connListeners]) l(s);
  };

  const failAll = (reason: string): void => {
    const err = new Error(reason);
    for (const [id, p] of pending) {
      pending.delete(id);
      p.reject(err);
    }
    queued.length = 0;
  };

  const connect = (): void => {
    if (closedByUs) return;
    setState({ kind: 'connecting', attempt });
    let ws: WebSocket;
    try {
      ws = new WebSocket(url);
    } catch (err) {
      scheduleRetry(err instanceof Error ? err.message : String(err));
      return;
    }
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      setState({ kind: 'open' });
      for (const msg of queued.splice(0)) ws.send(JSON.stringify(msg));
    };
    ws.onmessage = (ev: MessageEvent) => {
      let msg: ServerMessage;
      try {
        msg = JSON.parse(String(ev.data)) as ServerMessage;
      } catch {
        console.error('TwinEdge: unreadable message from service');
        return;
      }
      if (msg.t === 'result') {
        const p = pending.get(msg.id);
        if (!p) return;
        pending.delete(msg.id);
        p.resolve(msg.result);
      } else if (msg.t === 'event') {
        for (const l of [...eventListeners]) l(msg.name, msg.payload);
      }
    };
    ws.onclose = (ev: CloseEvent) => {
      if (socket !== ws) return;
      socket = null;
      const reason = ev.reason || (ev.code === 1006 ? 'the service closed the connection' : `code ${ev.code}`);
      failAll(`connection to TwinEdge service lost (${reason})`);
      scheduleRetry(reason);
    };
    // onerror is always followed by onclose; nothing to do here.
    ws.onerror = () => undefined;
  };

  const scheduleRetry = (reason: string): void => {
    if (closedByUs) return;
    const base = Math.min(BACKOFF_CAP_MS, BACKOFF_START_MS * 2 ** attempt);
    const delay = Math.round(base * (0.75 + Math.random() * 0.5));
    attempt += 1;
    setState({ kind: 'lost', retryAt: Date.now() + delay, attempt, reason });
    retryTimer = setTimeout(() => {
      retryTimer = null;
      connect();
    }, delay);
  };

  connect();

  return {
    invoke(name: CallName, input: unknown): Promise<WireResult<unknown>> {
      return new Promise((resolve, reject) => {
        if (state.kind === 'lost') {
          reject(new Error('connection to TwinEdge service lost; reconnecting'));
          return;
        }
        const id = nextId++;
        const msg: ClientCallMessage = { t: 'call', id, name, input };
        const text = JSON.stringify(msg);
        // The service would close the connection on a message this large: answer here, keep the connection.
        // UTF-8 takes 1 to 3 bytes per UTF-16 unit: only a text between a third of the limit and the limit is counted.
        const bytes =
          text.length > MAX_CALL_BYTES || text.length * 3 <= MAX_CALL_BYTES
            ? text.length
            : new TextEncoder().encode(text).length;
        if (bytes > MAX_CALL_BYTES) {
          resolve({ ok: false, error: { code: 'invalid_input', message: tooLargeMessage(bytes) } });
          return;
        }
        pending.set(id, { resolve, reject, name });
        if (socket && socket.readyState === WebSocket.OPEN) socket.send(text);
        else queued.push(msg);
      });
    },
    on(listener) {
      eventListeners.add(listener);
      return () => {
        eventListeners.delete(listener);
      };
    },
    onConnection(listener) {
      connListeners.add(listener);
      listener(state);
      return () => {
        connListeners.delete(listener);
      };
    },
    close() {
      closedByUs = true;
      if (retryTimer) clearTimeout(retryTimer);
      socket?.close();
      failAll('connection closed');
    },
  };
}

function defaultUrl(): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/ws`;
}
