// When device registration passes run: one at a time, again when something changed, and retried with backoff.
import { backoffMs } from '../domain/backoff.js';
import type { Store } from '../store/store.js';
import type { TwinEdgeCloudApi } from './client/client-api.js';
import { TwinEdgeApiError, errorText } from './client/api-error.js';
import type { Clock } from './clock.js';
import type { DeviceSync } from './device-sync.js';
import type { SyncHealth } from './sync-health.js';

export interface RegistrationScheduleOptions {
  store: Store;
  devices: DeviceSync;
  clock: Clock;
  health: SyncHealth;
  client(): TwinEdgeCloudApi | null;
  paused(): boolean;
  /** A pass ended: names and links follow, the uploader looks again. */
  linksChanged(): void;
  /** A pass ended and its outcome is known: the status goes out. */
  emit(): void;
}

/** Runs `DeviceSync.syncAll` when devices need it, and counts failures for the offline and problem states. */
export class RegistrationSchedule {
  private running: Promise<void> | null = null;
  private again = false;
  /** Consecutive failed registration passes (network), for the retry backoff and the offline state. */
  private failureCount = 0;
  /** Consecutive failed registration passes of any kind, for the retry backoff. */
  private attempts = 0;
  private retry: AbortController | null = null;
  /**
   * The last device registration pass got an answer that was not a success (5xx, 429, an unreadable answer): why,
   * for the "TwinEdge answered, but ..." state. Cleared by a pass that completes.
   */
  private lastProblem: string | null = null;
  private stopped = false;

  constructor(private readonly o: RegistrationScheduleOptions) {}

  get failures(): number {
    return this.failureCount;
  }

  get problem(): string | null {
    return this.lastProblem;
  }

  /** The next `soon` runs a pass even when no device looks pending (something changed). */
  markDue(): void {
    this.again = true;
  }

  /** Stops retrying; `settled` then waits for a pass under way. */
  halt(): void {
    this.stopped = true;
    this.retry?.abort();
  }

  settled(): Promise<void> {
    return this.running?.catch(() => undefined) ?? Promise.resolve();
  }

  soon(): void {
    const client = this.o.client();
    if (!client || this.o.paused() || this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    const links = this.o.store.sync.links();
    const pending = this.o.store.devices.list().some((d) => {
      const l = links.find((x) => x.deviceId === d.id);
      return !l || l.state === 'pending' || l.state === 'error';
    });
    if (!pending && !this.again && links.every((l) => this.o.store.devices.get(l.deviceId))) return;
    this.again = false;
    this.retry?.abort();
    this.retry = null;
    const { health } = this.o;
    this.running = this.o.devices
      .syncAll(client)
      .then(() => {
        health.answered = true;
        this.failureCount = 0;
        this.attempts = 0;
        this.lastProblem = null;
      })
      .catch((err: unknown) => {
        const answered = err instanceof TwinEdgeApiError && err.status !== null;
        // Only a failure without an answer means "offline"; an answer that is not a success is a problem.
        if (answered) {
          health.answered = true;
          this.failureCount = 0;
          this.lastProblem = `device registration failed: ${err.method ?? ''} ${err.path ?? ''} answered ${err.status}: ${errorText(err)}`;
        } else {
          this.failureCount += 1;
          this.lastProblem = null;
        }
        this.attempts += 1;
        health.lastError = { at: this.o.clock.now(), message: `Device registration: ${errorText(err)}` };
        this.retryLater();
      })
      .finally(() => {
        this.running = null;
        this.o.linksChanged();
        if (this.again) this.soon();
        this.o.emit();
      });
  }

  /** Registration failed (TwinEdge unreachable): samples of unregistered devices wait, so try again soon. */
  private retryLater(): void {
    const shape = { baseMs: 1000, capMs: 60_000, maxExponent: 6, jitterFloor: 0.5, jitterSpread: 0.5 };
    const wait = backoffMs(this.attempts - 1, shape);
    const controller = new AbortController();
    this.retry = controller;
    this.o.clock.sleep(wait, controller.signal).then(
      () => {
        this.again = true;
        this.soon();
      },
      () => undefined,
    );
  }
}
