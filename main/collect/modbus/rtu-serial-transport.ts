import { EventEmitter } from 'node:events';
import { stat } from 'node:fs/promises';
import { SerialPort } from 'serialport';
import type { SerialSettings } from '../../domain/device/modbus-schema.js';
import { ModbusClosedError, ModbusConnectError } from './errors.js';
import type { ModbusRequest, ModbusResponse } from './pdu.js';
import { RtuExchange } from './rtu-exchange.js';
import type { ModbusTransport, ModbusTransportEvents } from './transport.js';

/**
 * Modbus RTU master on a serial port (RS-485/RS-232 adapter): one request on the line at a time, the
 * 3.5-character silence between frames, unit 0 as broadcast.
 */

export interface RtuSerialOptions {
  /** Units need this long to act on a broadcast before the next request (the spec's "turnaround delay"). */
  broadcastTurnaroundMs?: number;
}

const parityLetter = { none: 'N', even: 'E', odd: 'O' } as const;

/** "/dev/ttyUSB0 19200 8E1" */
export const describeSerial = (s: SerialSettings): string =>
  `${s.path} ${s.baudRate} ${s.dataBits}${parityLetter[s.parity]}${s.stopBits}`;

/** Milliseconds one character takes on the wire: start bit, data bits, parity bit, stop bits. */
export const characterMs = (s: SerialSettings): number =>
  ((1 + s.dataBits + (s.parity === 'none' ? 0 : 1) + s.stopBits) * 1000) / s.baudRate;

/** The spec's inter-frame silence: 3.5 character times, fixed at 1.75 ms above 19200 baud. */
export const interFrameSilenceMs = (s: SerialSettings): number => (s.baudRate > 19200 ? 1.75 : 3.5 * characterMs(s));

/**
 * Readable reason for a failed open. The native binding reports plain strings ("Error: Permission denied,
 * cannot open /dev/ttyS0", "Error Resource temporarily unavailable Cannot lock port", "Opening COM3: Access
 * denied"), so the wording is matched, not an errno.
 */
export const describeSerialOpenError = (path: string, message: string): { text: string; errno: string | undefined } => {
  if (/no such file or directory|file not found/i.test(message)) {
    return { text: `serial port ${path} does not exist (is the adapter plugged in?)`, errno: 'ENOENT' };
  }
  if (/permission denied/i.test(message)) {
    return {
      text:
        `permission denied on ${path}: on Linux the user must be in the dialout group ` +
        '(sudo usermod -aG dialout $USER, then log out and in again)',
      errno: 'EACCES',
    };
  }
  if (/cannot lock port|resource temporarily unavailable|device or resource busy/i.test(message)) {
    return { text: `serial port ${path} is busy: another program has it open`, errno: 'EBUSY' };
  }
  // On Windows a port another program holds open answers "Access denied".
  if (/access denied/i.test(message)) {
    return { text: `serial port ${path} is in use by another program, or access was denied`, errno: 'EBUSY' };
  }
  return { text: message, errno: undefined };
};

/** serialport's mark for a port that vanished, or the errno a vanished tty gives on read or write. */
const isGone = (err: Error): boolean =>
  ('disconnected' in err && err.disconnected === true) ||
  ['EIO', 'ENXIO', 'ENODEV', 'EBADF'].includes((err as NodeJS.ErrnoException).code ?? '') ||
  /\b(EIO|ENXIO|ENODEV|EBADF)\b/.test(err.message);

/**
 * How often an open port's device node is checked. serialport 13 on Linux does not always notice a port
 * that went away: once the tty is hung up, read() returns 0 and its reader retries at once, forever (100% CPU,
 * no event; bindings-cpp issue 162). A USB adapter's node disappears when unplugged, so we look for it.
 */
const PRESENCE_CHECK_MS = 1000;
const WENT_AWAY = 'the port went away (adapter unplugged?)';

