// Cloud sync's settings as kept in the store: address, buffer cap and policy, pause, counters and the key's host.
import type { BufferFullPolicy } from '../domain/sync/sync-status.js';
import type { SettingsRepo } from '../store/settings-repo.js';

export const DEFAULT_BASE_URL = 'https://api.twinedgeai.com/v1';
const DEFAULT_CAP_BYTES = 1024 * 1024 * 1024;

export const settingKeys = {
  baseUrl: 'sync.baseUrl',
  capBytes: 'sync.capBytes',
  policy: 'sync.policy',
  paused: 'sync.paused',
  dropped: 'sync.droppedSamples',
  uploaded: 'sync.uploadedTotal',
  rejected: 'sync.rejectedTotal',
  installId: 'sync.installId',
  /** The host the API key was entered for: it is sent nowhere else. */
  keyHost: 'sync.keyHost',
  /** `{ host, path }`: the ingest route the service at `host` answered (remembered across restarts). */
  ingestPath: 'sync.ingestPath',
} as const;

/** Sync settings as the UI and the config file change them (each one optional: absent means unchanged). */
export interface SyncSettings {
  baseUrl?: string | undefined;
  capMiB?: number | undefined;
  policy?: BufferFullPolicy | undefined;
  paused?: boolean | undefined;
}

/** Reads and writes the sync settings, with their defaults; `baseUrl` overrides the stored address. */
export class SyncSettingsStore {
  constructor(
    private readonly settings: SettingsRepo,
    private readonly baseUrlOverride: string | undefined,
  ) {}

  get baseUrl(): string {
    const stored = this.settings.get(settingKeys.baseUrl);
    return this.baseUrlOverride ?? (typeof stored === 'string' ? stored : DEFAULT_BASE_URL);
  }

  get keyHost(): string | null {
    const v = this.settings.get(settingKeys.keyHost);
    return typeof v === 'string' ? v : null;
  }

  get capBytes(): number {
    const v = this.settings.get(settingKeys.capBytes);
    return typeof v === 'number' && v > 0 ? v : DEFAULT_CAP_BYTES;
  }

  get policy(): BufferFullPolicy {
    const v = this.settings.get(settingKeys.policy);
    return v === 'drop-newest' ? 'drop-newest' : 'drop-oldest';
  }

  get paused(): boolean {
    return this.settings.get(settingKeys.paused) === true;
  }

  counter(key: string): number {
    const v = this.settings.get(key);
    return typeof v === 'number' ? v : 0;
  }

  bump(key: string, n: number): void {
    if (n > 0) this.settings.set(key, this.counter(key) + n);
  }

  /** Writes the given settings and nothing else (the caller may be inside its own transaction). */
  write(input: SyncSettings): void {
    const s = this.settings;
    if (input.baseUrl !== undefined) s.set(settingKeys.baseUrl, input.baseUrl.replace(/\/+$/, ''));
    if (input.capMiB !== undefined) s.set(settingKeys.capBytes, input.capMiB * 1024 * 1024);
    if (input.policy !== undefined) s.set(settingKeys.policy, input.policy);
    if (input.paused !== undefined) s.set(settingKeys.paused, input.paused);
  }
}
