import { EventEmitter } from 'node:events';
import { Backoff } from '../backoff.js';
import { Sleeper, formatDelay } from '../sleep.js';
import { ModbusClosedError, ModbusError, ModbusTimeoutError } from './errors.js';
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
  { state: 'connecting'; message: string | null } | { state: 'connected' } | { state: 'error'; message: string };

export interface LineEvents {
  state: [LineState];
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
  private stopSignal: Promise<string> = Promise.resolve('stopped');
  private signalStop: () => void = () => undefined;
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

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopSignal = new Promise((resolve) => (this.signalStop = () => resolve('stopped')));
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

  /** Resolves when connected, or after timeoutMs (check `state`). */
  whenConnected(timeoutMs: number): Promise<void> {
    if (this.current.state === 'connected') return Promise.resolve();
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
    if (this.current.state !== 'connected') {
      const why = 'message' in this.current && this.current.message ? `: ${this.current.message}` : '';
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
    if (next.state === 'connected') for (const w of this.connectedWaiters.splice(0)) w();
    this.emit('state', next);
  }

  private async connectLoop(): Promise<void> {
    let lost: string | null = null;
    while (this.running) {
      this.setState({ state: 'connecting', message: lost });
      try {
        await this.transport.connect();
      } catch (e) {
        if (!this.running) break;
        const delay = this.backoff.next();
        this.setState({ state: 'error', message: `${errorText(e)} — retrying in ${formatDelay(delay)}` });
        await this.sleeper.sleep(delay);
        continue;
      }
      if (!this.running) break;
      this.backoff.reset();
      const closed = new Promise<string>((resolve) => this.transport.once('close', resolve));
      this.setState({ state: 'connected' });
      this.pump();
      const reason = await Promise.race([closed, this.stopSignal]);
      if (!this.running) break;
      lost = `connection to ${this.target} lost (${reason}) — reconnecting`;
      this.failQueued(new ModbusClosedError(lost));
      // A device that drops every connection at once would otherwise be hammered: wait a little.
      const delay = this.backoff.next();
      this.setState({ state: 'connecting', message: lost });
      await this.sleeper.sleep(delay);
    }
  }

  /** Sends as many queued requests as the transport allows, one unit at a time in turn. */
  private pump(): void {
    if (this.current.state !== 'connected') return;
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
          job.resolve(await this.transport.request(unit, job.req, job.timeoutMs));
          return;
        } catch (e) {
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
