import type { Handlers } from '../../contract/router.js';
import { AppError } from '../errors.js';

type TrendCloudCalls = 'history.predictions' | 'views.toDashboard' | 'views.fromDashboard';

// INTEGRATION STUB: replaced by the cloud part of the trends work.
const notYet = (): never => {
  throw new AppError('unavailable', 'not built yet');
};

export const trendCloudHandlers = (): Pick<Handlers, TrendCloudCalls> => ({
  'history.predictions': notYet,
  'views.toDashboard': notYet,
  'views.fromDashboard': notYet,
});
