import {
  AttributeIds,
  type ClientMonitoredItemGroup,
  OPCUAClient,
  TimestampsToReturn,
  coerceNodeId,
  type ClientSession,
  type ClientSubscription,
  type DataValue,
  type NodeId,
} from 'node-opcua';
import type { DeviceConfig } from '../../config/device-schema.js';
import { Backoff, defaultBackoff, type BackoffOptions } from '../backoff.js';
import { Sleeper, formatDelay } from '../sleep.js';
import { settle, withTimeout } from '../timeout.js';
import {
  type Collector,
  type CollectorDevice,
  type CollectorEvents,
  type CollectorState,
  type Sample,
} from '../types.js';
import { sampleOf } from './convert.js';
import type { SecretStore } from '../../secrets/secret-store.js';
import { clientOptions, userIdentity } from './client-options.js';
import { serverCertificateOf } from './endpoints.js';
import { ServerCertificateError, describeOpcUaError, loginError, serverCertificateStatus } from './messages.js';
import { acquirePki, type PkiHandle } from './pki.js';
import { quietOpcUaLogs } from './quiet-logs.js';

/**
 * Subscribes to one OPC UA server. The first connection is our own retry loop (so every failed
 * attempt gets a readable state); once connected, node-opcua's reconnection repairs the channel,
 * session and subscription, and we only report it. A watchdog catches the case where repair never
 * brings data back (e.g. a server restart the client could not resume) and starts over.
 */

export type OpcUaDeviceConfig = Extract<DeviceConfig, { protocol: 'opcua' }>;

export interface OpcUaCollectorOptions {
  /** PKI folder for the client's certificate and trust lists (app: <dataDir>/pki). */
  pkiDir: string;
  /** Where the device's password is (user name login); without it such a device reports "no password". */
  secrets?: SecretStore;
  backoff?: BackoffOptions;
  /** Limit for connect/session/subscription setup, per attempt. */
  setupTimeoutMs?: number;
}

const BadNodeIdInvalid = 0x80330000;

/** Internal: a setup step noticed that stop() was called meanwhile. */
class CollectorStoppedError extends Error {
  readonly code = 'stopped';
  constructor() {
    super('collector stopped');
    this.name = 'CollectorStoppedError';
  }
}

interface TagRef {
  tagId: number;
  name: string;
  nodeId: NodeId | null;
  samplingIntervalMs: number;
}

/** One attempt's node-opcua objects, torn down together. */
interface Connection {
  client: OPCUAClient;
  session: ClientSession | null;
  subscription: ClientSubscription | null;
}

