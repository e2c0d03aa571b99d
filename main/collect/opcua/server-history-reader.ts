import type { ClientSession, DataValue } from 'node-opcua';
import { errorMessage } from '../../domain/errors/app-error.js';
import type { Sample } from '../../domain/sample/sample.js';
import type {
  ServerHistory,
  ServerHistoryFill,
  ServerHistoryRequest,
  ServerHistoryUnavailable,
} from '../server-history.js';
import type { BackfillTag } from './backfill.js';
import { historyAccess, readProcessedHistory, readRawHistory } from './history-read.js';

const TIMEOUT_MS = 20_000;

/**
 * The trend's reader of one OPC UA device's history, on the collector's own session (no second connection
 * to the PLC). Raw HistoryRead when the range holds at most `maxRaw` values; otherwise processed Min, Max
 * and Average with the chart's bucket width, so the server does the reduction, not the network.
 */
export class ServerHistoryReader implements ServerHistory {
  private readonly byId: Map<number, BackfillTag>;
  /** HistoryRead access per tag, for the session it was read on. */
  private access = new WeakMap<ClientSession, Map<number, string | null>>();

  constructor(
    tags: readonly BackfillTag[],
    private readonly session: () => ClientSession | null,
    private readonly convert: (tag: BackfillTag, dv: DataValue) => Sample,
  ) {
    this.byId = new Map(tags.map((t) => [t.tagId, t]));
  }

  async read(
    tagId: number,
    from: number,
    to: number,
    req: ServerHistoryRequest,
  ): Promise<ServerHistoryFill | ServerHistoryUnavailable> {
    const tag = this.byId.get(tagId);
    const session = this.session();
    if (!tag?.node) return { unavailable: 'this tag has no valid node id' };
    if (!session) return { unavailable: 'the device is not connected, so its server history cannot be read now' };
    try {
      const denied = await this.denied(session, tag);
      if (denied) return { unavailable: `${tag.name}: ${denied}` };
      if (req.maxRaw > 0) {
        const raw = await this.raw(session, tag, from, to, req.maxRaw);
        if (raw) return raw;
      }
      return await this.processed(session, tag, Math.min(req.origin, from), to, req.bucketMs);
    } catch (err) {
      return { unavailable: `${tag.name}: ${errorMessage(err)}` };
    }
  }

  private async denied(session: ClientSession, tag: BackfillTag): Promise<string | null> {
    let m = this.access.get(session);
    if (!m) this.access.set(session, (m = new Map<number, string | null>()));
    if (!m.has(tag.tagId)) {
      const [a] = await historyAccess(session, [tag.node!.nodeId], TIMEOUT_MS);
      m.set(tag.tagId, a?.readable ? null : (a?.reason ?? 'its access level could not be read'));
    }
    return m.get(tag.tagId) ?? null;
  }

  /** Raw values, or null when there are more than maxRaw (the caller asks for buckets instead). */
  private async raw(
    session: ClientSession,
    tag: BackfillTag,
    from: number,
    to: number,
    maxRaw: number,
  ): Promise<ServerHistoryFill | null> {
    const samples: Sample[] = [];
    const res = await readRawHistory(session, [tag.node!], from, to, {
      pageSize: maxRaw + 1,
      maxValuesPerNode: maxRaw + 1,
      timeoutMs: TIMEOUT_MS,
      onPage: (_i, values) => {
        for (const dv of values) samples.push(this.convert(tag, dv));
      },
    });
    const n = res.nodes[0];
    if (n?.error) throw n.error;
    if (n?.truncated || samples.length > maxRaw) return null;
    const kept = samples.filter((s) => s.ts >= from && s.ts < to);
    return {
      bucketMs: null,
      ts: kept.map((s) => s.ts),
      avg: kept.map((s) => s.value),
      min: kept.map((s) => s.value),
      max: kept.map((s) => s.value),
      quality: kept.map((s) => s.quality),
    };
  }

  private async processed(
    session: ClientSession,
    tag: BackfillTag,
    start: number,
    to: number,
    bucketMs: number,
  ): Promise<ServerHistoryFill> {
    // Whole buckets only: servers differ on a last interval cut short by the end time.
    const end = start + Math.ceil((to - start) / bucketMs) * bucketMs;
    const p = await readProcessedHistory(session, tag.node!, start, end, bucketMs, TIMEOUT_MS);
    const valueOf = (dv: DataValue | undefined): number | null => {
      if (!dv || dv.statusCode.value >>> 30 >= 2) return null;
      const v: unknown = dv.value?.value;
      return typeof v === 'number' && Number.isFinite(v) ? v : null;
    };
    const at = (list: DataValue[]): Map<number, DataValue> =>
      new Map(list.map((dv) => [dv.sourceTimestamp?.getTime() ?? NaN, dv]));
    const mins = at(p.min);
    const maxs = at(p.max);
    const out: ServerHistoryFill = { bucketMs, ts: [], avg: [], min: [], max: [], quality: [] };
    p.avg.forEach((dv, i) => {
      const t = p.ts[i]!;
      out.ts.push(t);
      out.avg.push(valueOf(dv));
      out.min.push(valueOf(mins.get(t)));
      out.max.push(valueOf(maxs.get(t)));
      out.quality.push(dv.statusCode.value);
    });
    return out;
  }
}
