// The SyncStatus cloud sync reports: its state, the summary the engineer reads, and each change of state logged once.
import type { SyncState, SyncStatus } from '../domain/sync/sync-status.js';
import { hostOf } from '../domain/sync/base-url.js';
import { RateMeter } from '../domain/rate-meter.js';
import type { Logger } from '../log/logger.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { Store } from '../store/store.js';
import type { RequestBudget } from './budget.js';
import type { Clock } from './clock.js';
import { linkedAsset, type TagDirectory } from './directory.js';
import type { KeyLifecycle } from './key-lifecycle.js';
import type { RegistrationSchedule } from './registration-schedule.js';
import type { SyncHealth } from './sync-health.js';
import { settingKeys, type SyncSettingsStore } from './sync-settings.js';
import type { Uploader, UploaderState } from './uploader.js';

export interface StatusReportOptions {
  store: Store;
  secrets: SecretStore;
  settings: SyncSettingsStore;
  budget: RequestBudget;
  directory: TagDirectory;
  uploader: () => Uploader;
  keys: KeyLifecycle;
  health: SyncHealth;
  registration: RegistrationSchedule;
  /** Samples queued per second (the buffer policy's meter). */
  ingestMeter: RateMeter;
  clock: Clock;
  log: Logger;
  onStatus(status: SyncStatus): void;
}

/** Assembles the status from the parts of sync and sends it (every second, and on each change). */
export class StatusReport {
  /** Points TwinEdge accepted per second. */
  readonly uploadMeter = new RateMeter(60_000);
  private rates = { ingest: 0, upload: 0 };
  /** What `emit` last reported, to log each change of state once. */
  private loggedState: { state: SyncState; detail: string } | null = null;

  constructor(private readonly o: StatusReportOptions) {}

  status(): SyncStatus {
    const { store, settings, keys, health } = this.o;
    const totals = store.outbox.current;
    const capBytes = settings.capBytes;
    const perSample = totals.samples > 0 ? totals.bytes / totals.samples : 60;
    const left = Math.max(0, capBytes - totals.bytes);
    // Read once per status (every second): both the state and its summary depend on it.
    const problem = this.problem();
    const state = this.state(problem);
    const rl = this.o.budget.lastState;
    const links = store.sync.links();
    const byId = new Map(links.map((l) => [l.deviceId, l]));
    return {
      state,
      summary: this.summary(state, problem),
      baseUrl: settings.baseUrl,
      key: {
        set: keys.key !== null,
        last4: keys.key ? keys.key.slice(-4) : null,
        storedIn: this.o.secrets.description,
        host: keys.key ? keys.keyHost : null,
      },
      paused: settings.paused,
      backlog: {
        samples: totals.samples,
        oldestTs: totals.samples > 0 ? store.outbox.oldestTs() : null,
        bytes: totals.bytes,
        capBytes,
        policy: settings.policy,
        droppedSamples: settings.counter(settingKeys.dropped),
        hoursOfOutageLeft: this.rates.ingest > 0 ? left / perSample / this.rates.ingest / 3600 : null,
      },
      budget: {
        tier: keys.tier,
        perMinute:
          rl && rl.limit !== null && rl.remaining !== null && rl.resetAt !== null
            ? { limit: rl.limit, remaining: rl.remaining, resetAt: rl.resetAt }
            : null,
        perDay:
          rl && rl.dayLimit !== null && rl.dayRemaining !== null && rl.dayResetAt !== null
            ? { limit: rl.dayLimit, remaining: rl.dayRemaining, resetAt: rl.dayResetAt }
            : null,
      },
      uploadRate: Math.round(this.rates.upload * 10) / 10,
      ingestRate: Math.round(this.rates.ingest * 10) / 10,
      uploadedTotal: settings.counter(settingKeys.uploaded),
      lastUploadAt: health.lastUploadAt,
      lastError: health.lastError,
      rejectedTotal: settings.counter(settingKeys.rejected),
      // From the directory, not the store: a status goes out every second, and devices can hold 100,000 tags.
      devices: this.o.directory.devices().map((d) => {
        const l = byId.get(d.id);
        return {
          deviceId: d.id,
          name: d.name,
          cloudId: l?.cloudId ?? null,
          state: l?.state === 'unlinked' || l?.state === 'deleting' ? 'unlinked' : (l?.state ?? 'pending'),
          message: l?.message ?? null,
          syncedAt: l?.syncedAt ?? null,
        };
      }),
    };
  }

