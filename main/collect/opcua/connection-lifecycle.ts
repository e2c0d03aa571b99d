// The collector's connection lifecycle: our own retry loop for the first connect, client, session and subscription
// setup, the watchdog over node-opcua's own repair, and the bounded teardown. What the collector does on a session
// (renumbering, monitored items, alarms, backfill) it plugs in through LifecycleHooks.
import { type OPCUAClient, type ClientSession, type ClientSubscription } from 'node-opcua';
import { Backoff, defaultBackoff, type BackoffOptions } from '../backoff.js';
import { Sleeper, formatDelay } from '../sleep.js';
import { settle, withTimeout } from '../timeout.js';
import { type CollectorDevice, type CollectorState } from '../types.js';
import type { SecretStore } from '../../secrets/secret-store.js';
import { userIdentity } from './client-options.js';
import { serverCertificateOf } from './endpoints.js';
import { ServerCertificateError, describeOpcUaError, loginError, serverCertificateStatus } from './messages.js';
import { acquirePki, type PkiHandle } from './pki.js';
import {
  CollectorStoppedError,
  createCollectorClient,
  subscriptionRequest,
  type Connection,
} from './collector-connection.js';
import type { OpcUaDeviceConfig } from './collector-tags.js';

/** What the lifecycle needs of the collector's options. */
export interface LifecycleOptions {
  pkiDir: string;
  secrets?: SecretStore;
  backoff?: BackoffOptions;
  setupTimeoutMs?: number;
}

/** The collector's part of each connection. */
export interface LifecycleHooks {
  onState(state: CollectorState): void;
  /** The session is up, before the subscription: tags follow their browse paths. */
  sessionOpened(conn: Connection, session: ClientSession, setupMs: number): Promise<void>;
  /** The subscription is up: monitor the tags, attach the alarms. */
  subscribed(session: ClientSession, sub: ClientSubscription, client: OPCUAClient): Promise<void>;
  /** The connection went down (an outage, not a resubscription). */
  down(): void;
  /** Every supervision tick while connected. */
  tick(session: ClientSession): void;
  /** A connection was torn down: 'lost' while running, 'stopped' after stop(). */
  tornDown(why: 'lost' | 'stopped'): void;
}

export class ConnectionLifecycle {
  private readonly backoff: Backoff;
  private readonly backoffOptions: BackoffOptions;
  private readonly sleeper = new Sleeper();
  private readonly url: string;
  private conn: Connection | null = null;
  private running = false;
  private loop: Promise<void> | null = null;
  private lastState: CollectorState | null = null;
  private lastActivity = 0;
  /** Set when the current connection must be abandoned (watchdog, unrecoverable close). */
  private dropReason: string | null = null;
  private resubscribing = false;
  /** The shared PKI of opts.pkiDir, taken on the first connect and released by releasePki(). */
  private pki: PkiHandle | null = null;

  constructor(
    private readonly device: CollectorDevice<OpcUaDeviceConfig>,
    private readonly opts: LifecycleOptions,
    private readonly hooks: LifecycleHooks,
  ) {
    this.url = device.config.settings.endpointUrl;
    this.backoffOptions = opts.backoff ?? { ...defaultBackoff, maxMs: device.config.settings.reconnectMaxDelayMs };
    this.backoff = new Backoff(this.backoffOptions);
  }

