import { AttributeIds, coerceNodeId, type ClientSession, type ClientSubscription, type NodeId } from 'node-opcua';
import type { OpcUaTag } from '../../domain/device/opcua-schema.js';
import type { TagNodeUpdate } from '../types.js';
import { describeBrowsePath } from './browse-path.js';
import { browsePathsOf, nodeIdText, readNamespaceArray, resolveBrowsePaths } from './node-resolver.js';

/**
 * Keeps a collector's tags on the right nodes when a PLC download renumbers them. Works on node ids, not on the
 * collector's monitored-item layout: it moves the tags' node ids and, while node-opcua repairs a session, the node
 * ids its subscription is about to re-create.
 *
 * - At every connect, before monitoring: every tag with a browse path is resolved (one TranslateBrowsePathsToNodeIds
 *   per server limit) and follows its path when it now names another node. This also catches the worst case, an old
 *   id that now names a *different* variable, where the server never answers BadNodeIdUnknown.
 * - When node-opcua re-creates the subscription on a new session (the server restarted: a PLC download), the same
 *   check runs before the items are re-created, and the items are re-created on the new ids.
 * - During a session (the NamespaceArray changed, read every 10 s; or an item reported BadNodeIdUnknown) the collector asks
 *   `recheck`, and reconnects when a tag moved, which brings the connect-time check.
 * - Tags added without a browse path learn it once, after their first good connect (decided: the path is worked out
 *   up the server's hierarchy and stored, so older configurations become renumber-proof without a user action).
 */

/** What the relocator needs of a collector's tag; it updates nodeId and tag in place when the tag moves. */
export interface RelocatableTag {
  tagId: number;
  name: string;
  nodeId: NodeId | null;
  tag: OpcUaTag;
}

export interface Relocation {
  /** Tags now on another node (their nodeId and tag were updated). */
  moved: TagNodeUpdate[];
  /** Tags whose browse path no longer resolves and whose node id is unknown too: Bad, with this reason. */
  lost: { tag: RelocatableTag; reason: string }[];
  /** Old node id text -> new one, for re-creating monitored items. */
  nodeIds: Map<string, string>;
}

const BadNodeIdUnknown = 0x80340000;
/** How often the NamespaceArray is read during a session. */
const NAMESPACE_POLL_MS = 10_000;

export class TagRelocator {
  /** Tags whose browse path is being learned or was tried on this collector run (learned at most once). */
  private readonly learnTried = new Set<number>();
  /** Why a tag's path failed at the last check, for the collector's message when the server refuses its node. */
  private readonly pathProblems = new Map<number, string>();
  private nsPolling = false;
  private nsPolledAt = 0;
  private nsSession: ClientSession | null = null;
  private nsSeen: string | null = null;

  constructor(
    private readonly tags: readonly RelocatableTag[],
    private readonly report: (updates: TagNodeUpdate[]) => void,
  ) {}

  /** The reason to add to a tag's message when the server does not know its node ("" when none). */
  reasonFor(tagId: number): string {
    return this.pathProblems.get(tagId) ?? '';
  }

  /** Resolves every tag's browse path and moves the tags whose path now names another node. */
  async relocate(session: ClientSession): Promise<Relocation> {
    const withPath = this.tags.filter((t) => t.tag.browsePath !== '');
    const out: Relocation = { moved: [], lost: [], nodeIds: new Map() };
    if (withPath.length === 0) return out;
    // Fields of one variable share its path: each distinct path is asked once.
    const paths = [...new Set(withPath.map((t) => t.tag.browsePath))];
    const namespaces = await readNamespaceArray(session);
    // The namespaces these answers were resolved in: what pollNamespaceArray compares with.
    this.nsSession = session;
    this.nsSeen = JSON.stringify(namespaces);
    const answers = await resolveBrowsePaths(session, paths, namespaces);
    const byPath = new Map(paths.map((p, i) => [p, answers[i]!]));
    const failed: RelocatableTag[] = [];
    for (const t of withPath) {
      const answer = byPath.get(t.tag.browsePath)!;
      if (answer.nodeId === null) {
        this.pathProblems.set(t.tagId, answer.reason);
        failed.push(t);
        continue;
      }
      this.pathProblems.delete(t.tagId);
      const old = t.nodeId ? nodeIdText(t.nodeId) : t.tag.nodeId;
      if (old === answer.nodeId) continue;
      out.moved.push({
        tagId: t.tagId,
        name: t.name,
        oldNodeId: t.tag.nodeId,
        nodeId: answer.nodeId,
        browsePath: t.tag.browsePath,
        reason: 'moved',
      });
      out.nodeIds.set(old, answer.nodeId);
      t.nodeId = coerceNodeId(answer.nodeId);
      t.tag = { ...t.tag, nodeId: answer.nodeId };
    }
    out.lost = await this.unknownOf(session, failed);
    if (out.moved.length > 0) this.report(out.moved);
    return out;
  }

