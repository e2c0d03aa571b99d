import type { SecretStore } from '../../secrets/secret-store.js';
import type { BrowseEntry, NodeDetails } from '../../domain/opcua/browse.js';
import type { BrowseSessionDevice } from './browse-session.js';
import { browseChildren, targetNode, type BrowseTarget } from './browse.js';
import { parseNodeId } from './node-reads.js';
import { readNodeDetails } from './node-details.js';
import { writeNode } from './node-write.js';
import { quietOpcUaLogs } from './quiet-logs.js';
import { BrowseSessionPool, type OpenBrowseSession } from './session-pool.js';
import type { Position } from './value-browse.js';

/**
 * The address-space browser behind the "Address space" panel: one session per device, opened on
 * demand with the device's settings and closed after a few idle minutes, when the device is deleted
 * or its connection settings change, and on app stop. Independent of the collector's connection, so
 * browsing works whether or not the device is being collected. This file is the facade; the session
 * pool, browse, node details, type resolution and writes each live in their own file.
 */

export type { BrowseTarget } from './browse.js';

export interface OpcUaBrowseServiceOptions {
  pkiDir: string;
  /** Device passwords for user name logins. */
  secrets?: SecretStore;
  /** Close a session unused this long (default 3 minutes). */
  idleMs?: number;
  /** References per Browse/BrowseNext answer we ask for; more come through continuation points. */
  maxReferencesPerNode?: number;
  /** Per request; the connect gets the same. */
  timeoutMs?: number;
  /** Replaceable for tests (and for the shared client options once merged). */
  open?: OpenBrowseSession;
}

export class OpcUaBrowseService {
  private readonly pool: BrowseSessionPool;

  constructor(opts: OpcUaBrowseServiceOptions) {
    quietOpcUaLogs();
    this.pool = new BrowseSessionPool({
      pkiDir: opts.pkiDir,
      ...(opts.secrets ? { secrets: opts.secrets } : {}),
      ...(opts.open ? { open: opts.open } : {}),
      idleMs: opts.idleMs ?? 3 * 60_000,
      maxRefs: opts.maxReferencesPerNode ?? 1000,
      timeoutMs: opts.timeoutMs ?? 15_000,
    });
  }

  /** Devices with an open (or opening) browse session. */
  openSessions(): number[] {
    return this.pool.openSessions();
  }

  /**
   * Hierarchical children (Objects, Variables, Methods) of a node; Objects folder by default. A variable holding a
   * structure or an array also lists the parts of its value (fields, elements); with `indexRange`/`field`, only the
   * parts inside that place of the value.
   */
  async browse(device: BrowseSessionDevice, target: BrowseTarget | string = {}): Promise<BrowseEntry[]> {
    const t: BrowseTarget = typeof target === 'string' ? { nodeId: target } : target;
    const nodeId = targetNode(t);
    return this.pool.use(device, true, (ctx) => browseChildren(ctx, t, nodeId));
  }

  /** A node's attributes and value; with `part`, the value (and its type) is that field's or element's. */
  async readNode(device: BrowseSessionDevice, nodeIdText: string, part?: Position): Promise<NodeDetails> {
    const nodeId = parseNodeId(nodeIdText);
    return this.pool.use(device, true, (ctx) => readNodeDetails(ctx, nodeId, nodeIdText, part));
  }

  /** Writes a value converted to the node's data type; refuses (without sending) what cannot fit. */
  async write(
    device: BrowseSessionDevice,
    nodeIdText: string,
    input: number | boolean | string,
  ): Promise<{ request: string }> {
    const nodeId = parseNodeId(nodeIdText);
    // Not retried on a broken session: the engineer decides whether to send it again.
    return this.pool.use(device, false, (ctx) => writeNode(ctx, nodeId, nodeIdText, input));
  }

  /** Closes the device's browse session (device deleted, or its settings changed). */
  async close(deviceId: number): Promise<void> {
    await this.pool.close(deviceId);
  }

  /** Keeps only sessions of these devices with these settings; closes the rest. */
  async retain(devices: BrowseSessionDevice[]): Promise<void> {
    await this.pool.retain(devices);
  }

  async closeAll(): Promise<void> {
    await this.pool.closeAll();
  }
}
