import { noDiagnostics, type DeviceDiagnostics, type DeviceState } from '../domain/device/device-state.js';
import type { StoredDevice } from '../store/devices-repo.js';
import type { ServerHistory } from './server-history.js';
import type { Collector, CollectorDevice, CollectorEvents, TagNodeUpdate } from './types.js';
import type { Sample } from '../domain/sample/sample.js';
import { OperationTimeoutError, withTimeout } from './timeout.js';

export type CollectorFactory = (device: CollectorDevice, events: CollectorEvents) => Collector;

/**
 * Told around a device's collector: `stopped` once the old one handed over its last samples (a restart, a delete,
 * shutdown), `starting` before a new one collects (after `stopped` on a restart). The app rebuilds the device's
 * storage filters there, so every sample is filtered by the policy it was collected under.
 */
export interface CollectorLifecycle {
  stopped?: (deviceId: number) => void;
  starting?: (device: StoredDevice) => void;
}

interface Running {
  collector?: Collector;
  state: DeviceState;
  /**
   * Samples are taken while running and while stopping (a collector hands over what it buffered as it stops);
   * once its stop has finished or was given up on, a late batch is dropped: the device may be deleted by then.
   */
  phase: 'running' | 'stopping' | 'stopped';
}

/**
 * Runs one collector per enabled device and keeps each device's state. Restarting a device (after an
 * edit) replaces only that collector: other devices keep collecting.
 */
export class CollectorManager {
  private readonly running = new Map<number, Running>();
  private readonly disabled = new Map<number, DeviceState>();

  constructor(
    private readonly factory: CollectorFactory,
    private readonly onSamples: (batch: Sample[]) => void,
    private readonly onStateChange: () => void,
    /** A running collector found its tags on other nodes (OPC UA renumbering); the app stores them. */
    private readonly onTagNodes: (deviceId: number, updates: TagNodeUpdate[]) => void = () => {},
    private readonly lifecycle: CollectorLifecycle = {},
  ) {}

  /** Starts, restarts or stops the collector for a device to match its stored configuration. */
  async apply(device: StoredDevice): Promise<void> {
    await this.remove(device.id);
    if (!device.config.enabled) {
      this.disabled.set(device.id, {
        deviceId: device.id,
        state: 'disabled',
        message: 'collection is switched off for this device',
        since: Date.now(),
        samples: 0,
        requestsPerCycle: null,
      });
      this.onStateChange();
      return;
    }
    const state: DeviceState = {
      deviceId: device.id,
      state: 'connecting',
      message: null,
      since: Date.now(),
      samples: 0,
      requestsPerCycle: null,
    };
    const entry: Running = { state, phase: 'running' };
    const events: CollectorEvents = {
      onSamples: (batch) => {
        if (entry.phase === 'stopped') return; // a late batch from a stopped collector
        entry.state.samples += batch.length;
        this.onSamples(batch);
      },
      onTagNodes: (updates) => {
        // Only the current collector speaks for the device's config: a stopping one may hold an older edit.
        if (this.running.get(device.id) === entry && entry.phase === 'running') this.onTagNodes(device.id, updates);
      },
      onState: (next) => {
        if (this.running.get(device.id) !== entry) return;
        const requestsPerCycle = next.requestsPerCycle ?? entry.state.requestsPerCycle;
        if (next.state !== entry.state.state || next.message !== entry.state.message) {
          entry.state = {
            ...entry.state,
            state: next.state,
            message: next.message,
            requestsPerCycle,
            since: Date.now(),
          };
          this.onStateChange();
        } else if (requestsPerCycle !== entry.state.requestsPerCycle) {
          entry.state = { ...entry.state, requestsPerCycle };
          this.onStateChange();
        }
      },
    };
    this.running.set(device.id, entry);
    this.lifecycle.starting?.(device);
    const tagIds = new Map(device.tags.map((t) => [t.name, t.id]));
    try {
      const collector = this.factory({ id: device.id, config: device.config, tagIds }, events);
      entry.collector = collector;
      collector.start();
    } catch (err) {
      entry.state = {
        ...entry.state,
        state: 'error',
        message: `cannot start collection: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
    this.onStateChange();
  }

  async remove(deviceId: number): Promise<void> {
    this.disabled.delete(deviceId);
    const entry = this.running.get(deviceId);
    if (!entry) return;
    this.running.delete(deviceId);
    entry.phase = 'stopping';
    await entry.collector?.stop().catch(() => undefined);
    entry.phase = 'stopped';
    this.lifecycle.stopped?.(deviceId);
  }

  states(): DeviceState[] {
    return [...[...this.running.values()].map((r) => r.state), ...this.disabled.values()].sort(
      (a, b) => a.deviceId - b.deviceId,
    );
  }

  /** The running collector's diagnostics; null when the device is not collecting. */
  diagnostics(deviceId: number): DeviceDiagnostics | null {
    const entry = this.running.get(deviceId);
    const d = entry?.collector?.diagnostics?.();
    if (d) return { deviceId, ...d };
    return entry ? noDiagnostics(deviceId) : null;
  }

  /** The running collector's reader of the device's own history; null when it has none or is not collecting. */
  serverHistory(deviceId: number): ServerHistory | null {
    return this.running.get(deviceId)?.collector?.serverHistory?.() ?? null;
  }

  state(deviceId: number): DeviceState | undefined {
    return this.running.get(deviceId)?.state ?? this.disabled.get(deviceId);
  }

  /**
   * Stops every collector, each given at most `ms` (a device that never answers its session close must not hold
   * up the store's close at shutdown). Returns the devices whose stop did not finish in time.
   */
  async stopAll(ms: number): Promise<number[]> {
    const late: number[] = [];
    await Promise.all(
      [...this.running].map(async ([id, entry]) => {
        const inTime = await withTimeout(this.remove(id), ms, 'collector stop').then(
          () => true,
          (err: unknown) => {
            if (err instanceof OperationTimeoutError) return false;
            throw err;
          },
        );
        if (inTime) return;
        entry.phase = 'stopped';
        late.push(id);
      }),
    );
    return late.sort((a, b) => a - b);
  }
}
