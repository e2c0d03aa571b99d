import { EventEmitter } from 'node:events';
import { Backoff } from '../backoff.js';
import { Sleeper } from '../sleep.js';
import { ModbusClosedError, ModbusError, ModbusExceptionError, ModbusTimeoutError } from './errors.js';
import { retrySuffix } from '../retry-text.js';
import type { ModbusRequest, ModbusResponse } from './pdu.js';
import type { ModbusTransport } from './transport.js';

/**
 * One shared connection to a Modbus line (a TCP device or gateway, or a serial port) and the scheduler in
 * front of it. Every device (unit id) on the line queues its requests here; the line sends them round-robin
 * across units with at most one request per unit in flight, so a unit that never answers costs at most one
 * slot and one timeout per turn while the others keep being served. The line connects while anyone uses it
 * and reconnects by itself with capped backoff.
 */

export type LineState =
  | { state: 'connecting'; message: string | null }
  | { state: 'connected'; message: string | null }
  | { state: 'error'; message: string };

export interface LineEvents {
  state: [LineState];
  /** The connection opened and takes requests (also while the state stays error until the device answers). */
  open: [];
}

interface Job {
  req: ModbusRequest;
  timeoutMs: number;
  retries: number;
  resolve: (r: ModbusResponse) => void;
  reject: (e: Error) => void;
}

export interface LineOptions {
  reconnectInitialMs?: number;
  reconnectMaxDelayMs: number;
}

export class ModbusLine extends EventEmitter<LineEvents> {
  private readonly queues = new Map<number, Job[]>();
  /** Units in round-robin order; the head is served next. */
  private order: number[] = [];
  private readonly busyUnits = new Set<number>();
  private inFlight = 0;
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly sleeper = new Sleeper();
  private readonly backoff: Backoff;
  private current: LineState = { state: 'connecting', message: null };
  private connectedWaiters: (() => void)[] = [];
  private stopSignal: Promise<void> = Promise.resolve();
  private signalStop: () => void = () => undefined;
  /** The transport is connected and takes requests. */
  private isOpen = false;
  /** A valid Modbus answer (a response or an exception) came on the current connection. */
  private answered = false;
  /** Connection attempts in a row that ended without a valid answer (refused, garbage, closed at once). */
  private failures = 0;
  /** Requests sent on this line since it was created (for diagnostics and benchmarks). */
  requestsSent = 0;

  constructor(
    readonly transport: ModbusTransport,
    opts: LineOptions,
  ) {
    super();
    this.setMaxListeners(0);
    this.backoff = new Backoff({
      initialMs: opts.reconnectInitialMs ?? 500,
      maxMs: opts.reconnectMaxDelayMs,
      jitter: 0.2,
    });
  }

  get target(): string {
    return this.transport.target;
  }

  get state(): LineState {
    return this.current;
  }

  /** Requests can be sent: connected, or (after failed attempts) connected again and waiting for an answer. */
  get open(): boolean {
    return this.isOpen;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopSignal = new Promise((resolve) => (this.signalStop = resolve));
    this.loop = this.connectLoop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.signalStop();
    this.sleeper.cancel();
    await this.transport.close();
    await this.loop;
    this.failQueued(new ModbusClosedError(`connection to ${this.target} closed`));
    for (const w of this.connectedWaiters.splice(0)) w();
  }

