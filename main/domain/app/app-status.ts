import type { DeviceState } from '../device/device-state.js';

// The app's health at a glance: devices, rate, the store and samples lost.

export interface SamplesLost {
  total: number;
  /** The latest episode: samples, their oldest and newest source time, tags; ongoing while still dropping. */
  latest: { count: number; from: number; to: number; tags: number; ongoing: boolean };
}

export interface AppStatus {
  devices: DeviceState[];
  samplesPerSecond: number;
  storeBytes: number;
  /** Set when the store cannot be opened or written; the UI shows it in plain words. */
  storeError: string | null;
  /**
   * Samples lost since start because the store could not be written and the memory buffer was full (null when
   * none): the total, and the latest episode's source-time span and tags. Each tag's trend has a BadDataLost
   * marker at the start of its lost span.
   */
  samplesLost: SamplesLost | null;
  /**
   * Set when the headless config file (--config) could not be read or is invalid: the message names the file
   * and the bad fields; the app runs with the last good settings.
   */
  configError: string | null;
  at: number;
}
