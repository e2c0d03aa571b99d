import type { Handlers } from '../../contract/router.js';
import { AppError } from '../errors.js';

type HistoryCalls =
  'history.query' | 'history.export' | 'retention.get' | 'retention.set' | 'views.list' | 'views.save' | 'views.delete';

// INTEGRATION STUB: the store helper replaces this file with the real handlers.
const notYet = (): never => {
  throw new AppError('unavailable', 'not built yet');
};

export const historyHandlers = (): Pick<Handlers, HistoryCalls> => ({
  'history.query': notYet,
  'history.export': notYet,
  'retention.get': notYet,
  'retention.set': notYet,
  'views.list': notYet,
  'views.save': notYet,
  'views.delete': notYet,
});
