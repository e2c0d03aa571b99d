import { z } from 'zod';
import type { OpcUaDeviceInput } from './device-schema.js';
import { OpcUaTag, type OpcUaSettings } from './opcua-schema.js';
import { StoragePolicy } from '../storage/storage-policy.js';

/**
 * OPC Publisher's published-nodes JSON (publishednodes.json), the format OPC UA engineers already keep their
 * node lists in: one entry per endpoint with its OpcNodes. Pure (no Node or DOM), so the renderer imports and
 * exports files with the same code. Passwords are never exported (they live in the OS keychain).
 */

const OpcNode = z
  .object({
    Id: z.string().optional(),
    // Older publisher files: "NodeId": { "Identifier": "ns=2;s=..." } or "ExpandedNodeId".
    ExpandedNodeId: z.string().optional(),
    NodeId: z.object({ Identifier: z.string() }).optional(),
    DisplayName: z.string().optional(),
    DataSetFieldId: z.string().optional(),
    OpcSamplingInterval: z.number().int().optional(),
    OpcPublishingInterval: z.number().int().optional(),
    QueueSize: z.number().int().optional(),
    DiscardNew: z.boolean().optional(),
    DeadbandType: z.enum(['Absolute', 'Percent']).optional(),
    DeadbandValue: z.number().optional(),
    /**
     * TwinEdge's own key: the tag's browse path (main/collect/opcua/browse-path.ts), so a renumbered node is found
     * again. Not OPC Publisher's "BrowsePath" (relative to the node in Id, namespace indexes): other tools ignore it.
     */
    TwinEdgeBrowsePath: z.string().optional(),
    /** TwinEdge's own keys: the tag's storage override (absent = the device's policy) and span. */
    TwinEdgeStorage: z.unknown().optional(),
    TwinEdgeSpanLow: z.number().nullable().optional(),
    TwinEdgeSpanHigh: z.number().nullable().optional(),
  })
  .loose();

const Entry = z
  .object({
    EndpointUrl: z.string(),
    UseSecurity: z.boolean().optional(),
    OpcAuthenticationMode: z.string().optional(),
    OpcAuthenticationUsername: z.string().optional(),
    DataSetPublishingInterval: z.number().int().optional(),
    DataSetWriterGroup: z.string().optional(),
    OpcNodes: z.array(OpcNode).default([]),
    /** TwinEdge's own key: the device's storage policy; absent = a new device's default. */
    TwinEdgeStorage: StoragePolicy.optional(),
  })
  .loose();

export interface PublishedNodesProblem {
  /** Where in the file: "[0].OpcNodes[3].Id". */
  path: string;
  message: string;
}

export interface PublishedEndpoint {
  endpointUrl: string;
  /** UseSecurity: the publisher picks the most secure endpoint; the user confirms mode and policy here. */
  useSecurity: boolean;
  identity: { type: 'anonymous' | 'username' | 'certificate'; userName: string };
  publishingIntervalMs: number | null;
  /** The device's storage policy when the file carries one (TwinEdgeStorage). */
  storage: StoragePolicy | null;
  /** Suggested device name (DataSetWriterGroup, else the endpoint's host). */
  name: string;
  tags: z.input<typeof OpcUaTag>[];
}

