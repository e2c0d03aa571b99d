import type net from 'node:net';
import { EventEmitter } from 'node:events';
import { FrameReader, encodeFrame } from './mbap.js';
import { decodeResponse, encodeRequest, type ModbusRequest, type ModbusResponse } from './pdu.js';
import { ModbusClosedError, ModbusError, ModbusTimeoutError } from './errors.js';
import { connectSocket, describeSocketError, socketTarget, type SocketConnect } from './socket-connect.js';
import type { ModbusTransport, ModbusTransportEvents } from './transport.js';

/**
 * Modbus TCP client: one socket, transaction ids to pair answers with requests, a timeout per
 * request. Reconnecting is calling connect() again after a close; the collector decides when.
 */

export interface ModbusClientOptions {
  host: string;
  port: number;
  /** Give up connecting after this long. */
  connectTimeoutMs: number;
  /** Requests outstanding at once (transaction ids pair the answers); see ModbusTransport.maxInFlight. */
  maxInFlight?: number;
}

interface Pending {
  req: ModbusRequest;
  resolve: (r: ModbusResponse) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

// Re-exported: callers that format socket errors have always imported it from here.
export { describeSocketError };

export class ModbusTcpClient extends EventEmitter<ModbusTransportEvents> implements ModbusTransport {
  private socket: net.Socket | null = null;
  private reader = new FrameReader();
  private pending = new Map<number, Pending>();
  /** Transaction ids sent on this connection, one bit each: an answer with any other id is not from Modbus. */
  private readonly asked = new Uint8Array(0x10000 / 8);
  private nextTid = 1;
  /** A socket still connecting, so close() can abort it (stop() must not wait for a TCP timeout). */
  private connecting: SocketConnect | null = null;

  constructor(readonly options: ModbusClientOptions) {
    super();
  }

  get maxInFlight(): number {
    return this.options.maxInFlight ?? 8;
  }

  get target(): string {
    return socketTarget(this.options);
  }

  get connected(): boolean {
    return this.socket !== null && !this.socket.destroyed && this.socket.readyState === 'open';
  }

  /** Opens the socket; rejects with ModbusConnectError carrying a readable reason. */
  async connect(): Promise<void> {
    this.destroySocket('reconnecting');
    const attempt = connectSocket({
      host: this.options.host,
      port: this.options.port,
      timeoutMs: this.options.connectTimeoutMs,
    });
    this.connecting = attempt;
    try {
      this.attach(await attempt.done);
    } finally {
      if (this.connecting === attempt) this.connecting = null;
    }
  }

  private attach(socket: net.Socket): void {
    this.socket = socket;
    this.reader = new FrameReader();
    this.asked.fill(0);
    let reason = 'closed by the device';
    let sentGarbage = false;
    socket.on('data', (chunk) => {
      const notModbus = this.onData(chunk);
      if (notModbus === null) return;
      sentGarbage = true;
      reason = notModbus;
      // The stream is out of step; only a fresh connection resynchronises it.
      socket.destroy();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (!sentGarbage) reason = describeSocketError(err);
    });
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.failAll(new ModbusClosedError(`connection to ${this.target} lost: ${reason}`));
      this.emit('close', reason, sentGarbage);
    });
  }

  /** Pairs answers with requests; returns what the peer sent instead of Modbus, or null. */
  private onData(chunk: Buffer): string | null {
    let frames;
    try {
      frames = this.reader.push(chunk);
    } catch (e) {
      return notModbusText(this.target, e instanceof Error ? e.message : String(e), chunk);
    }
    for (const f of frames) {
      const p = this.pending.get(f.transactionId);
      if (!p) {
        // A late answer to a request that already timed out is dropped; an id never sent is not a Modbus server.
        if (this.wasAsked(f.transactionId)) continue;
        return `not Modbus: ${this.target} answered with a transaction id that was never asked (${f.transactionId})`;
      }
      this.pending.delete(f.transactionId);
      clearTimeout(p.timer);
      try {
        p.resolve(decodeResponse(f.pdu, p.req));
      } catch (e) {
        p.reject(e instanceof Error ? e : new ModbusError('frame', String(e)));
      }
    }
    return null;
  }

  private wasAsked(tid: number): boolean {
    return ((this.asked[tid >> 3] ?? 0) & (1 << (tid & 7))) !== 0;
  }

  request(unitId: number, req: ModbusRequest, timeoutMs: number): Promise<ModbusResponse> {
    const socket = this.socket;
    if (!socket || !this.connected) return Promise.reject(new ModbusClosedError(`not connected to ${this.target}`));
    let pdu: Buffer;
    try {
      pdu = encodeRequest(req);
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    const tid = this.allocateTid();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(tid);
        reject(new ModbusTimeoutError(`no answer from ${this.target} (unit ${unitId}) within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(tid, { req, resolve, reject, timer });
      this.asked[tid >> 3] = (this.asked[tid >> 3] ?? 0) | (1 << (tid & 7));
      socket.write(encodeFrame(tid, unitId, pdu));
    });
  }

  private allocateTid(): number {
    for (let i = 0; i < 0x10000; i++) {
      const tid = this.nextTid;
      this.nextTid = (this.nextTid % 0xffff) + 1;
      if (!this.pending.has(tid)) return tid;
    }
    throw new ModbusError('request', 'too many requests in flight');
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
  }

  private destroySocket(reason: string): void {
    const s = this.socket;
    if (!s) return;
    this.socket = null;
    s.removeAllListeners('data');
    s.destroy();
    this.failAll(new ModbusClosedError(`connection to ${this.target} closed: ${reason}`));
  }

  /** Closes the socket; resolves once it is fully closed. */
  close(): Promise<void> {
    this.connecting?.abort();
    const s = this.socket;
    if (!s) return Promise.resolve();
    return new Promise((resolve) => {
      s.once('close', () => resolve());
      this.socket = null;
      this.failAll(new ModbusClosedError(`connection to ${this.target} closed`));
      s.destroy();
      if (s.destroyed && s.closed) resolve();
    });
  }
}

/**
 * What a peer that is not a Modbus server sent, for the device's state: "not Modbus: 10.0.0.5:502 answered with
 * protocol id 21584 (Modbus TCP sends 0)", plus the bytes as text when they read as text (an HTTP or SSH server).
 */
export const notModbusText = (target: string, problem: string, bytes: Buffer): string => {
  const head = bytes.subarray(0, 40).toString('latin1');
  const printable = head.length >= 4 && /^[\x20-\x7e\r\n\t]+$/.test(head);
  const line = head.split(/\r?\n/)[0]!.trim();
  const text = printable && line ? ` — it sent text ("${line}"): another service may be listening on this port` : '';
  return `not Modbus: ${target} answered with ${problem}${text}`;
};
