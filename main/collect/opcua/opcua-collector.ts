import { type OPCUAClient, type ClientSession } from 'node-opcua';
import { Backoff, defaultBackoff, type BackoffOptions } from '../backoff.js';
import { Sleeper, formatDelay } from '../sleep.js';
import { settle, withTimeout } from '../timeout.js';
import { StatusCodes } from '../../domain/sample/status-codes.js';
import { type Collector, type CollectorDevice, type CollectorEvents, type CollectorState } from '../types.js';
import { type Sample } from '../../domain/sample/sample.js';
import type { DeviceDiagnostics } from '../../domain/device/device-state.js';
import { MonitoredItemSet } from './monitored-item-set.js';
import type { SecretStore } from '../../secrets/secret-store.js';
import { userIdentity } from './client-options.js';
import { serverCertificateOf } from './endpoints.js';
import { ServerCertificateError, describeOpcUaError, loginError, serverCertificateStatus } from './messages.js';
import { acquirePki, type PkiHandle } from './pki.js';
import { quietOpcUaLogs } from './quiet-logs.js';
import type { ServerEventSink } from '../server-events.js';
import { ConditionMonitor } from './condition-monitor.js';
import { Backfill, type BackfillOptions } from './backfill.js';
import { ServerHistoryReader } from './server-history-reader.js';
import { TagRelocator, type Relocation } from './tag-relocator.js';
import {
  CollectorStoppedError,
  createCollectorClient,
  subscriptionRequest,
  type Connection,
} from './collector-connection.js';
import { tagRefs, type OpcUaDeviceConfig, type TagRef } from './collector-tags.js';

/**
 * Subscribes to one OPC UA server. The first connection is our own retry loop (so every failed
 * attempt gets a readable state); once connected, node-opcua's reconnection repairs the channel,
 * session and subscription, and we only report it. A watchdog catches the case where repair never
 * brings data back (e.g. a server restart the client could not resume) and starts over.
 */

export type { OpcUaDeviceConfig } from './collector-tags.js';

export interface OpcUaCollectorOptions {
  /** PKI folder for the client's certificate and trust lists (app: <dataDir>/pki). */
  pkiDir: string;
  /** Where the device's password is (user name login); without it such a device reports "no password". */
  secrets?: SecretStore;
  backoff?: BackoffOptions;
  /** Limit for connect/session/subscription setup, per attempt. */
  setupTimeoutMs?: number;
  /** Where the server's own alarms and events go (settings.events); without it they are not subscribed to. */
  serverEvents?: ServerEventSink;
  /** Backfill after an outage from the server's history (limits, pacing, where its progress is kept). */
  backfill?: BackfillOptions;
}

/** A server that cannot resolve paths (or a call that failed) moves nothing: tags keep their configured node ids. */
const noRelocation = (): Relocation => ({ moved: [], lost: [], nodeIds: new Map() });

export class OpcUaCollector implements Collector {
  private readonly backoff: Backoff;
  private readonly sleeper = new Sleeper();
  private readonly tags: TagRef[];
  private readonly url: string;
  private conn: Connection | null = null;
  private running = false;
  private loop: Promise<void> | null = null;
  private lastState: CollectorState | null = null;
  private lastActivity = 0;
  /** Set when the current connection must be abandoned (watchdog, unrecoverable close). */
  private dropReason: string | null = null;
  private readonly backoffOptions: BackoffOptions;
  /** Tags currently recorded bad because the connection is down (stored once per outage). */
  private downMarked = false;
  /** The shared PKI of opts.pkiDir, taken on the first connect and released by stop(). */
  private pki: PkiHandle | null = null;
  /** Server alarms and events (condition-monitor.ts); null when not wanted. */
  private readonly conditions: ConditionMonitor | null;
  // ---- server history (backfill after an outage, trend fill) ----
  private readonly backfill: Backfill;
  private readonly historyReader: ServerHistoryReader;
  /** The monitored items: what the server granted, each tag's problem and kind, notifications to samples. */
  private readonly itemSet: MonitoredItemSet;
  /** When data-change notifications last arrived (the start of an outage's gap). */
  private lastDataAt: number | null = null;
  /** Set at connect: the first data of a connection closes the gap and starts the backfill. */
  private awaitingData = false;
  /** Follows tags to their new node ids after a PLC download (by browse path). */
  private readonly relocator: TagRelocator;
  private rechecking = false;
  private resubscribing = false;

