// The collector's view of its configured tags: each tag's id and parsed node id, and the diagnostics report of them.
import { coerceNodeId, type NodeId } from 'node-opcua';
import type { DeviceConfig } from '../../domain/device/device-schema.js';
import type { DeviceDiagnostics } from '../../domain/device/device-state.js';
import type { OpcUaTag } from '../../domain/device/opcua-schema.js';
import { StatusCodes } from '../../domain/sample/status-codes.js';
import { type CollectorDevice } from '../types.js';
import type { ValueKind } from './item-samples.js';
import type { ItemState } from './monitoring-parameters.js';

export type OpcUaDeviceConfig = Extract<DeviceConfig, { protocol: 'opcua' }>;

export const BadNodeIdInvalid = 0x80330000;

export interface TagRef {
  tagId: number;
  name: string;
  nodeId: NodeId | null;
  tag: OpcUaTag;
}

/** The device's tags that have an id, each with its node id parsed (null: not a node id). */
export const tagRefs = (device: CollectorDevice<OpcUaDeviceConfig>): TagRef[] =>
  device.config.tags.flatMap((t) => {
    const tagId = device.tagIds.get(t.name);
    if (tagId === undefined) return [];
    let nodeId: NodeId | null;
    try {
      nodeId = coerceNodeId(t.nodeId);
    } catch {
      nodeId = null; // reported as BadNodeIdInvalid for this tag only
    }
    return [{ tagId, name: t.name, nodeId, tag: t }];
  });

/** What the collector knows at the moment, gathered for the diagnostics report. */
export interface CollectorDiagnosticsInput {
  tags: readonly TagRef[];
  problems: ReadonlyMap<number, { quality: number; message: string }>;
  items: ReadonlyMap<number, ItemState>;
  kinds: ReadonlyMap<number, ValueKind>;
  backfill: DeviceDiagnostics['backfill'];
  requestedPublishingIntervalMs: number;
  revisedPublishingIntervalMs: number | null;
  itemsPerCall: number | null;
  requestedQueueSize: (t: OpcUaTag) => number;
}

/** The device's diagnostics: each tag's problem and what the server granted for its monitored item. */
export const collectorDiagnostics = (d: CollectorDiagnosticsInput): Omit<DeviceDiagnostics, 'deviceId'> => ({
  pollGroups: [],
  consecutiveFailures: 0,
  degraded: false,
  splitBlocks: 0,
  tagProblems: d.tags.flatMap((t) => {
    const p = d.problems.get(t.tagId);
    return p ? [{ tagId: t.tagId, name: t.name, address: t.tag.nodeId, quality: p.quality, message: p.message }] : [];
  }),
  backfill: d.backfill,
  subscription: {
    requestedPublishingIntervalMs: d.requestedPublishingIntervalMs,
    revisedPublishingIntervalMs: d.revisedPublishingIntervalMs,
    itemsPerCall: d.itemsPerCall,
    items: d.tags.map((t) => {
      const item = d.items.get(t.tagId);
      return {
        tagId: t.tagId,
        name: t.name,
        requestedSamplingIntervalMs: t.tag.samplingIntervalMs,
        revisedSamplingIntervalMs: item?.revisedSamplingIntervalMs ?? null,
        requestedQueueSize: d.requestedQueueSize(t.tag),
        revisedQueueSize: item?.revisedQueueSize ?? null,
        statusCode: item?.statusCode ?? (t.nodeId ? StatusCodes.BadNoCommunication : BadNodeIdInvalid),
        valueKind: d.kinds.get(t.tagId) ?? null,
      };
    }),
  },
});
