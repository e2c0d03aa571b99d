// The collector's monitored items and what they hold between connections: creating them on a subscription, what the
// server granted, each tag's problem and value kind, and routing data-change notifications into sample batches.
import {
  AttributeIds,
  NumericRange,
  TimestampsToReturn,
  type ClientMonitoredItemGroup,
  type ClientSession,
  type ClientSubscription,
  type DataValue,
  type NodeId,
} from 'node-opcua';
import { withTimeout } from '../timeout.js';
import { StatusCodes } from '../../domain/sample/status-codes.js';
import { type Sample } from '../../domain/sample/sample.js';
import type { DeviceDiagnostics } from '../../domain/device/device-state.js';
import type { OpcUaSettings, OpcUaTag } from '../../domain/device/opcua-schema.js';
import { appendSamples, type ItemTag, type SampleSink, type ValueKind } from './item-samples.js';
import { parseFieldPath } from './structure-fields.js';
import { planItems, type ItemPlan } from './monitored-items.js';
import { OpaqueTypeNames } from './opaque-type-names.js';
import { prepareStructureTypes } from './structure-types.js';
import { BadNodeIdInvalid, collectorDiagnostics, type TagRef } from './collector-tags.js';
import {
  monitoringParameters,
  serverItemsPerCall,
  type ItemState,
  type MonitoringParameters,
} from './monitoring-parameters.js';

/** History readings leave the tag's live problems and kind alone. */
const quietSink: SampleSink = { problem: () => undefined, kind: () => undefined };

/** What the item set tells its collector about the data flow (the connection's liveness and renumbering). */
export interface MonitoredItemHooks {
  /** Sample batches: notifications, refused items, lost tags. */
  onSamples(batch: Sample[]): void;
  /** A data-change notification arrived at `now`, before its samples are buffered. */
  onData(now: number): void;
  /** A notification said the server no longer knows a node: its tags may have moved. */
  onUnknownNode(why: string): void;
  /** Why a tag's node id is what it is after renumbering ('' when nothing to say). */
  reasonFor(tagId: number): string;
}

export class MonitoredItemSet {
  private readonly items = new Map<number, ItemState>();
  private revisedPublishingIntervalMs: number | null = null;
  private itemsPerCall: number | null = null;
  private readonly problems = new Map<number, { quality: number; message: string }>();
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
  private buffer: Sample[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  /** Each tag's element and field, as history values are converted (relocation changes only node ids). */
  private readonly historyItemTags = new Map<number, ItemTag>();

  constructor(
    private readonly tags: readonly TagRef[],
    private readonly settings: Pick<OpcUaSettings, 'publishingIntervalMs' | 'maxItemsPerCall'>,
    private readonly setupMs: number,
    private readonly hooks: MonitoredItemHooks,
  ) {}

  /**
   * One monitored item per (node, index range, parameters), however many tags (structure fields) read from it,
   * created in calls of at most the server's MaxMonitoredItemsPerCall, grouped by identical parameters (sampling,
   * queue, deadband). What the server revised is kept for the details view; an item the server refuses (unknown
   * node, unsupported deadband, bad index range) makes its tags Bad samples and leaves the others be.
   */
  async monitor(session: ClientSession, sub: ClientSubscription): Promise<void> {
    const setupMs = this.setupMs;
    const now = Date.now();
    const rejected: Sample[] = [];
    this.revisedPublishingIntervalMs = sub.publishingInterval;
    this.itemsPerCall = this.settings.maxItemsPerCall ?? (await serverItemsPerCall(session, setupMs));
    this.opaqueNames.use(session);
    await prepareStructureTypes(session, this.tags, setupMs);
    const valid: (TagRef & { nodeId: NodeId })[] = [];
    for (const t of this.tags) {
      if (t.nodeId) valid.push({ ...t, nodeId: t.nodeId });
      else this.reject(rejected, t, now, BadNodeIdInvalid, `"${t.tag.nodeId}" is not a valid node id`);
    }
    const groups = new Map<string, ItemPlan[]>();
    for (const item of planItems(valid, (t) => JSON.stringify(this.parameters(t)))) {
      // planItems never makes an item without tags.
      const first = item.tags[0];
      if (!first) continue;
      const key = JSON.stringify(this.parameters(first.tag));
      // Appended in place: copying the list per item would be quadratic for 50,000 items.
      const list = groups.get(key) ?? [];
      list.push(item);
      groups.set(key, list);
    }
    for (const items of groups.values()) {
      for (let i = 0; i < items.length; i += this.itemsPerCall) {
        const chunk = items.slice(i, i + this.itemsPerCall);
        const first = chunk[0]?.tags[0];
        if (!first) continue;
        const group = await withTimeout(
          sub.monitorItems(
            chunk.map((it) => ({
              nodeId: it.nodeId,
              attributeId: AttributeIds.Value,
              indexRange: it.indexRange === '' ? undefined : new NumericRange(it.indexRange),
            })),
            this.parameters(first.tag),
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
                  (this.hooks.reasonFor(tag.tagId) ? ` (${this.hooks.reasonFor(tag.tagId)})` : ''),
              );
            }
          }
        });
      }
    }
    if (rejected.length) this.hooks.onSamples(rejected);
  }

  /** Whether the server accepted the tag's monitored item (only those teach the relocator their browse paths). */
  isGood(tagId: number): boolean {
    return this.items.get(tagId)?.statusCode === 0;
  }

  /** Records a tag as bad with a reason (shown in diagnostics) and adds its Bad sample to `out`. */
  reject(out: Sample[], t: { tagId: number }, ts: number, quality: number, message: string): void {
    this.problems.set(t.tagId, { quality, message });
    out.push({ tagId: t.tagId, ts, value: null, quality });
  }

  /**
   * A value from the server's history, converted exactly as live notifications are (text, element, field), but
   * without touching the tag's live problems or kind.
   */
  historicalSample(tagId: number, dv: DataValue): Sample {
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

  /** The tags' problems and what the server granted, for the device's diagnostics. */
  diagnostics(backfill: DeviceDiagnostics['backfill']): Omit<DeviceDiagnostics, 'deviceId'> {
    return collectorDiagnostics({
      tags: this.tags,
      problems: this.problems,
      items: this.items,
      kinds: this.kinds,
      backfill,
      requestedPublishingIntervalMs: this.settings.publishingIntervalMs,
      revisedPublishingIntervalMs: this.revisedPublishingIntervalMs,
      itemsPerCall: this.itemsPerCall,
      requestedQueueSize: (t) => this.parameters(t).queueSize,
    });
  }

  /** Hands what is buffered to the sink now (stop, outage) instead of at the batch timer. */
  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (!this.buffer.length) return;
    const batch = this.buffer;
    this.buffer = [];
    this.hooks.onSamples(batch);
  }

  /** Requested monitoring parameters of a tag (see monitoring-parameters.ts). */
  private parameters(t: OpcUaTag): MonitoringParameters {
    return monitoringParameters(t, this.settings.publishingIntervalMs);
  }

  private watchGroup(group: ClientMonitoredItemGroup, items: ItemPlan[]): void {
    group.on('changed', (_item, dv: DataValue, index: number) => {
      const item = items[index];
      if (!item) return;
      const now = Date.now();
      this.hooks.onData(now);
      if (dv.statusCode.value === StatusCodes.BadNodeIdUnknown)
        this.hooks.onUnknownNode(`the server no longer knows ${item.nodeId.toString()}`);
      appendSamples(dv, item.tags, now, this.buffer, this.sink, this.opaqueNames.namer);
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
}