  constructor(
    private readonly device: CollectorDevice<OpcUaDeviceConfig>,
    private readonly events: CollectorEvents,
    private readonly opts: OpcUaCollectorOptions,
  ) {
    quietOpcUaLogs();
    this.url = device.config.settings.endpointUrl;
    this.backoffOptions = opts.backoff ?? { ...defaultBackoff, maxMs: device.config.settings.reconnectMaxDelayMs };
    this.backoff = new Backoff(this.backoffOptions);
    this.tags = tagRefs(device);
    this.itemSet = new MonitoredItemSet(this.tags, device.config.settings, opts.setupTimeoutMs ?? 15_000, {
      onSamples: (batch) => this.events.onSamples(batch),
      onData: (now) => {
        this.lastActivity = now;
        this.lastDataAt = now;
        if (this.awaitingData || this.downMarked) this.dataBack();
        this.downMarked = false;
      },
      onUnknownNode: (why) => this.recheck(why),
      reasonFor: (tagId) => this.relocator.reasonFor(tagId),
    });
    const wanted = device.config.settings.events;
    this.conditions =
      opts.serverEvents && wanted.enabled
        ? new ConditionMonitor(device.id, wanted, opts.serverEvents, opts.setupTimeoutMs ?? 15_000)
        : null;
    // Read at each use: a tag relocated after a PLC download reads its history from the new node.
    const historyTags = this.tags.map((t) => ({
      tagId: t.tagId,
      name: t.name,
      get node() {
        return t.nodeId ? { nodeId: t.nodeId, indexRange: t.tag.indexRange } : null;
      },
    }));
    this.backfill = new Backfill(
      historyTags,
      (t, dv) => this.itemSet.historicalSample(t.tagId, dv),
      (batch) => this.events.onSamples(batch),
      opts.backfill,
    );
    this.historyReader = new ServerHistoryReader(
      historyTags,
      // Only while connected: a session under repair would hold the trend's request until it times out.
      () => (this.lastState?.state === 'connected' ? (this.conn?.session ?? null) : null),
      (t, dv) => this.itemSet.historicalSample(t.tagId, dv),
    );
    this.relocator = new TagRelocator(this.tags, (updates) => this.events.onTagNodes?.(updates));
  }

