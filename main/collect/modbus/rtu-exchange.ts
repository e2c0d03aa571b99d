import { ModbusClosedError, ModbusRequestError, ModbusTimeoutError } from './errors.js';
import { encodeRequest, type ModbusRequest, type ModbusResponse } from './pdu.js';
import { RtuResponseReader, encodeRtuFrame } from './rtu-frame.js';

/**
 * One request at a time on an RTU line, shared by the serial and the RTU-over-TCP transports. RTU answers
 * carry no transaction id, so the only way to pair them is to never have two requests outstanding: further
 * requests wait here, first come first served.
 */

export interface RtuExchangeOptions {
  /** For messages: "/dev/ttyUSB0 19200 8E1". */
  target: string;
  /** Puts a frame on the line; false when the line is gone. */
  write: (frame: Buffer) => boolean;
  /** Silence kept between the end of one exchange and the next request (3.5 character times on a serial line). */
  silenceMs: number;
  /** Time the line needs to send `bytes`, added to a request's timeout so slow baud rates do not eat into it. */
  transmitMs: (bytes: number) => number;
  /** After a broadcast (unit 0) nobody answers; units need this long to act on it before the next request. */
  broadcastTurnaroundMs: number;
}

interface Queued {
  unitId: number;
  req: ModbusRequest;
  frame: Buffer;
  timeoutMs: number;
  resolve: (r: ModbusResponse) => void;
  reject: (e: Error) => void;
}

interface Active {
  item: Queued;
  reader: RtuResponseReader;
  timer: NodeJS.Timeout;
}

export const BROADCAST_UNIT = 0;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The echo a unit would have sent for a write; a broadcast write resolves with it. */
const writeEcho = (req: ModbusRequest): ModbusResponse => {
  switch (req.fc) {
    case 5:
      return { fc: 5, address: req.address, value: req.value };
    case 6:
      return { fc: 6, address: req.address, value: req.value & 0xffff };
    case 15:
    case 16:
      return { fc: req.fc, address: req.address, quantity: req.values.length };
    case 1:
    case 2:
    case 3:
    case 4:
      throw new ModbusRequestError(`unit ${BROADCAST_UNIT} is broadcast: it takes writes only, not function ${req.fc}`);
  }
};

export class RtuExchange {
  private queue: Queued[] = [];
  private active: Active | null = null;
  private running = false;
  /** performance.now() before which the line must stay silent. */
  private quietUntil = 0;

  constructor(private readonly options: RtuExchangeOptions) {}

  request(unitId: number, req: ModbusRequest, timeoutMs: number): Promise<ModbusResponse> {
    let frame: Buffer;
    try {
      if (!Number.isInteger(unitId) || unitId < 0 || unitId > 247) {
        throw new ModbusRequestError(`unit id ${unitId} is outside 0..247 on an RTU line`);
      }
      if (unitId === BROADCAST_UNIT) writeEcho(req);
      frame = encodeRtuFrame(unitId, encodeRequest(req));
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new ModbusRequestError(String(e)));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ unitId, req, frame, timeoutMs, resolve, reject });
      void this.pump();
    });
  }

  /** Bytes from the line. Bytes with no request waiting (a late answer, noise) are dropped. */
  onData(chunk: Buffer): void {
    // Silence is counted from the last byte heard, so the tail of a late answer cannot run into our next request.
    this.quietUntil = performance.now() + this.options.silenceMs;
    const a = this.active;
    if (!a) return;
    let res: ModbusResponse | null;
    try {
      res = a.reader.push(chunk);
    } catch (e) {
      this.finish(a, () => a.item.reject(e instanceof Error ? e : new ModbusRequestError(String(e))));
      return;
    }
    if (res) {
      const r = res;
      this.finish(a, () => a.item.resolve(r));
    }
  }

  /** Rejects the request on the line and every queued one (the line closed or dropped). */
  failAll(err: Error): void {
    // Empty the queue first: finishing the active request would otherwise send the next one.
    const queued = this.queue.splice(0);
    const a = this.active;
    if (a) this.finish(a, () => a.item.reject(err));
    for (const q of queued) q.reject(err);
  }

  private finish(a: Active, settle: () => void): void {
    if (this.active !== a) return;
    clearTimeout(a.timer);
    this.active = null;
    this.quietUntil = performance.now() + this.options.silenceMs;
    settle();
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.running || this.active) return;
    this.running = true;
    try {
      while (!this.active && this.queue.length > 0) {
        let wait: number;
        while ((wait = this.quietUntil - performance.now()) > 0) await sleep(wait);
        const item = this.queue.shift();
        if (!item) break;
        this.send(item);
        if (item.unitId === BROADCAST_UNIT) {
          // Nobody answers a broadcast; wait for the units to act on it before the next request.
          await sleep(this.options.transmitMs(item.frame.length) + this.options.broadcastTurnaroundMs);
          this.quietUntil = performance.now() + this.options.silenceMs;
        }
      }
    } finally {
      this.running = false;
    }
  }

  private send(item: Queued): void {
    if (!this.options.write(item.frame)) {
      item.reject(new ModbusClosedError(`not connected to ${this.options.target}`));
      return;
    }
    if (item.unitId === BROADCAST_UNIT) {
      item.resolve(writeEcho(item.req));
      return;
    }
    const timeoutMs = item.timeoutMs + this.options.transmitMs(item.frame.length);
    const active: Active = {
      item,
      reader: new RtuResponseReader(item.unitId, item.req),
      timer: setTimeout(() => {
        this.finish(active, () =>
          item.reject(
            new ModbusTimeoutError(
              `no answer from ${this.options.target} (unit ${item.unitId}) within ${item.timeoutMs} ms`,
            ),
          ),
        );
      }, timeoutMs),
    };
    this.active = active;
  }
}