const pathOf = (p: PropertyKey[]): string =>
  p
    .map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`))
    .join('')
    .replace(/^\./, '');

const identityOf = (mode: string | undefined, user: string | undefined): PublishedEndpoint['identity'] => {
  const m = (mode ?? 'anonymous').toLowerCase();
  if (m === 'usernamepassword') return { type: 'username', userName: user ?? '' };
  if (m === 'certificate') return { type: 'certificate', userName: '' };
  return { type: 'anonymous', userName: '' };
};

/** Reads a published-nodes file; every problem names its place in the file, and good entries are still read. */
export const parsePublishedNodes = (
  text: string,
): { endpoints: PublishedEndpoint[]; problems: PublishedNodesProblem[] } => {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    return {
      endpoints: [],
      problems: [{ path: '', message: `not valid JSON: ${e instanceof Error ? e.message : String(e)}` }],
    };
  }
  const list = Array.isArray(json) ? json : [json];
  const endpoints: PublishedEndpoint[] = [];
  const problems: PublishedNodesProblem[] = [];
  list.forEach((raw, i) => {
    const parsed = Entry.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        problems.push({ path: pathOf([i, ...issue.path]), message: issue.message });
      return;
    }
    const e = parsed.data;
    const names = new Set<string>();
    const tags: PublishedEndpoint['tags'] = [];
    e.OpcNodes.forEach((n, j) => {
      const nodeId = n.Id ?? n.ExpandedNodeId ?? n.NodeId?.Identifier;
      if (!nodeId) {
        problems.push({ path: pathOf([i, 'OpcNodes', j]), message: 'a node needs "Id"' });
        return;
      }
      const base = (n.DisplayName ?? n.DataSetFieldId ?? nodeId).trim().slice(0, 76) || nodeId;
      let name = base;
      for (let k = 2; names.has(name); k++) name = `${base} (${k})`;
      names.add(name);
      const storage = StoragePolicy.nullable().optional().safeParse(n.TwinEdgeStorage);
      if (!storage.success) {
        for (const issue of storage.error.issues) {
          const where = ['TwinEdgeStorage', ...issue.path].join('.');
          problems.push({ path: pathOf([i, 'OpcNodes', j]), message: `${where}: ${issue.message}` });
        }
        return;
      }
      const tag: z.input<typeof OpcUaTag> = {
        name,
        nodeId,
        // Absent ('' by default) when the file does not say: the collector learns it at the first good connect.
        ...(n.TwinEdgeBrowsePath !== undefined ? { browsePath: n.TwinEdgeBrowsePath } : {}),
        ...(n.OpcSamplingInterval !== undefined ? { samplingIntervalMs: n.OpcSamplingInterval } : {}),
        ...(n.QueueSize !== undefined ? { queueSize: n.QueueSize } : {}),
        ...(n.DiscardNew !== undefined ? { discardOldest: !n.DiscardNew } : {}),
        ...(storage.success && storage.data !== undefined ? { storage: storage.data } : {}),
        ...(n.TwinEdgeSpanLow !== undefined ? { spanLow: n.TwinEdgeSpanLow } : {}),
        ...(n.TwinEdgeSpanHigh !== undefined ? { spanHigh: n.TwinEdgeSpanHigh } : {}),
        ...(n.DeadbandType
          ? {
              deadbandType: n.DeadbandType === 'Absolute' ? 'absolute' : 'percent',
              deadbandValue: n.DeadbandValue ?? 0,
            }
          : {}),
      };
      const check = OpcUaTag.safeParse(tag);
      if (!check.success) {
        for (const issue of check.error.issues) {
          problems.push({ path: pathOf([i, 'OpcNodes', j]), message: `${issue.path.join('.')}: ${issue.message}` });
        }
        return;
      }
      tags.push(tag);
    });
    const publishing =
      e.DataSetPublishingInterval ?? e.OpcNodes.find((n) => n.OpcPublishingInterval)?.OpcPublishingInterval;
    endpoints.push({
      endpointUrl: e.EndpointUrl,
      useSecurity: e.UseSecurity ?? false,
      identity: identityOf(e.OpcAuthenticationMode, e.OpcAuthenticationUsername),
      publishingIntervalMs: publishing ?? null,
      storage: e.TwinEdgeStorage ?? null,
      name: e.DataSetWriterGroup ?? hostOf(e.EndpointUrl),
      tags,
    });
  });
  return { endpoints, problems };
};

const hostOf = (url: string): string => /^opc\.tcp:\/\/([^/:]+)/.exec(url)?.[1] ?? url;

/** A device as a published-nodes entry (no password: it stays in the keychain). */
export const toPublishedNodes = (devices: { name: string; settings: OpcUaSettings; tags: OpcUaTag[] }[]): string =>
  JSON.stringify(
    devices.map((d) => ({
      EndpointUrl: d.settings.endpointUrl,
      UseSecurity: d.settings.securityMode !== 'None',
      OpcAuthenticationMode:
        d.settings.identity.type === 'username'
          ? 'UsernamePassword'
          : d.settings.identity.type === 'certificate'
            ? 'Certificate'
            : 'Anonymous',
      ...(d.settings.identity.type === 'username' ? { OpcAuthenticationUsername: d.settings.identity.userName } : {}),
      DataSetWriterGroup: d.name,
      DataSetPublishingInterval: d.settings.publishingIntervalMs,
      TwinEdgeStorage: d.settings.storage,
      OpcNodes: d.tags.map((t) => ({
        Id: t.nodeId,
        DisplayName: t.name,
        DataSetFieldId: t.name,
        OpcSamplingInterval: t.samplingIntervalMs,
        OpcPublishingInterval: d.settings.publishingIntervalMs,
        ...(t.queueSize > 0 ? { QueueSize: t.queueSize } : {}),
        DiscardNew: !t.discardOldest,
        ...(t.browsePath ? { TwinEdgeBrowsePath: t.browsePath } : {}),
        ...(t.storage ? { TwinEdgeStorage: t.storage } : {}),
        ...(t.spanLow !== null ? { TwinEdgeSpanLow: t.spanLow } : {}),
        ...(t.spanHigh !== null ? { TwinEdgeSpanHigh: t.spanHigh } : {}),
        ...(t.deadbandType !== 'none'
          ? { DeadbandType: t.deadbandType === 'absolute' ? 'Absolute' : 'Percent', DeadbandValue: t.deadbandValue }
          : {}),
      })),
    })),
    null,
    2,
  );

/** A parsed endpoint as a device the form can edit (mode and policy left for the user to pick). */
export const deviceFromPublished = (e: PublishedEndpoint): z.input<typeof OpcUaDeviceInput> => ({
  name: e.name,
  protocol: 'opcua',
  settings: {
    endpointUrl: e.endpointUrl,
    identity: { type: e.identity.type, userName: e.identity.userName },
    ...(e.publishingIntervalMs ? { publishingIntervalMs: e.publishingIntervalMs } : {}),
    ...(e.storage ? { storage: e.storage } : {}),
  },
  tags: e.tags,
});
