import type net from 'node:net';
import { EventEmitter } from 'node:events';
import { ModbusClosedError } from './errors.js';
import type { ModbusRequest, ModbusResponse } from './pdu.js';
import { RtuExchange } from './rtu-exchange.js';
import { connectSocket, describeSocketError, socketTarget, type SocketConnect } from './socket-connect.js';
import type { ModbusTransport, ModbusTransportEvents } from './transport.js';

/**
 * RTU frames (unit id + PDU + CRC, no MBAP header) over a TCP socket: serial-to-Ethernet gateways in
 * "transparent" mode pass the bytes to their RS-485 side unchanged. Like a serial line, one request at a time.
 */

export interface RtuTcpOptions {
  host: string;
  port: number;
  /** Give up connecting after this long. */
  connectTimeoutMs: number;
  /** Gap kept between exchanges. The gateway times its serial side, so none is needed by default. */
  interFrameDelayMs?: number;
  /** Units need this long to act on a broadcast before the next request. */
  broadcastTurnaroundMs?: number;
}

export class RtuTcpTransport extends EventEmitter<ModbusTransportEvents> implements ModbusTransport {
  readonly maxInFlight = 1;
  private socket: net.Socket | null = null;
  private connecting: SocketConnect | null = null;
  private readonly exchange: RtuExchange;

  constructor(readonly options: RtuTcpOptions) {
    super();
    this.exchange = new RtuExchange({
      target: this.target,
      write: (frame) => {
        const s = this.socket;
        if (!s || !this.connected) return false;
        s.write(frame);
        return true;
      },
      silenceMs: options.interFrameDelayMs ?? 0,
      // The gateway receives the whole frame at network speed; its serial time is its own business.
      transmitMs: () => 0,
      broadcastTurnaroundMs: options.broadcastTurnaroundMs ?? 100,
    });
  }

  get target(): string {
    return `${socketTarget(this.options)} (RTU over TCP)`;
  }

  get connected(): boolean {
    return this.socket !== null && !this.socket.destroyed && this.socket.readyState === 'open';
  }

  async connect(): Promise<void> {
    this.drop('reconnecting');
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
    let reason = 'closed by the device';
    socket.on('data', (chunk: Buffer) => this.exchange.onData(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      reason = describeSocketError(err);
    });
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.exchange.failAll(new ModbusClosedError(`connection to ${this.target} lost: ${reason}`));
      this.emit('close', reason);
    });
  }

  request(unitId: number, req: ModbusRequest, timeoutMs: number): Promise<ModbusResponse> {
    if (!this.connected) return Promise.reject(new ModbusClosedError(`not connected to ${this.target}`));
    return this.exchange.request(unitId, req, timeoutMs);
  }

  private drop(reason: string): void {
    const s = this.socket;
    this.socket = null;
    this.exchange.failAll(new ModbusClosedError(`connection to ${this.target} closed: ${reason}`));
    if (s) {
      s.removeAllListeners('data');
      s.destroy();
    }
  }

  close(): Promise<void> {
    this.connecting?.abort();
    const s = this.socket;
    this.drop('closed');
    if (!s || s.closed) return Promise.resolve();
    return new Promise((resolve) => s.once('close', () => resolve()));
  }
}