  /** Resolves when the line takes requests, or after timeoutMs (check `open` and `state`). */
  whenConnected(timeoutMs: number): Promise<void> {
    if (this.isOpen) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.connectedWaiters.push(done);
    });
  }

  /**
   * Queues a request for a unit. Timeouts are retried `retries` times; exceptions are answers and are not.
   * Rejects at once with ModbusClosedError while the line is not connected.
   */
  request(unitId: number, req: ModbusRequest, timeoutMs: number, retries = 0): Promise<ModbusResponse> {
    if (!this.isOpen) {
      const why = this.current.message ? `: ${this.current.message}` : '';
      return Promise.reject(new ModbusClosedError(`not connected to ${this.target}${why}`));
    }
    return new Promise((resolve, reject) => {
      let q = this.queues.get(unitId);
      if (!q) {
        q = [];
        this.queues.set(unitId, q);
        this.order.push(unitId);
      }
      q.push({ req, timeoutMs, retries, resolve, reject });
      this.pump();
    });
  }

  private setState(next: LineState): void {
    this.current = next;
    this.emit('state', next);
  }

  /**
   * Connects, and reconnects with capped backoff. The backoff is reset by a valid Modbus answer, not by the TCP
   * connect: a peer that accepts and then sends garbage (an HTTP server on the port) or closes at once is a failed
   * attempt like a refused one. While attempts keep failing the state stays error, saying what the peer did; it
   * does not flip through connecting and connected on every attempt (each state change is a log line).
   */
  private async connectLoop(): Promise<void> {
    while (this.running) {
      try {
        await this.transport.connect();
      } catch (e) {
        if (!this.running) break;
        await this.retryAfter(errorText(e));
        continue;
      }
      if (!this.running) break;
      this.answered = false;
      const closed = new Promise<{ reason: string; notModbus: boolean }>((resolve) =>
        this.transport.once('close', (reason, notModbus) => resolve({ reason, notModbus: notModbus === true })),
      );
      this.isOpen = true;
      // After failed attempts the line is connected only once the device answers (see onAnswer).
      if (this.failures === 0) this.setState({ state: 'connected', message: null });
      for (const w of this.connectedWaiters.splice(0)) w();
      this.emit('open');
      this.pump();
      const end = await Promise.race([closed, this.stopSignal]);
      this.isOpen = false;
      if (!this.running || !end) break;
      if (!this.answered) {
        const text = end.notModbus
          ? end.reason
          : `${this.target} closed the connection before answering (${end.reason})`;
        this.failQueued(new ModbusClosedError(text));
        await this.retryAfter(text);
        continue;
      }
      const lost = `connection to ${this.target} lost (${end.reason}) — reconnecting`;
      this.failQueued(new ModbusClosedError(lost));
      this.setState({ state: 'connecting', message: lost });
      // A device that drops every connection at once would otherwise be hammered: wait a little.
      await this.sleeper.sleep(this.backoff.next());
    }
    this.isOpen = false;
  }

  /** One more failed attempt: the state says why, when the next one is and how many failed. */
  private async retryAfter(why: string): Promise<void> {
    this.failures++;
    const delay = this.backoff.next();
    this.setState({ state: 'error', message: `${why}${retrySuffix(delay, this.failures)}` });
    await this.sleeper.sleep(delay);
  }

  /** A valid Modbus answer: the device is there. Resets the backoff and ends an error streak. */
  private onAnswer(): void {
    if (this.answered || !this.isOpen) return;
    this.answered = true;
    this.backoff.reset();
    const failed = this.failures;
    this.failures = 0;
    if (this.current.state === 'connected') return;
    this.setState({
      state: 'connected',
      message: failed > 0 ? `answering again after ${failed} failed ${failed === 1 ? 'attempt' : 'attempts'}` : null,
    });
  }

  /** Sends as many queued requests as the transport allows, one unit at a time in turn. */
  private pump(): void {
    if (!this.isOpen) return;
    const max = Math.max(1, this.transport.maxInFlight);
    for (let i = 0; i < this.order.length && this.inFlight < max;) {
      const unit = this.order[i]!;
      const q = this.queues.get(unit);
      if (!q || q.length === 0) {
        this.queues.delete(unit);
        this.order.splice(i, 1);
        continue;
      }
      if (this.busyUnits.has(unit)) {
        i++;
        continue;
      }
      // Served units go to the back, so every unit gets its turn before any gets a second.
      this.order.splice(i, 1);
      this.order.push(unit);
      void this.send(unit, q.shift()!);
    }
  }

  private async send(unit: number, job: Job): Promise<void> {
    this.inFlight++;
    this.busyUnits.add(unit);
    try {
      for (let attempt = 0; ; attempt++) {
        this.requestsSent++;
        try {
          const res = await this.transport.request(unit, job.req, job.timeoutMs);
          this.onAnswer();
          job.resolve(res);
          return;
        } catch (e) {
          if (e instanceof ModbusExceptionError) this.onAnswer();
          if (!(e instanceof ModbusTimeoutError) || attempt >= job.retries || !this.transport.connected) {
            job.reject(
              e instanceof ModbusTimeoutError && attempt > 0
                ? new ModbusTimeoutError(`${e.message} (${attempt + 1} tries)`)
                : e instanceof Error
                  ? e
                  : new ModbusError('request', String(e)),
            );
            return;
          }
        }
      }
    } finally {
      this.inFlight--;
      this.busyUnits.delete(unit);
      this.pump();
    }
  }

  private failQueued(err: Error): void {
    for (const q of this.queues.values()) for (const job of q.splice(0)) job.reject(err);
    this.queues.clear();
    this.order = [];
  }
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
