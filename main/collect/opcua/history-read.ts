import {
  AggregateFunction,
  AttributeIds,
  HistoryData,
  HistoryReadRequest,
  NumericRange,
  ReadProcessedDetails,
  ReadRawModifiedDetails,
  TimestampsToReturn,
  coerceNodeId,
  type ClientSession,
  type DataValue,
  type NodeId,
} from 'node-opcua';
import { withTimeout } from '../timeout.js';

/**
 * HistoryRead (OPC UA Part 11) on a session: raw values in pages of numValuesPerNode, following continuation
 * points, and processed Min/Max/Average per interval. Every continuation point the server handed out is either
 * followed to its end or released (releaseContinuationPoints), also when the reader stops early or fails: a
 * server keeps only a few per session, and a leaked one can block the next history read of the same session.
 */

/** AccessLevel bit 2: the value's history can be read. */
export const HISTORY_READ_BIT = 0x04;

/** The server refused a history read for a node (its status code and name, e.g. BadHistoryOperationUnsupported). */
export class HistoryReadError extends Error {
  readonly code = 'history_read';
  constructor(
    readonly statusCode: number,
    readonly statusName: string,
    message: string,
  ) {
    super(message);
    this.name = 'HistoryReadError';
  }
}

export interface HistoryNode {
  nodeId: NodeId;
  /** NumericRange text of an array element or range; '' = the whole value. */
  indexRange: string;
}

export interface RawReadOptions {
  /** numValuesPerNode: values per node and call at most. */
  pageSize: number;
  timeoutMs: number;
  /** Called with each page (node index in `nodes`, its values oldest first); awaited before the next call. */
  onPage(index: number, values: DataValue[]): void | Promise<void>;
  /** Checked before every call: true ends the read (continuation points are released). */
  stop?(): boolean;
  /** Awaited before every call after the first (pacing, so live data keeps the channel). */
  pace?(): Promise<void>;
  /** Per node: once this many values were read, its continuation point is released (the rest is not read). */
  maxValuesPerNode?: number;
}

export interface RawReadResult {
  /** Per node: values read, and the error when the server refused it (the other nodes are still read). */
  nodes: { values: number; error: HistoryReadError | null; truncated: boolean }[];
  /** HistoryRead calls made (releases included). */
  calls: number;
  /** False when stop() ended the read before every node was complete. */
  complete: boolean;
}

const rangeOf = (n: HistoryNode): NumericRange | undefined =>
  n.indexRange ? new NumericRange(n.indexRange) : undefined;

const statusError = (code: number, name: string, node: HistoryNode): HistoryReadError =>
  new HistoryReadError(code, name, `the server refused the history of ${node.nodeId.toString()}: ${name}`);

const dataValuesOf = (historyData: unknown): DataValue[] =>
  historyData instanceof HistoryData ? (historyData.dataValues ?? []) : [];

/**
 * Raw history of several nodes over [from, to] in one request per page: each node's continuation point is
 * followed until it runs out, so every stored value comes back exactly once, in the server's order.
 */
export async function readRawHistory(
  session: ClientSession,
  nodes: readonly HistoryNode[],
  from: number,
  to: number,
  o: RawReadOptions,
): Promise<RawReadResult> {
  const out: RawReadResult = {
    nodes: nodes.map(() => ({ values: 0, error: null, truncated: false })),
    calls: 0,
    complete: true,
  };
  const details = new ReadRawModifiedDetails({
    isReadModified: false,
    startTime: new Date(from),
    endTime: new Date(to),
    numValuesPerNode: o.pageSize,
    returnBounds: false,
  });
  // Open continuation points by node index; the first call has none.
  let open = new Map<number, Buffer | null>(nodes.map((_, i) => [i, null]));
  let first = true;
  try {
    while (open.size > 0) {
      if (!first) await o.pace?.();
      if (o.stop?.()) {
        out.complete = false;
        break;
      }
      const asked = [...open.entries()];
      const response = await withTimeout(
        session.historyRead(
          new HistoryReadRequest({
            historyReadDetails: details,
            timestampsToReturn: TimestampsToReturn.Both,
            releaseContinuationPoints: false,
            nodesToRead: asked.map(([i, cp]) => ({
              nodeId: nodes[i]!.nodeId,
              indexRange: rangeOf(nodes[i]!),
              continuationPoint: first ? undefined : (cp ?? undefined),
            })),
          }),
        ),
        o.timeoutMs,
        'read history',
      );
      out.calls++;
      first = false;
      const next = new Map<number, Buffer | null>();
      const results = response.results ?? [];
      for (let k = 0; k < asked.length; k++) {
        const i = asked[k]![0];
        const r = results[k];
        const code = r?.statusCode.value ?? 0x80000000;
        const cp = r?.continuationPoint && r.continuationPoint.length > 0 ? r.continuationPoint : null;
        if (code >>> 30 >= 2) {
          out.nodes[i]!.error = statusError(code, r?.statusCode.name ?? 'Bad', nodes[i]!);
          if (cp) next.set(i, cp); // released below: an error with a point is still a point held
          continue;
        }
        const values = dataValuesOf(r?.historyData);
        const n = out.nodes[i]!;
        n.values += values.length;
        if (values.length) await o.onPage(i, values);
        if (!cp) continue;
        if (o.maxValuesPerNode !== undefined && n.values >= o.maxValuesPerNode) {
          n.truncated = true;
          await release(session, [{ node: nodes[i]!, cp }], o.timeoutMs);
          out.calls++;
          continue;
        }
        next.set(i, cp);
      }
      // Error results that carried a point: give it back now.
      const failed = [...next.entries()].filter(([i]) => out.nodes[i]!.error !== null);
      if (failed.length) {
        await release(
          session,
          failed.map(([i, cp]) => ({ node: nodes[i]!, cp: cp! })),
          o.timeoutMs,
        );
        out.calls++;
        for (const [i] of failed) next.delete(i);
      }
      open = next;
    }
  } finally {
    // Stopped or failed with points still open: release them (best effort, the session may be gone).
    const held = [...open.entries()].filter((e): e is [number, Buffer] => e[1] !== null);
    if (held.length) {
      out.complete = false;
      await release(
        session,
        held.map(([i, cp]) => ({ node: nodes[i]!, cp })),
        o.timeoutMs,
      ).catch(() => undefined);
      out.calls++;
    }
  }
  return out;
}