  /** Reads this device's server history for the trend (null while not connected is handled by the reader). */
  serverHistory(): ServerHistoryReader {
    return this.historyReader;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run().catch((e: unknown) => {
      this.setState('error', `collector stopped unexpectedly: ${describeOpcUaError(e)}`);
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    this.sleeper.cancel();
    // Before the session closes: a backfill in progress releases its continuation points.
    await settle(this.backfill.stop(), 5000);
    // What is buffered goes to the writer now, not after the (network-bound) teardown.
    this.itemSet.flush();
    // Tear down first: disconnecting the client also aborts a connect still in progress, so the
    // loop ends promptly instead of after the setup timeout.
    await this.teardown();
    await settle(this.loop ?? undefined, 5000);
    this.loop = null;
    await this.teardown();
    this.itemSet.flush();
    await this.pki?.release();
    this.pki = null;
    this.conditions?.detach('stopped');
  }

  private setState(state: CollectorState['state'], message: string | null): void {
    if (this.lastState && this.lastState.state === state && this.lastState.message === message) return;
    this.lastState = { state, message };
    this.events.onState({ state, message });
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
      if (lostReason !== null && !this.resubscribing) this.markDown();
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
    conn.session.on('session_closed', () => {
      if (this.conn === conn && this.running) this.drop('the server closed the session');
    });
    await this.followRenumbering(conn, setupMs);
    conn.subscription = await withTimeout(
      conn.session.createSubscription2(subscriptionRequest(s)),
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
    // Before monitoring: the first values may arrive while items are still being created.
    this.awaitingData = true;
    await this.itemSet.monitor(conn.session, sub);
    // Hook: the server's alarms and events on the same subscription (ConditionRefresh included).
    await this.conditions?.attach(conn.session, sub, client);
    void this.relocator.learnPaths(conn.session, (id) => this.itemSet.isGood(id));
  }

  /**
   * Renumbering hooks (TagRelocator): tags follow their browse paths now, before monitoring, and again whenever
   * node-opcua re-creates the subscription on a new session (the server restarted, e.g. after a PLC download).
   */
  private async followRenumbering(conn: Connection, setupMs: number): Promise<void> {
    const session = conn.session!;
    // Tags whose path and node id are both gone are refused by monitor() below, with the path in the reason.
    await withTimeout(this.relocator.relocate(session), setupMs, 'resolve browse paths').catch(noRelocation);
    this.ensureCurrent(conn);
    // node-opcua's hook, not in its public typings: awaited before the subscription's items are re-created.
    (
      conn.client as OPCUAClient & { beforeSubscriptionRecreate?: (s: ClientSession) => Promise<Error | undefined> }
    ).beforeSubscriptionRecreate = async (newSession) => {
      if (this.conn === conn && this.running) {
        this.reportLost(await this.relocator.beforeRecreate(newSession, conn.subscription).catch(noRelocation));
      }
      return undefined;
    };
  }

  /** During a session: a node went unknown or the namespaces changed; reconnect if a tag now lives elsewhere. */
  private recheck(why: string): void {
    const conn = this.conn;
    if (this.rechecking || !conn?.session || !this.running) return;
    this.rechecking = true;
    void this.relocator
      .relocate(conn.session)
      .catch(noRelocation)
      .then((r) => {
        this.reportLost(r);
        if (r.moved.length > 0 && this.conn === conn) {
          this.resubscribing = true;
          this.drop(`${r.moved.length} tags moved to new node ids (${why}) — subscribing again`);
        }
      })
      .finally(() => (this.rechecking = false));
  }

  private reportLost(r: Relocation): void {
    if (r.lost.length === 0) return;
    const out: Sample[] = [];
    const now = Date.now();
    for (const { tag, reason } of r.lost) {
      const t = this.tags.find((x) => x.tagId === tag.tagId);
      if (t) this.itemSet.reject(out, t, now, StatusCodes.BadNodeIdUnknown, reason);
    }
    this.events.onSamples(out);
  }

  /** stop() may tear a connection down while connect() is still awaiting; abandon it then. */
  private ensureCurrent(conn: Connection): void {
    if (this.conn !== conn || !this.running) {
      void settle(conn.session?.close(true), 2000).then(() => settle(conn.client.disconnect(), 2000));
      throw new CollectorStoppedError();
    }
  }

  diagnostics(): Omit<DeviceDiagnostics, 'deviceId'> {
    return this.itemSet.diagnostics(this.backfill.report());
  }

  /**
   * The connection is down: every tag is stored once as bad quality, so a trend shows the gap from here
   * instead of drawing the last value across the outage.
   */
  private markDown(): void {
    if (this.downMarked) return;
    this.downMarked = true;
    const ts = Date.now();
    this.backfill.down(this.lastDataAt ?? ts);
    this.backfill.sessionGone();
    this.itemSet.flush();
    this.events.onSamples(
      this.tags.map((t) => ({ tagId: t.tagId, ts, value: null, quality: StatusCodes.BadNoCommunication })),
    );
  }

  /** Backfill hook: data flows again on this connection's session. */
  private dataBack(): void {
    this.awaitingData = false;
    const session = this.conn?.session;
    if (session) this.backfill.dataBack(session, Date.now());
  }

  private watchClient(client: OPCUAClient): void {
    const mine = (): boolean => this.conn?.client === client && this.running;
    client.on('connection_lost', () => {
      if (!mine()) return;
      this.markDown();
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

  private drop(reason: string): void {
    this.dropReason ??= reason;
    this.sleeper.cancel();
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
      if (session)
        this.relocator.pollNamespaceArray(session, () => this.recheck("the server's namespace array changed"));
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
    this.conditions?.detach(this.running ? 'lost' : 'stopped');
    this.backfill.sessionGone();
    await settle(conn.subscription?.terminate(), 2000);
    await settle(conn.session?.close(true), 2000);
    await settle(conn.client.disconnect(), 3000);
    conn.client.removeAllListeners();
  }
}