  /** The current connection's objects (null between connections). */
  get connection(): Connection | null {
    return this.conn;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** The session while connected; null while one is under repair (a request would wait for its timeout). */
  connectedSession(): ClientSession | null {
    return this.lastState?.state === 'connected' ? (this.conn?.session ?? null) : null;
  }

  /** Whether `conn` is still the one in use (stop() or a reconnect abandons it). */
  isCurrent(conn: Connection): boolean {
    return this.conn === conn && this.running;
  }

  /** Data or a keep-alive arrived: the watchdog counts silence from here. */
  activity(now: number): void {
    this.lastActivity = now;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run().catch((e: unknown) => {
      this.setState('error', `collector stopped unexpectedly: ${describeOpcUaError(e)}`);
    });
  }

  /** First step of stop(): no new attempt, no more sleeping. */
  halt(): void {
    this.running = false;
    this.sleeper.cancel();
  }

  /**
   * Second step of stop(). Tear down first: disconnecting the client also aborts a connect still in progress, so
   * the loop ends promptly instead of after the setup timeout.
   */
  async close(): Promise<void> {
    await this.teardown();
    await settle(this.loop ?? undefined, 5000);
    this.loop = null;
    await this.teardown();
  }

  async releasePki(): Promise<void> {
    await this.pki?.release();
    this.pki = null;
  }

  /** Abandons the current connection; the loop builds a fresh one. */
  drop(reason: string): void {
    this.dropReason ??= reason;
    this.sleeper.cancel();
  }

  /** Abandons the connection to subscribe again on renumbered nodes: no outage, the tags' last values stay. */
  resubscribe(reason: string): void {
    this.resubscribing = true;
    this.drop(reason);
  }

  /** stop() may tear a connection down while connect() is still awaiting; abandon it then. */
  ensureCurrent(conn: Connection): void {
    if (this.conn !== conn || !this.running) {
      void settle(conn.session?.close(true), 2000).then(() => settle(conn.client.disconnect(), 2000));
      throw new CollectorStoppedError();
    }
  }

  private setState(state: CollectorState['state'], message: string | null): void {
    if (this.lastState && this.lastState.state === state && this.lastState.message === message) return;
    this.lastState = { state, message };
    this.hooks.onState({ state, message });
  }

  private async run(): Promise<void> {
    let lostReason: string | null = null;
    while (this.running) {
      this.setState('connecting', lostReason);
      try {
        await this.connect();
      } catch (e) {
        await this.teardown();
        if (!this.running) break;
        const delay = this.backoff.next();
        this.setState(
          'error',
          `cannot connect to ${this.url}: ${describeOpcUaError(e)} — retrying in ${formatDelay(delay)}`,
        );
        await this.sleeper.sleep(delay);
        continue;
      }
      this.backoff.reset();
      this.setState('connected', null);
      lostReason = await this.superviseConnection();
      // Subscribing again on renumbered nodes is no outage: the tags' last values stay until the new ones come.
      if (lostReason !== null && !this.resubscribing) this.hooks.down();
      this.resubscribing = false;
      await this.teardown();
    }
  }

  private async connect(): Promise<void> {
    const s = this.device.config.settings;
    const setupMs = this.opts.setupTimeoutMs ?? 15_000;
    this.pki ??= acquirePki(this.opts.pkiDir);
    const pki = this.pki.pki;
    await withTimeout(pki.init(), setupMs, 'prepare the certificate');
    // Before any network traffic: a missing password or unreadable user certificate is the form's to fix.
    const identity = await userIdentity(s, this.opts.secrets, this.device.id);
    if (!this.running) throw new CollectorStoppedError();
    const client = createCollectorClient(s, pki, this.device.id, this.backoffOptions.maxMs);
    const conn: Connection = { client, session: null, subscription: null };
    this.conn = conn;
    this.dropReason = null;
    this.watchClient(client);
    try {
      await withTimeout(client.connect(this.url), setupMs, 'connect');
    } catch (e) {
      const status = serverCertificateStatus(e);
      if (status === null || !this.running) throw e;
      // Name the certificate, so the engineer can compare its thumbprint before trusting it.
      throw new ServerCertificateError(status, await serverCertificateOf(this.url, s, pki), { cause: e });
    }
    this.ensureCurrent(conn);
    // A failed first try inside connect() may have emitted 'close'; it is history now.
    this.dropReason = null;
    try {
      conn.session = await withTimeout(client.createSession(identity), setupMs, 'create session');
    } catch (e) {
      throw loginError(e, s.identity.type);
    }
    this.ensureCurrent(conn);
    const session = conn.session;
    session.on('session_closed', () => {
      if (this.conn === conn && this.running) this.drop('the server closed the session');
    });
    await this.hooks.sessionOpened(conn, session, setupMs);
    conn.subscription = await withTimeout(
      session.createSubscription2(subscriptionRequest(s)),
      setupMs,
      'create subscription',
    );
    this.ensureCurrent(conn);
    const sub = conn.subscription;
    this.lastActivity = Date.now();
    sub.on('keepalive', () => (this.lastActivity = Date.now()));
    sub.on('received_notifications', () => (this.lastActivity = Date.now()));
    sub.on('terminated', () => {
      if (this.conn === conn && this.running) this.drop('the server ended the subscription');
    });
    await this.hooks.subscribed(session, sub, client);
  }

  private watchClient(client: OPCUAClient): void {
    const mine = (): boolean => this.conn?.client === client && this.running;
    client.on('connection_lost', () => {
      if (!mine()) return;
      this.hooks.down();
      this.setState('connecting', `connection to ${this.url} lost — reconnecting`);
    });
    client.on('backoff', (count: number, delay: number) => {
      if (mine() && this.lastState?.state !== 'connected') {
        this.setState(
          'connecting',
          `connection to ${this.url} lost — reconnecting (attempt ${count + 1}, next in ${formatDelay(delay)})`,
        );
      }
    });
    client.on('connection_reestablished', () => {
      if (!mine()) return;
      this.lastActivity = Date.now();
      this.setState('connected', null);
    });
    client.on('close', (err?: Error | null) => {
      // With reconnection on, close with an error means node-opcua gave up: start over ourselves.
      if (mine() && err) this.drop(`connection to ${this.url} closed: ${describeOpcUaError(err)}`);
    });
  }

  /**
   * Waits while the connection is in use; returns the reason to reconnect, or null on stop().
   * node-opcua repairs short outages itself; silence beyond a few keep-alive periods means the
   * repair did not bring data back, and we build a fresh client, session and subscription.
   */
  private async superviseConnection(): Promise<string | null> {
    const s = this.device.config.settings;
    const silenceMs = Math.max(10_000, s.publishingIntervalMs * 10 * 3);
    while (this.running && this.dropReason === null) {
      await this.sleeper.sleep(500);
      const session = this.conn?.session;
      if (session) this.hooks.tick(session);
      if (Date.now() - this.lastActivity > silenceMs) {
        this.drop(`no data from ${this.url} for ${formatDelay(Date.now() - this.lastActivity)} — reconnecting`);
      }
    }
    return this.running ? this.dropReason : null;
  }

  /** Subscription, session, client — in that order, each bounded so stop() never hangs. */
  private async teardown(): Promise<void> {
    const conn = this.conn;
    this.conn = null;
    if (!conn) return;
    this.hooks.tornDown(this.running ? 'lost' : 'stopped');
    await settle(conn.subscription?.terminate(), 2000);
    await settle(conn.session?.close(true), 2000);
    await settle(conn.client.disconnect(), 3000);
    conn.client.removeAllListeners();
  }
}
