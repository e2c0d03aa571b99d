import {
  AttributeIds,
  type ClientMonitoredItemGroup,
  NumericRange,
  type OPCUAClient,
  TimestampsToReturn,
  type ClientSession,
  type ClientSubscription,
  type DataValue,
  type NodeId,
} from 'node-opcua';
import { Backoff, defaultBackoff, type BackoffOptions } from '../backoff.js';
import { Sleeper, formatDelay } from '../sleep.js';
import { settle, withTimeout } from '../timeout.js';
import { StatusCodes } from '../../domain/sample/status-codes.js';
import { type Collector, type CollectorDevice, type CollectorEvents, type CollectorState } from '../types.js';
import { type Sample } from '../../domain/sample/sample.js';
import type { DeviceDiagnostics } from '../../domain/device/device-state.js';
import type { OpcUaTag } from '../../domain/device/opcua-schema.js';
import { appendSamples, type ItemTag, type SampleSink, type ValueKind } from './item-samples.js';
import { parseFieldPath } from './structure-fields.js';
import { planItems, type ItemPlan } from './monitored-items.js';
import { OpaqueTypeNames } from './opaque-type-names.js';
import { prepareStructureTypes } from './structure-types.js';
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
import {
  BadNodeIdInvalid,
  collectorDiagnostics,
  tagRefs,
  type OpcUaDeviceConfig,
  type TagRef,
} from './collector-tags.js';
import {
  monitoringParameters,
  serverItemsPerCall,
  type ItemState,
  type MonitoringParameters,
} from './monitoring-parameters.js';

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

