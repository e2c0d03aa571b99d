// Sample calls: each tag's latest value, and raw history for a range.
import type { Handlers } from '../../contract/router.js';
import type { Store } from '../../store/store.js';

export interface SamplesHandlerDeps {
  /** Throws AppError('store_unavailable') when the store is not open. */
  requireStore: () => Store;
  /** Writes samples still held in memory, so answers include the newest ones. */
  flush: () => void;
}

export const samplesHandlers = (deps: SamplesHandlerDeps): Pick<Handlers, 'samples.latest' | 'samples.history'> => ({
  'samples.latest': ({ tagIds }) => deps.requireStore().samples.latest(tagIds),
  'samples.history': ({ tagIds, from, to, maxPoints }) => {
    const s = deps.requireStore();
    deps.flush(); // so the newest samples are in the answer
    return tagIds.map((id) => s.samples.history(id, from, to, maxPoints));
  },
});
