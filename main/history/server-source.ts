import type { ServerHistory } from '../collect/server-history.js';
import type { CloudFill, CloudHistorySource, CloudUnavailable } from './cloud-source.js';

export interface ServerSourceDeps {
  /** The reader of the device a tag belongs to: null when it has none (Modbus) or is not collecting. */
  reader(tagId: number): { device: string; history: ServerHistory | null } | null;
}

/**
 * The device's own OPC UA server as a source of history older than the local store, beside TwinEdge: same
 * answer shape, so the trend marks it the same way (as filled, not local), only named differently.
 */
export class ServerHistorySource implements CloudHistorySource {
  constructor(private readonly d: ServerSourceDeps) {}

  async fetch(
    tagId: number,
    from: number,
    to: number,
    bucketMs: number,
    grid?: { origin: number; maxRaw: number },
  ): Promise<CloudFill | CloudUnavailable> {
    const r = this.d.reader(tagId);
    if (!r) return { unavailable: 'this tag is not on a device that is collecting.' };
    if (!r.history) return { unavailable: `"${r.device}" keeps no history of its own (only OPC UA servers can).` };
    const fill = await r.history.read(tagId, from, to, {
      origin: grid?.origin ?? from,
      bucketMs,
      maxRaw: grid?.maxRaw ?? 0,
    });
    return 'unavailable' in fill ? { unavailable: `"${r.device}": ${fill.unavailable}` } : fill;
  }
}
