import type { SyncState } from '../../../main/domain/sync/sync-status.js';

/** Each cloud sync state in words, as the badge shows it and as the status bar link is named. */
export const syncStateLabel: Record<SyncState, string> = {
  off: 'off',
  paused: 'paused',
  online: 'online',
  connecting: 'connecting',
  offline: 'offline',
  unauthorized: 'key refused',
  throttled: 'throttled',
  problem: 'answered with a problem',
};
