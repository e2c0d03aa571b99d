// How often key info, device links and the cloud lists (alerts, dashboards, models) are fetched again when online.
import type { CloudTagMap } from './cloud-rules.js';
import type { AlertRuleAnswer as AlertRule } from './api/answers.js';
import type { RequestBudget } from './budget.js';
import type { TwinEdgeCloudApi } from './client/client-api.js';
import { errorText } from './client/api-error.js';
import type { Clock } from './clock.js';
import type { CloudCache } from './cloud-cache.js';
import type { KeyLifecycle } from './key-lifecycle.js';
import type { RegistrationSchedule } from './registration-schedule.js';
import type { SyncHealth } from './sync-health.js';
import type { SyncSettingsStore } from './sync-settings.js';

export interface RefreshCadenceOptions {
  budget: RequestBudget;
  cache: CloudCache;
  keys: KeyLifecycle;
  health: SyncHealth;
  registration: RegistrationSchedule;
  settings: SyncSettingsStore;
  clock: Clock;
  client(): TwinEdgeCloudApi | null;
  tagMap(): CloudTagMap;
  /** Fixed interval (tests); by default from the request budget. */
  refreshMs?: number;
  onCloudRules?: (rules: AlertRule[], tags: CloudTagMap) => void;
  onCloudAlerts?: () => void;
}

/** One timer: each refresh schedules the next at a pace the request budget's reserve allows. */
export class RefreshCadence {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly o: RefreshCadenceOptions) {}

  /** Key info, device registration and the cloud lists, at a pace the request budget's reserve allows. */
  schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), delayMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** TwinEdge's alert rules and (unless the key was refused) events, then their listeners. */
  async refreshAlerts(client: TwinEdgeCloudApi): Promise<void> {
    const rules = await this.o.cache.refresh('alertRules', client);
    // A key refused for the rules is refused for the events too.
    if (!this.o.health.keyRefused) {
      await this.o.cache.refresh('alertEvents', client);
      this.o.onCloudAlerts?.();
    }
    if (rules.error === null) this.o.onCloudRules?.(rules.items, this.o.tagMap());
  }

  private async refresh(): Promise<void> {
    const { budget, keys, health, cache } = this.o;
    const client = this.o.client();
    if (client && !this.o.settings.paused && budget.reserveAvailable()) {
      this.o.registration.markDue();
      this.o.registration.soon();
      // Each list on its own: one the service does not offer or the key may not read leaves the others.
      if (!keys.tier && !keys.keyInfoUnsupported) {
        // Awaited here, not in a helper: the order of requests under a seeded fault pattern stays as it was.
        try {
          keys.useKeyInfo(await client.keyInfo());
        } catch (err) {
          keys.keyInfoFailed(err);
        }
      }
      try {
        // A refused key (401) is refused everywhere: asking for more lists would only repeat the answer.
        if (!health.keyRefused) await this.refreshAlerts(client);
        if (!health.keyRefused) await cache.refresh('dashboards', client);
        if (!health.keyRefused) await cache.refresh('models', client);
      } catch (err) {
        health.lastError = { at: this.o.clock.now(), message: errorText(err) };
      }
    }
    // About 8 requests per refresh; spend at most a third of the day's 10 % reserve on them.
    const perDay = budget.current.perDay;
    const interval = this.o.refreshMs ?? Math.max(5 * 60_000, (86_400_000 * 8) / Math.max(1, (perDay * 0.1) / 3));
    if (!this.stopped) this.schedule(interval);
  }
}
