// The history service with the sources it asks for older data: the device's own OPC UA server, then TwinEdge.
import type { ServerHistory } from '../collect/server-history.js';
import type { Store } from '../store/store.js';
import type { SyncService } from '../sync/sync-service.js';
import type { RollupService } from '../history/rollups.js';
import { HistoryService } from '../history/history-query.js';
import { TwinEdgeHistory } from '../history/twinedge-history.js';
import { ServerHistorySource } from '../history/server-source.js';

export interface HistoryDeps {
  store: Store | null;
  rollups: RollupService | null;
  sync: SyncService | null;
  /** Writes samples still held in memory before a query. */
  flush: () => void;
  /** The running collector's HistoryRead of a device (read at each query: collectors start later). */
  serverHistory: (deviceId: number) => ServerHistory | null;
}

/** Null without a store (history lives there). */
export const createHistory = (d: HistoryDeps): HistoryService | null => {
  const { store, rollups, sync } = d;
  if (!store || !rollups) return null;
  return new HistoryService({
    store,
    rollups,
    flush: d.flush,
    server: new ServerHistorySource({
      reader: (tagId) => {
        const device = store.devices.list().find((dev) => dev.tags.some((t) => t.id === tagId));
        return device ? { device: device.config.name, history: d.serverHistory(device.id) } : null;
      },
    }),
    ...(sync
      ? {
          cloud: new TwinEdgeHistory({
            target: (tagId) => sync.cloudTarget(tagId),
            client: () => sync.cloud(),
            now: () => Date.now(),
          }),
        }
      : {}),
  });
};