/** History readings leave the tag's live problems and kind alone. */
const quietSink: SampleSink = { problem: () => undefined, kind: () => undefined };

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
  private readonly backoffOptions: BackoffOptions;
  private readonly items = new Map<number, ItemState>();
  private revisedPublishingIntervalMs: number | null = null;
  private itemsPerCall: number | null = null;
  private readonly problems = new Map<number, { quality: number; message: string }>();
  /** Tags currently recorded bad because the connection is down (stored once per outage). */
  private downMarked = false;
  /** The kind of value each tag last had (number or text), for the app's trend axes. */
  private readonly kinds = new Map<number, ValueKind>();
  /** Names of structure types the server gave no definition for, looked up once per type. */
  private readonly opaqueNames = new OpaqueTypeNames(() => this.refreshOpaqueProblems());
  private readonly sink: SampleSink = {
    problem: (tagId, quality, message) => {
      if (message === null) this.problems.delete(tagId);
      else this.problems.set(tagId, { quality, message });
    },
    kind: (tagId, kind) => {
      if (this.kinds.get(tagId) !== kind) this.kinds.set(tagId, kind);
    },
  };
  /** The shared PKI of opts.pkiDir, taken on the first connect and released by stop(). */
  private pki: PkiHandle | null = null;
  /** Server alarms and events (condition-monitor.ts); null when not wanted. */
  private readonly conditions: ConditionMonitor | null;
  // ---- server history (backfill after an outage, trend fill) ----
  private readonly backfill: Backfill;
  private readonly historyReader: ServerHistoryReader;
  /** Each tag's element and field, as history values are converted (relocation changes only node ids). */
  private readonly historyItemTags = new Map<number, ItemTag>();
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
      (t, dv) => this.historicalSample(t.tagId, dv),
      (batch) => this.events.onSamples(batch),
      opts.backfill,
    );
    this.historyReader = new ServerHistoryReader(
      historyTags,
      // Only while connected: a session under repair would hold the trend's request until it times out.
      () => (this.lastState?.state === 'connected' ? (this.conn?.session ?? null) : null),
      (t, dv) => this.historicalSample(t.tagId, dv),
    );
    this.relocator = new TagRelocator(this.tags, (updates) => this.events.onTagNodes?.(updates));
  }

  /**
   * A value from the server's history, converted exactly as live notifications are (text, element, field), but
   * without touching the tag's live problems or kind.
   */
  private historicalSample(tagId: number, dv: DataValue): Sample {
    let tag = this.historyItemTags.get(tagId);
    if (!tag) {
      // Once per tag, not per history value: a backfill converts up to 100,000 values per tag.
      const ref = this.tags.find((t) => t.tagId === tagId);
      tag = { tagId, indexRange: ref?.tag.indexRange ?? '', path: parseFieldPath(ref?.tag.field ?? '') };
      this.historyItemTags.set(tagId, tag);
    }
    const out: Sample[] = [];
    appendSamples(dv, [tag], Date.now(), out, quietSink, this.opaqueNames.namer);
    return out[0] ?? { tagId, ts: Date.now(), value: null, quality: StatusCodes.Bad };
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
    this.flush();
    // Tear down first: disconnecting the client also aborts a connect still in progress, so the
    // loop ends promptly instead of after the setup timeout.
    await this.teardown();
    await settle(this.loop ?? undefined, 5000);
    this.loop = null;
    await this.teardown();
    this.flush();
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
    await this.monitor(conn.session, sub);
    // Hook: the server's alarms and events on the same subscription (ConditionRefresh included).
    await this.conditions?.attach(conn.session, sub, client);
    void this.relocator.learnPaths(conn.session, (id) => this.items.get(id)?.statusCode === 0);
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
      if (t) this.reject(out, t, now, StatusCodes.BadNodeIdUnknown, reason);
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

  /**
   * One monitored item per (node, index range, parameters), however many tags (structure fields) read from it,
   * created in calls of at most the server's MaxMonitoredItemsPerCall, grouped by identical parameters (sampling,
   * queue, deadband). What the server revised is kept for the details view; an item the server refuses (unknown
   * node, unsupported deadband, bad index range) makes its tags Bad samples and leaves the others be.
   */
  private async monitor(session: ClientSession, sub: ClientSubscription): Promise<void> {
    const setupMs = this.opts.setupTimeoutMs ?? 15_000;
    const s = this.device.config.settings;
    const now = Date.now();
    const rejected: Sample[] = [];
    this.revisedPublishingIntervalMs = sub.publishingInterval;
    this.itemsPerCall = s.maxItemsPerCall ?? (await serverItemsPerCall(session, setupMs));
    this.opaqueNames.use(session);
    await prepareStructureTypes(session, this.tags, setupMs);
    const valid: (TagRef & { nodeId: NodeId })[] = [];
    for (const t of this.tags) {
      if (t.nodeId) valid.push({ ...t, nodeId: t.nodeId });
      else this.reject(rejected, t, now, BadNodeIdInvalid, `"${t.tag.nodeId}" is not a valid node id`);
    }
    const groups = new Map<string, ItemPlan[]>();
    for (const item of planItems(valid, (t) => JSON.stringify(this.parameters(t)))) {
      const key = JSON.stringify(this.parameters(item.tags[0]!.tag));
      // Appended in place: copying the list per item would be quadratic for 50,000 items.
      const list = groups.get(key) ?? [];
      list.push(item);
      groups.set(key, list);
    }
    for (const items of groups.values()) {
      for (let i = 0; i < items.length; i += this.itemsPerCall) {
        const chunk = items.slice(i, i + this.itemsPerCall);
        const group = await withTimeout(
          sub.monitorItems(
            chunk.map((it) => ({
              nodeId: it.nodeId,
              attributeId: AttributeIds.Value,
              indexRange: it.indexRange === '' ? undefined : new NumericRange(it.indexRange),
            })),
            this.parameters(chunk[0]!.tags[0]!.tag),
            TimestampsToReturn.Both,
          ),
          setupMs,
          'create monitored items',
        );
        this.watchGroup(group, chunk);
        group.monitoredItems.forEach((monitored, j) => {
          const item = chunk[j];
          if (!item) return;
          const code = monitored.statusCode.value;
          const state: ItemState = {
            revisedSamplingIntervalMs: monitored.result?.revisedSamplingInterval ?? null,
            revisedQueueSize: monitored.result?.revisedQueueSize ?? null,
            statusCode: code,
          };
          for (const tag of item.tags) {
            this.items.set(tag.tagId, state);
            if (code >>> 30 >= 2) {
              const what =
                item.indexRange === '' ? tag.tag.nodeId : `${tag.tag.nodeId} (index range ${item.indexRange})`;
              this.reject(
                rejected,
                tag,
                now,
                code,
                `the server refused to monitor ${what}: ${monitored.statusCode.name}` +
                  (this.relocator.reasonFor(tag.tagId) ? ` (${this.relocator.reasonFor(tag.tagId)})` : ''),
              );
            }
          }
        });
      }
    }
    if (rejected.length) this.events.onSamples(rejected);
  }

  /** Requested monitoring parameters of a tag (see monitoring-parameters.ts). */
  private parameters(t: OpcUaTag): MonitoringParameters {
    return monitoringParameters(t, this.device.config.settings.publishingIntervalMs);
  }

  private reject(out: Sample[], t: { tagId: number }, ts: number, quality: number, message: string): void {
    this.problems.set(t.tagId, { quality, message });
    out.push({ tagId: t.tagId, ts, value: null, quality });
  }

  diagnostics(): Omit<DeviceDiagnostics, 'deviceId'> {
    return collectorDiagnostics({
      tags: this.tags,
      problems: this.problems,
      items: this.items,
      kinds: this.kinds,
      backfill: this.backfill.report(),
      requestedPublishingIntervalMs: this.device.config.settings.publishingIntervalMs,
      revisedPublishingIntervalMs: this.revisedPublishingIntervalMs,
      itemsPerCall: this.itemsPerCall,
      requestedQueueSize: (t) => this.parameters(t).queueSize,
    });
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
    this.flush();
    this.events.onSamples(
      this.tags.map((t) => ({ tagId: t.tagId, ts, value: null, quality: StatusCodes.BadNoCommunication })),
    );
  }

  private watchGroup(group: ClientMonitoredItemGroup, items: ItemPlan[]): void {
    group.on('changed', (_item, dv: DataValue, index: number) => {
      const item = items[index];
      if (!item) return;
      this.lastActivity = Date.now();
      this.lastDataAt = this.lastActivity;
      if (this.awaitingData || this.downMarked) this.dataBack();
      this.downMarked = false;
      if (dv.statusCode.value === StatusCodes.BadNodeIdUnknown)
        this.recheck(`the server no longer knows ${item.nodeId.toString()}`);
      appendSamples(dv, item.tags, this.lastActivity, this.buffer, this.sink, this.opaqueNames.namer);
      // All notifications of one publish response arrive together: flush them as one batch.
      this.flushTimer ??= setTimeout(() => this.flush(), 10);
    });
  }

  /** A structure type's name arrived: problems naming its encoding id now name the type. */
  private refreshOpaqueProblems(): void {
    for (const [tagId, p] of this.problems) {
      const renamed = this.opaqueNames.rename(p.message);
      if (renamed !== p.message) this.problems.set(tagId, { ...p, message: renamed });
    }
  }

  /** Backfill hook: data flows again on this connection's session. */
  private dataBack(): void {
    this.awaitingData = false;
    const session = this.conn?.session;
    if (session) this.backfill.dataBack(session, Date.now());
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