  /**
   * node-opcua's hook before it re-creates subscriptions on a new session: relocate, then point the subscription's
   * items at the new node ids so they are re-created there (node-opcua's own adjustMonitoredItemNodeIds is a stub).
   */
  async beforeRecreate(session: ClientSession, subscription: ClientSubscription | null): Promise<Relocation> {
    const r = await this.relocate(session);
    if (subscription && r.nodeIds.size > 0) {
      for (const item of Object.values(subscription.monitoredItems)) {
        const next = r.nodeIds.get(nodeIdText(item.itemToMonitor.nodeId));
        if (next) item.itemToMonitor.nodeId = coerceNodeId(next);
      }
    }
    return r;
  }

  /**
   * Calls `changed` when the server's NamespaceArray changed since the last look (a PLC download may add or reorder
   * namespaces, which shifts every ns= index). Called often (the collector's supervision loop); reads at most every
   * NAMESPACE_POLL_MS, only while some tag has a browse path, and with a Read rather than a monitored item, so the
   * server's item count stays one per variable.
   */
  pollNamespaceArray(session: ClientSession, changed: () => void, now = Date.now()): void {
    if (this.nsPolling || now - this.nsPolledAt < NAMESPACE_POLL_MS) return;
    if (!this.tags.some((t) => t.tag.browsePath !== '')) return;
    this.nsPolling = true;
    this.nsPolledAt = now;
    void readNamespaceArray(session)
      .then((list) => {
        const text = JSON.stringify(list);
        // A new session (reconnect) starts a new baseline: the connect-time check has just run.
        if (this.nsSession === session && this.nsSeen !== null && text !== this.nsSeen) changed();
        this.nsSession = session;
        this.nsSeen = text;
      })
      .catch(() => undefined) // unreadable: the connect-time and BadNodeIdUnknown checks remain
      .finally(() => (this.nsPolling = false));
  }

  /**
   * Works out and reports the browse path of good tags that have none, once per tag and collector run. Never throws:
   * a tag whose path cannot be told keeps '' (it still works, it just cannot be found again after a renumbering).
   */
  async learnPaths(session: ClientSession, good: (tagId: number) => boolean): Promise<void> {
    const todo = this.tags.filter(
      (t) => t.tag.browsePath === '' && t.nodeId !== null && !this.learnTried.has(t.tagId) && good(t.tagId),
    );
    if (todo.length === 0) return;
    for (const t of todo) this.learnTried.add(t.tagId);
    const ids = [...new Set(todo.map((t) => nodeIdText(t.nodeId!)))];
    let paths: string[];
    try {
      paths = await browsePathsOf(session, ids);
    } catch {
      return;
    }
    const byId = new Map(ids.map((id, i) => [id, paths[i] ?? '']));
    const updates: TagNodeUpdate[] = [];
    for (const t of todo) {
      const path = byId.get(nodeIdText(t.nodeId!)) ?? '';
      if (!path) continue;
      t.tag = { ...t.tag, browsePath: path };
      updates.push({
        tagId: t.tagId,
        name: t.name,
        oldNodeId: t.tag.nodeId,
        nodeId: t.tag.nodeId,
        browsePath: path,
        reason: 'path-learned',
      });
    }
    if (updates.length > 0) this.report(updates);
  }

  /** Of these tags (path failed), those whose node id the server does not know either. */
  private async unknownOf(session: ClientSession, failed: RelocatableTag[]): Promise<Relocation['lost']> {
    const ask = failed.filter((t) => t.nodeId !== null);
    if (ask.length === 0) return [];
    const answers = await session.read(ask.map((t) => ({ nodeId: t.nodeId!, attributeId: AttributeIds.NodeClass })));
    return ask.flatMap((t, i) => {
      if (answers[i]?.statusCode.value !== BadNodeIdUnknown) return [];
      const reason =
        `${this.pathProblems.get(t.tagId) ?? 'its browse path does not resolve'}; node ${t.tag.nodeId} is ` +
        `unknown to the server too (was ${describeBrowsePath(t.tag.browsePath)} removed or renamed in the PLC?)`;
      this.pathProblems.set(t.tagId, reason);
      return [{ tag: t, reason }];
    });
  }
}
