import { type OPCUAClient, type ClientSession } from 'node-opcua';
import { type BackoffOptions } from '../backoff.js';
import { settle, withTimeout } from '../timeout.js';
import { StatusCodes } from '../../domain/sample/status-codes.js';
import { type Collector, type CollectorDevice, type CollectorEvents } from '../types.js';
import { type Sample } from '../../domain/sample/sample.js';
import type { DeviceDiagnostics } from '../../domain/device/device-state.js';
import { MonitoredItemSet } from './monitored-item-set.js';
import { ConnectionLifecycle } from './connection-lifecycle.js';
import type { SecretStore } from '../../secrets/secret-store.js';
import { quietOpcUaLogs } from './quiet-logs.js';
import type { ServerEventSink } from '../server-events.js';
import { ConditionMonitor } from './condition-monitor.js';
import { Backfill, type BackfillOptions } from './backfill.js';
import { ServerHistoryReader } from './server-history-reader.js';
import { TagRelocator, type Relocation } from './tag-relocator.js';
import { type Connection } from './collector-connection.js';
import { tagRefs, type OpcUaDeviceConfig, type TagRef } from './collector-tags.js';

/**
 * Subscribes to one OPC UA server. The first connection is our own retry loop (so every failed
 * attempt gets a readable state); once connected, node-opcua's reconnection repairs the channel,
 * session and subscription, and we only report it. A watchdog catches the case where repair never
 * brings data back (e.g. a server restart the client could not resume) and starts over.
 * This facade wires the connection lifecycle (connection-lifecycle.ts) to the monitored items
 * (monitored-item-set.ts), the renumbering, the server's alarms and the backfill.
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
  private readonly tags: TagRef[];
  /** Retry loop, setup, watchdog and teardown of the connection. */
  private readonly lifecycle: ConnectionLifecycle;
  /** Tags currently recorded bad because the connection is down (stored once per outage). */
  private downMarked = false;
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

  constructor(
    device: CollectorDevice<OpcUaDeviceConfig>,
    private readonly events: CollectorEvents,
    opts: OpcUaCollectorOptions,
  ) {
    quietOpcUaLogs();
    this.lifecycle = new ConnectionLifecycle(device, opts, {
      onState: (state) => this.events.onState(state),
      sessionOpened: (conn, session, setupMs) => this.followRenumbering(conn, session, setupMs),
      subscribed: async (session, sub, client) => {
        // Before monitoring: the first values may arrive while items are still being created.
        this.awaitingData = true;
        await this.itemSet.monitor(session, sub);
        // Hook: the server's alarms and events on the same subscription (ConditionRefresh included).
        await this.conditions?.attach(session, sub, client);
        void this.relocator.learnPaths(session, (id) => this.itemSet.isGood(id));
      },
      down: () => this.markDown(),
      tick: (session) =>
        this.relocator.pollNamespaceArray(session, () => this.recheck("the server's namespace array changed")),
      tornDown: (why) => {
        this.conditions?.detach(why);
        this.backfill.sessionGone();
      },
    });
    this.tags = tagRefs(device);
    this.itemSet = new MonitoredItemSet(this.tags, device.config.settings, opts.setupTimeoutMs ?? 15_000, {
      onSamples: (batch) => this.events.onSamples(batch),
      onData: (now) => {
        this.lifecycle.activity(now);
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
      () => this.lifecycle.connectedSession(),
      (t, dv) => this.itemSet.historicalSample(t.tagId, dv),
    );
    this.relocator = new TagRelocator(this.tags, (updates) => this.events.onTagNodes?.(updates));
  }

  /** Reads this device's server history for the trend (null while not connected is handled by the reader). */
  serverHistory(): ServerHistoryReader {
    return this.historyReader;
  }

  start(): void {
    this.lifecycle.start();
  }

  async stop(): Promise<void> {
    this.lifecycle.halt();
    // Before the session closes: a backfill in progress releases its continuation points.
    await settle(this.backfill.stop(), 5000);
    // What is buffered goes to the writer now, not after the (network-bound) teardown.
    this.itemSet.flush();
    await this.lifecycle.close();
    this.itemSet.flush();
    await this.lifecycle.releasePki();
    this.conditions?.detach('stopped');
  }

  /**
   * Renumbering hooks (TagRelocator): tags follow their browse paths now, before monitoring, and again whenever
   * node-opcua re-creates the subscription on a new session (the server restarted, e.g. after a PLC download).
   */
  private async followRenumbering(conn: Connection, session: ClientSession, setupMs: number): Promise<void> {
    // Tags whose path and node id are both gone are refused by monitor() below, with the path in the reason.
    await withTimeout(this.relocator.relocate(session), setupMs, 'resolve browse paths').catch(noRelocation);
    this.lifecycle.ensureCurrent(conn);
    // node-opcua's hook, not in its public typings: awaited before the subscription's items are re-created.
    (
      conn.client as OPCUAClient & { beforeSubscriptionRecreate?: (s: ClientSession) => Promise<Error | undefined> }
    ).beforeSubscriptionRecreate = async (newSession) => {
      if (this.lifecycle.isCurrent(conn)) {
        this.reportLost(await this.relocator.beforeRecreate(newSession, conn.subscription).catch(noRelocation));
      }
      return undefined;
    };
  }

  /** During a session: a node went unknown or the namespaces changed; reconnect if a tag now lives elsewhere. */
  private recheck(why: string): void {
    const conn = this.lifecycle.connection;
    if (this.rechecking || !conn?.session || !this.lifecycle.isRunning) return;
    this.rechecking = true;
    void this.relocator
      .relocate(conn.session)
      .catch(noRelocation)
      .then((r) => {
        this.reportLost(r);
        if (r.moved.length > 0 && this.lifecycle.connection === conn) {
          this.lifecycle.resubscribe(`${r.moved.length} tags moved to new node ids (${why}) — subscribing again`);
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
    const session = this.lifecycle.connection?.session;
    if (session) this.backfill.dataBack(session, Date.now());
  }
}
