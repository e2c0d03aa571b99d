import { type Tier } from '../cloud/account.js';

export type SyncState =
  /** No key, or sync switched off: nothing is buffered for upload. */
  | 'off'
  /** The user paused uploads; samples are still buffered. */
  | 'paused'
  /** Uploads are flowing (or there is nothing to upload). */
  | 'online'
  /** A key is set and nothing has been answered yet (just started, or the address or key changed). */
  | 'connecting'
  /** The API cannot be reached; samples are buffered and retried. */
  | 'offline'
  /** The API refused the key (401/403): buffered, not retried until the key changes. */
  | 'unauthorized'
  /**
   * TwinEdge answered, but not in a way that lets data flow (a device that must be linked by hand, a missing
   * route, server errors, a refused batch being retried): the summary names the route, status and field.
   */
  | 'problem'
  /** Waiting for the request budget (rate limit) to refill. */
  | 'throttled';

export type BufferFullPolicy =
  /** Keep the newest data: the oldest buffered samples are dropped (counted and shown). */
  | 'drop-oldest'
  /** Keep the oldest data: new samples are not buffered for upload while full (counted and shown). */
  | 'drop-newest';

export interface SyncBacklog {
  /** Samples stored locally and not yet confirmed by TwinEdge. */
  samples: number;
  /** Source time of the oldest of them, epoch ms; null when empty. */
  oldestTs: number | null;
  /** Bytes the buffer takes on disk. */
  bytes: number;
  capBytes: number;
  policy: BufferFullPolicy;
  /** Samples dropped because the buffer was full, since it was created. */
  droppedSamples: number;
  /** At the current ingest rate, how many hours of outage the remaining space holds (null: no ingest). */
  hoursOfOutageLeft: number | null;
}

export interface SyncBudget {
  tier: Tier | null;
  perMinute: { limit: number; remaining: number; resetAt: number } | null;
  perDay: { limit: number; remaining: number; resetAt: number } | null;
}

export interface CloudDeviceLink {
  deviceId: number;
  name: string;
  cloudId: string | null;
  /** linked: linked by hand to an existing TwinEdge device; needs_link: cannot be registered, waits for such a link. */
  state: 'pending' | 'synced' | 'linked' | 'needs_link' | 'conflict' | 'error' | 'unlinked';
  /** Plain-language explanation for conflict / error. */
  message: string | null;
  syncedAt: number | null;
}

export interface SyncStatus {
  state: SyncState;
  /** One line for the status bar / settings header, e.g. "Offline since 14:02 CET: connection refused". */
  summary: string;
  baseUrl: string;
  /** `host`: the host the key was entered for (it is sent nowhere else). */
  key: { set: boolean; last4: string | null; storedIn: string; host: string | null };
  paused: boolean;
  backlog: SyncBacklog;
  budget: SyncBudget;
  /** Points per second confirmed by TwinEdge over the last minute. */
  uploadRate: number;
  /** Samples per second entering the buffer over the last minute. */
  ingestRate: number;
  uploadedTotal: number;
  lastUploadAt: number | null;
  lastError: { at: number; message: string } | null;
  rejectedTotal: number;
  devices: CloudDeviceLink[];
}