  /** Takes the rates, assembles the status, logs a change of state and sends it. */
  emit(): SyncStatus {
    const now = this.o.clock.now();
    this.rates = { ingest: this.o.ingestMeter.rate(now), upload: this.uploadMeter.rate(now) };
    const s = this.status();
    this.logState(s);
    this.o.onStatus(s);
    return s;
  }

  private state(problem: string | null): SyncState {
    const { keys, health } = this.o;
    if (!keys.key || keys.blockReason()) return 'off';
    if (this.o.settings.paused) return 'paused';
    const u: UploaderState = this.o.uploader().state;
    if (u === 'unauthorized' || health.keyRefused) return 'unauthorized';
    // "Cannot reach" only when no answer came: every failure counted here had none.
    if (u === 'offline' || this.o.registration.failures > 0) return 'offline';
    if (problem) return 'problem';
    if (u === 'throttled') return 'throttled';
    // "Online" only once TwinEdge has answered something: before that nothing is known.
    return health.answered ? 'online' : 'connecting';
  }

  /** What TwinEdge answered that keeps data from flowing, as "route status: what" text; null when nothing. */
  private problem(): string | null {
    const { health, directory } = this.o;
    if (this.o.uploader().state === 'problem')
      return health.uploaderDetail ?? health.lastError?.message ?? 'uploads fail';
    const links = this.o.store.sync.links();
    const waiting = links.filter((l) => l.state === 'needs_link');
    if (waiting.length > 0) {
      const names = waiting.map((l) => `"${directory.deviceName(l.deviceId)}"`).join(', ');
      return `${waiting.length === 1 ? 'the device' : 'the devices'} ${names} cannot be registered and ${waiting.length === 1 ? 'waits' : 'wait'} to be linked to a TwinEdge device by hand (Cloud sync → Devices in TwinEdge). ${waiting[0]?.message ?? ''}`.trim();
    }
    // A device whose registration was refused has no TwinEdge asset yet: its samples wait, and that is said.
    const refused = links.find((l) => l.state === 'error' && linkedAsset(l) === null);
    if (refused)
      return `the device "${directory.deviceName(refused.deviceId)}" could not be registered, so its samples wait: ${refused.message ?? 'no reason given'}`;
    return this.o.registration.problem;
  }

  private summary(state: SyncState, problem: string | null): string {
    const { keys, health } = this.o;
    const baseUrl = this.o.settings.baseUrl;
    const backlog = this.o.store.outbox.current.samples;
    const buffered = `${backlog.toLocaleString('en-US')} samples buffered`;
    switch (state) {
      case 'off':
        return keys.blockReason() ?? keys.keyError ?? 'Cloud sync is off: no TwinEdge API key is set.';
      case 'paused':
        return `Uploads paused; ${buffered}.`;
      case 'unauthorized':
        return `TwinEdge refused the API key; ${buffered}. ${health.lastError?.message ?? ''}`.trim();
      case 'offline':
        return `Cannot reach TwinEdge; ${buffered} and retried automatically. ${health.lastError?.message ?? ''}`.trim();
      case 'problem':
        return `TwinEdge answered, but ${(problem ?? 'not with a delivery').replace(/\.+$/, '')}; ${buffered}.`;
      case 'throttled':
        return `Waiting for the request budget; ${buffered}. ${health.uploaderDetail ?? ''}`.trim();
      case 'connecting':
        return `Connecting to TwinEdge at ${hostOf(baseUrl) ?? baseUrl}; ${buffered}.`;
      case 'online':
        return backlog > 0 ? `Uploading; ${buffered}.` : 'Up to date with TwinEdge.';
    }
  }

  /** Every change of sync state, once, with its reason (WARN when data does not flow). */
  private logState(s: SyncStatus): void {
    const detail =
      s.state === 'online' || s.state === 'paused'
        ? ''
        : s.summary.replace(/\d[\d,]* samples buffered/, 'samples buffered');
    const before = this.loggedState;
    if (before && before.state === s.state && before.detail === detail) return;
    this.loggedState = { state: s.state, detail };
    if (!before && s.state === 'off' && !this.o.keys.key) return;
    const line = `Cloud sync: ${before ? `${before.state} → ` : ''}${s.state}. ${s.summary}`;
    if (s.state === 'offline' || s.state === 'problem' || s.state === 'unauthorized') this.o.log.warn(line);
    else this.o.log.info(line);
  }
}
