import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { ClientCallMessage, ServerMessage } from '../contract/wire.js';
import type { Router } from '../contract/router.js';
import type { EventHub } from '../app/event-hub.js';
import { busyMessage, MAX_CALL_BYTES, MAX_CALLS_IN_FLIGHT } from '../contract/transport-limits.js';

/** Live samples are skipped for a client whose socket already holds this much unsent data. */
const slowClientBytes = 4 * 1024 * 1024;

const text = (raw: RawData): string =>
  (Buffer.isBuffer(raw) ? raw : Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw)).toString('utf8');

/**
 * A call is anything with `t: "call"` and an integer id: it gets exactly one answer, a typed error when its
 * name is not a call name (or not a string). Without an id there is nothing to pair an answer with.
 */
const parseCall = (data: string): { id: number; name: unknown; input: unknown } | null => {
  try {
    const msg = JSON.parse(data) as Partial<Record<keyof ClientCallMessage, unknown>> | null;
    if (msg && typeof msg === 'object' && msg.t === 'call' && Number.isSafeInteger(msg.id)) {
      return { id: msg.id as number, name: msg.name, input: msg.input };
    }
  } catch {
    // not JSON (or nested too deep to parse): answered below as a protocol error
  }
  return null;
};

/** Serves the contract over WebSocket: one call per message, results paired by id, events pushed. */
export class WsTransport {
  // Past maxPayload ws closes the socket (1009): the browser client checks the size first and answers itself.
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CALL_BYTES });

  constructor(
    private readonly router: Router,
    private readonly events: EventHub,
  ) {
    this.wss.on('connection', (ws) => this.serve(ws));
  }

  /** Completes an upgrade the HTTP server has already authorized. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  }

  get clients(): number {
    return this.wss.clients.size;
  }

  close(): void {
    for (const ws of this.wss.clients) ws.close(1001, 'TwinEdge is shutting down');
    this.wss.close();
  }

  private serve(ws: WebSocket): void {
    const send = (msg: ServerMessage): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
    };
    const unsubscribe = this.events.subscribe((name, payload) => {
      if (name === 'samples.batch' && ws.bufferedAmount > slowClientBytes) return;
      send({ t: 'event', name, payload });
    });
    // Calls being answered on this socket: bounded, so a flood is refused at once instead of piling up in memory.
    let inFlight = 0;
    ws.on('message', (raw, isBinary) => {
      const call = isBinary ? null : parseCall(text(raw));
      if (!call) {
        ws.close(1003, 'expected {"t":"call","id","name","input"}');
        return;
      }
      if (inFlight >= MAX_CALLS_IN_FLIGHT) {
        send({ t: 'result', id: call.id, result: { ok: false, error: { code: 'unavailable', message: busyMessage } } });
        return;
      }
      inFlight++;
      void this.router.invoke(call.name, call.input).then((result) => {
        inFlight--;
        send({ t: 'result', id: call.id, result });
      });
    });
    ws.on('close', unsubscribe);
    ws.on('error', unsubscribe);
  }
}
