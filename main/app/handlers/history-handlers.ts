import type { Handlers } from '../../contract/router.js';
import { exportCsv } from '../../history/csv-export.js';
import type { HistoryService } from '../../history/history-query.js';
import type { RetentionService } from '../../history/retention.js';
import type { RollupService } from '../../history/rollups.js';
import type { Store } from '../../store/store.js';

type HistoryCalls =
  'history.query' | 'history.export' | 'retention.get' | 'retention.set' | 'views.list' | 'views.save' | 'views.delete';

export interface HistoryHandlerDeps {
  /** Each throws AppError('store_unavailable') when the store is not open. */
  requireStore: () => Store;
  history: () => HistoryService;
  rollups: () => RollupService;
  retention: () => RetentionService;
  /** Writes samples still held in memory, so answers include the newest ones. */
  flush: () => void;
  /** The app's time zone, for local times in exports. */
  timeZone: () => string;
}

export const historyHandlers = (deps: HistoryHandlerDeps): Pick<Handlers, HistoryCalls> => ({
  'history.query': (q) => deps.history().query(q),
  'history.export': (q) => {
    const store = deps.requireStore();
    deps.flush();
    // The exported tags over the exported range only; bucket exports read those rollups.
    if (q.resolution !== 'raw') deps.rollups().catchUpTags(q.tagIds, q.from, q.to);
    return exportCsv(store, q, deps.timeZone());
  },
  'retention.get': () => deps.retention().status(),
  'retention.set': (input) => {
    const retention = deps.retention();
    retention.update(input);
    return retention.status();
  },
  'views.list': () => deps.requireStore().views.list(),
  'views.save': (input) => deps.requireStore().views.save(input),
  'views.delete': ({ id }) => {
    deps.requireStore().views.delete(id);
    return { deleted: true as const };
  },
});