export class OpcUaCollector implements Collector {
  private readonly backoff: Backoff;
  private readonly sleeper = new Sleeper();
  private readonly tags: TagRef[];
  private readonly url: string;
  private conn: Connection | null = null;
  private running = false;
  private loop: Promise<void> | null = null;
  private lastState: CollectorState | null = null;
  private buffer: Sample[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private lastActivity = 0;
  /** Set when the current connection must be abandoned (watchdog, unrecoverable close). */
  private dropReason: string | null = null;
  /** The shared PKI of opts.pkiDir, taken on the first connect and released by stop(). */
  private pki: PkiHandle | null = null;

  constructor(
    private readonly device: CollectorDevice<OpcUaDeviceConfig>,
    private readonly events: CollectorEvents,
    private readonly opts: OpcUaCollectorOptions,
  ) {
    quietOpcUaLogs();
    this.url = device.config.settings.endpointUrl;
    this.backoff = new Backoff(opts.backoff ?? defaultBackoff);
    this.tags = device.config.tags.flatMap((t) => {
      const tagId = device.tagIds.get(t.name);
      if (tagId === undefined) return [];
      let nodeId: NodeId | null;
      try {
        nodeId = coerceNodeId(t.nodeId);
      } catch {
        nodeId = null; // reported as BadNodeIdInvalid for this tag only
      }
      return [{ tagId, name: t.name, nodeId, samplingIntervalMs: t.samplingIntervalMs }];
    });
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
    // Tear down first: disconnecting the client also aborts a connect still in progress, so the
    // loop ends promptly instead of after the setup timeout.
    await this.teardown();
    await settle(this.loop ?? undefined, 5000);
    this.loop = null;
    await this.teardown();
    this.flush();
    await this.pki?.release();
    this.pki = null;
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
    // Configured once per client: node-opcua's reconnection keeps this security and login.
    const client = OPCUAClient.create({
      ...clientOptions(s, pki),
      clientName: `TwinEdge device ${this.device.id}`,
      keepSessionAlive: true,
      requestedSessionTimeout: 60_000,
      // maxRetry 1 keeps the first connect short (our loop reports each failure) and, being > 0,
      // turns on node-opcua's endless reconnection once a connection was made.
      connectionStrategy: { maxRetry: 1, initialDelay: 250, maxDelay: (this.opts.backoff ?? defaultBackoff).maxMs },
    });
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
    conn.subscription = await withTimeout(
      conn.session.createSubscription2({
        requestedPublishingInterval: s.publishingIntervalMs,
        requestedLifetimeCount: 120,
        requestedMaxKeepAliveCount: 10,
        maxNotificationsPerPublish: 0,
        publishingEnabled: true,
        priority: 10,
      }),
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
    await this.monitor(sub);
  }

  /** stop() may tear a connection down while connect() is still awaiting; abandon it then. */
  private ensureCurrent(conn: Connection): void {
    if (this.conn !== conn || !this.running) {
      void settle(conn.session?.close(true), 2000).then(() => settle(conn.client.disconnect(), 2000));
      throw new CollectorStoppedError();
    }
  }

  /** One monitored item per tag, grouped by sampling interval; bad node ids become Bad samples. */
  private async monitor(sub: ClientSubscription): Promise<void> {
    const setupMs = this.opts.setupTimeoutMs ?? 15_000;
    const now = Date.now();
    const rejected: Sample[] = [];
    const byInterval = new Map<number, TagRef[]>();
    for (const t of this.tags) {
      if (!t.nodeId) {
        rejected.push({ tagId: t.tagId, ts: now, value: null, quality: BadNodeIdInvalid });
        continue;
      }
      const list = byInterval.get(t.samplingIntervalMs) ?? [];
      list.push(t);
      byInterval.set(t.samplingIntervalMs, list);
    }
    for (const [samplingInterval, tags] of byInterval) {
      const group = await withTimeout(
        sub.monitorItems(
          tags.map((t) => ({ nodeId: t.nodeId!, attributeId: AttributeIds.Value })),
          {
            samplingInterval,
            discardOldest: true,
            queueSize: Math.max(
              1,
              Math.ceil(this.device.config.settings.publishingIntervalMs / Math.max(samplingInterval, 1)),
            ),
          },
          TimestampsToReturn.Both,
        ),
        setupMs,
        'create monitored items',
      );
      this.watchGroup(group, tags);
      group.monitoredItems.forEach((item, i) => {
        const tag = tags[i];
        if (tag && item.statusCode.value >>> 30 >= 2) {
          rejected.push({ tagId: tag.tagId, ts: now, value: null, quality: item.statusCode.value });
        }
      });
    }
    if (rejected.length) this.events.onSamples(rejected);
  }

  private watchGroup(group: ClientMonitoredItemGroup, tags: TagRef[]): void {
    group.on('changed', (_item, dv: DataValue, index: number) => {
      const tag = tags[index];
      if (!tag) return;
      this.lastActivity = Date.now();
      this.buffer.push(sampleOf(tag.tagId, dv));
      // All notifications of one publish response arrive together: flush them as one batch.
      this.flushTimer ??= setTimeout(() => this.flush(), 10);
    });
  }

  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (!this.buffer.length) return;
    const batch = this.buffer;
    this.buffer = [];
    this.events.onSamples(batch);
  }

  private watchClient(client: OPCUAClient): void {
    const mine = (): boolean => this.conn?.client === client && this.running;
    client.on('connection_lost', () => {
      if (mine()) this.setState('connecting', `connection to ${this.url} lost — reconnecting`);
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
    await settle(conn.subscription?.terminate(), 2000);
    await settle(conn.session?.close(true), 2000);
    await settle(conn.client.disconnect(), 3000);
    conn.client.removeAllListeners();
  }
}