export class RtuSerialTransport extends EventEmitter<ModbusTransportEvents> implements ModbusTransport {
  readonly maxInFlight = 1;
  readonly target: string;
  private port: SerialPort | null = null;
  /** An open in progress, so close() can wait for it and close what it opened. */
  private opening: Promise<unknown> | null = null;
  private presence: NodeJS.Timeout | null = null;
  private readonly exchange: RtuExchange;

  constructor(
    readonly serial: SerialSettings,
    options: RtuSerialOptions = {},
  ) {
    super();
    this.target = describeSerial(serial);
    const charMs = characterMs(serial);
    this.exchange = new RtuExchange({
      target: this.target,
      write: (frame) => {
        const p = this.port;
        if (!p?.isOpen) return false;
        p.write(frame);
        return true;
      },
      silenceMs: interFrameSilenceMs(serial),
      transmitMs: (bytes) => bytes * charMs,
      broadcastTurnaroundMs: options.broadcastTurnaroundMs ?? 100,
    });
  }

  get connected(): boolean {
    return this.port?.isOpen ?? false;
  }

  async connect(): Promise<void> {
    await this.close();
    const s = this.serial;
    const port = new SerialPort({
      path: s.path,
      baudRate: s.baudRate,
      dataBits: s.dataBits,
      parity: s.parity,
      stopBits: s.stopBits,
      autoOpen: false,
      // Exclusive: two masters on one RS-485 line garble each other's frames.
      lock: true,
    });
    this.port = port;
    const opened = new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    this.opening = opened.catch(() => undefined);
    try {
      await opened;
    } catch (e) {
      if (this.port === port) this.port = null;
      const message = e instanceof Error ? e.message : String(e);
      const { text, errno } = describeSerialOpenError(s.path, message);
      throw new ModbusConnectError(`cannot open ${this.target}: ${text}`, errno);
    }
    if (this.port !== port) {
      // close() ran while the port was opening; it closes the port once the open has finished.
      throw new ModbusClosedError(`opening ${this.target} cancelled`);
    }
    let lastError: Error | null = null;
    port.on('data', (chunk: Buffer) => this.exchange.onData(chunk));
    port.on('error', (err: Error) => {
      lastError = err;
    });
    // Only an unexpected close gets here (close() lets go of the port first). A failed write closes the stream
    // with no argument after an 'error' event; a failed read closes it with serialport's DisconnectedError.
    port.on('close', (err: Error | null | undefined) => {
      const cause = err ?? lastError;
      this.lost(port, cause ? (isGone(cause) ? `${WENT_AWAY}: ${cause.message}` : cause.message) : 'port closed');
    });
    // Device nodes are files on Linux and macOS only; Windows COM ports are not.
    if (s.path.startsWith('/')) {
      this.presence = setInterval(() => void this.checkPresent(port), PRESENCE_CHECK_MS);
      this.presence.unref();
    }
  }

  private async checkPresent(port: SerialPort): Promise<void> {
    try {
      await stat(this.serial.path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') this.lost(port, WENT_AWAY);
    }
  }

  /** The port dropped under us: reject what is pending and tell the owner. */
  private lost(port: SerialPort, reason: string): void {
    if (this.port !== port) return;
    this.port = null;
    this.stopPresenceCheck();
    // Closing the descriptor also ends serialport's spinning reader; errors go to the 'error' listener.
    if (port.isOpen) port.close();
    this.exchange.failAll(new ModbusClosedError(`${this.target} lost: ${reason}`));
    this.emit('close', reason);
  }

  private stopPresenceCheck(): void {
    if (this.presence) clearInterval(this.presence);
    this.presence = null;
  }

  request(unitId: number, req: ModbusRequest, timeoutMs: number): Promise<ModbusResponse> {
    if (!this.connected) return Promise.reject(new ModbusClosedError(`${this.target} is not open`));
    return this.exchange.request(unitId, req, timeoutMs);
  }

  async close(): Promise<void> {
    const port = this.port;
    this.port = null;
    this.stopPresenceCheck();
    this.exchange.failAll(new ModbusClosedError(`${this.target} closed`));
    if (this.opening) await this.opening;
    this.opening = null;
    if (!port?.isOpen) return;
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}
