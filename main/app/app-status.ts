// The app status (devices, sample rate, store size and problems) as last computed, refreshed on a timer and on changes.
import type { AppStatus } from '../domain/app/app-status.js';
import type { EventHub } from './event-hub.js';

export interface AppStatusDeps {
  events: EventHub;
  devices: () => AppStatus['devices'];
  /** Samples per second now (RateMeter.rate: call about once a second). */
  rate: () => number;
  storeBytes: () => number;
  /** Why the store could not be opened; fixed at start. */
  openError: string | null;
  /** Later store problems: damage found, then a failing write. */
  damage: () => string | null;
  writeError: () => string | null;
  samplesLost: () => AppStatus['samplesLost'];
  /** Read at each update: the config file's problem is known only after it was applied. */
  configError: () => string | null;
  /** Each change's device states, before the status goes out (state logging, alarms on device states). */
  onDevices: (devices: AppStatus['devices']) => void;
}

/** Holds the status the UI reads and sends `status.changed`: each second in full, and at once on a change. */
export class AppStatusReporter {
  private last: AppStatus;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly d: AppStatusDeps) {
    this.last = {
      devices: [],
      samplesPerSecond: 0,
      storeBytes: 0,
      storeError: d.openError,
      samplesLost: null,
      configError: d.configError(),
      at: Date.now(),
    };
  }

  current(): AppStatus {
    return this.last;
  }

  /** Starts the once-a-second refresh and computes the first full status. */
  start(intervalMs: number): void {
    this.timer = setInterval(() => {
      this.last = this.compute();
      this.d.events.emit('status.changed', this.last);
    }, intervalMs);
    this.timer.unref();
    this.last = this.compute();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Devices or a store problem changed: said now, without waiting for the next second (the rate stays). */
  changed(): void {
    this.last = {
      ...this.last,
      devices: this.d.devices(),
      storeError: this.storeError(),
      samplesLost: this.d.samplesLost(),
      configError: this.d.configError(),
      at: Date.now(),
    };
    this.d.onDevices(this.last.devices);
    this.d.events.emit('status.changed', this.last);
  }

  private storeError(): string | null {
    return this.d.openError ?? this.d.damage() ?? this.d.writeError();
  }

  private compute(): AppStatus {
    return {
      devices: this.d.devices(),
      samplesPerSecond: Math.round(this.d.rate() * 10) / 10,
      storeBytes: this.d.storeBytes(),
      storeError: this.storeError(),
      samplesLost: this.d.samplesLost(),
      configError: this.d.configError(),
      at: Date.now(),
    };
  }
}