/** releaseContinuationPoints: the server frees them and returns no data. */
export async function release(
  session: ClientSession,
  points: readonly { node: HistoryNode; cp: Buffer }[],
  timeoutMs: number,
): Promise<void> {
  if (!points.length) return;
  await withTimeout(
    session.historyRead(
      new HistoryReadRequest({
        historyReadDetails: new ReadRawModifiedDetails({ isReadModified: false, numValuesPerNode: 1 }),
        timestampsToReturn: TimestampsToReturn.Both,
        releaseContinuationPoints: true,
        nodesToRead: points.map((p) => ({
          nodeId: p.node.nodeId,
          indexRange: rangeOf(p.node),
          continuationPoint: p.cp,
        })),
      }),
    ),
    timeoutMs,
    'release history continuation points',
  );
}

/** Min, Max and Average of one node per interval: the server's own aggregates (Part 13). */
export interface ProcessedHistory {
  /** Interval starts, epoch ms ascending (the Average answer's timestamps). */
  ts: number[];
  min: DataValue[];
  max: DataValue[];
  avg: DataValue[];
}

const aggregates = [AggregateFunction.Minimum, AggregateFunction.Maximum, AggregateFunction.Average] as const;

/**
 * HistoryRead processed of one node over [from, to) in intervals of `intervalMs`: the three aggregates are
 * three entries of one request (the spec's one aggregate per node to read), continuation points followed.
 */
export async function readProcessedHistory(
  session: ClientSession,
  node: HistoryNode,
  from: number,
  to: number,
  intervalMs: number,
  timeoutMs: number,
): Promise<ProcessedHistory> {
  const details = (kinds: readonly number[]): ReadProcessedDetails =>
    new ReadProcessedDetails({
      startTime: new Date(from),
      endTime: new Date(to),
      processingInterval: intervalMs,
      aggregateType: kinds.map((k) => coerceNodeId(aggregates[k]!)),
      // The server's own configuration (the encoded default, all zero, would be an invalid one of ours).
      aggregateConfiguration: { useServerCapabilitiesDefaults: true },
    });
  const got: DataValue[][] = [[], [], []];
  let cps: (Buffer | null)[] = [null, null, null];
  let first = true;
  try {
    while (first || cps.some((c) => c !== null)) {
      const idx = first ? [0, 1, 2] : [0, 1, 2].filter((k) => cps[k] !== null);
      const response = await withTimeout(
        session.historyRead(
          new HistoryReadRequest({
            historyReadDetails: details(idx),
            timestampsToReturn: TimestampsToReturn.Source,
            releaseContinuationPoints: false,
            nodesToRead: idx.map((k) => ({
              nodeId: node.nodeId,
              indexRange: rangeOf(node),
              continuationPoint: cps[k] ?? undefined,
            })),
          }),
        ),
        timeoutMs,
        'read processed history',
      );
      first = false;
      const next: (Buffer | null)[] = [null, null, null];
      idx.forEach((k, j) => {
        const r = response.results?.[j];
        const code = r?.statusCode.value ?? 0x80000000;
        if (code >>> 30 >= 2) throw statusError(code, r?.statusCode.name ?? 'Bad', node);
        got[k]!.push(...dataValuesOf(r?.historyData));
        next[k] = r?.continuationPoint && r.continuationPoint.length > 0 ? r.continuationPoint : null;
      });
      cps = next;
    }
  } finally {
    const held = cps.flatMap((cp) => (cp ? [{ node, cp }] : []));
    await release(session, held, timeoutMs).catch(() => undefined);
  }
  const [min, max, avg] = got as [DataValue[], DataValue[], DataValue[]];
  return { ts: avg.map((d) => d.sourceTimestamp?.getTime() ?? 0), min, max, avg };
}

/** Whether each node's history may be read by this session's user (UserAccessLevel's HistoryRead bit). */
export async function historyAccess(
  session: ClientSession,
  nodeIds: readonly NodeId[],
  timeoutMs: number,
): Promise<{ readable: boolean; reason: string | null }[]> {
  if (!nodeIds.length) return [];
  const dvs = await withTimeout(
    session.read(nodeIds.map((nodeId) => ({ nodeId, attributeId: AttributeIds.UserAccessLevel }))),
    timeoutMs,
    'read access levels',
  );
  return dvs.map((dv) => {
    if (dv.statusCode.value >>> 30 >= 2) return { readable: false, reason: `its access level: ${dv.statusCode.name}` };
    const level = Number(dv.value?.value ?? 0);
    return (level & HISTORY_READ_BIT) !== 0
      ? { readable: true, reason: null }
      : { readable: false, reason: 'the server keeps no readable history for it (no HistoryRead access)' };
  });
}
