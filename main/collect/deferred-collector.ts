import { errorMessage } from '../domain/errors/app-error.js';
import type { DeviceDiagnostics } from '../domain/device/device-state.js';
import type { ServerHistory } from './server-history.js';
import type { Collector, CollectorEvents } from './types.js';

/**
 * A collector whose code is loaded when it starts, not when the app starts: the OPC UA collector pulls in
 * node-opcua (about 2 s), which a Modbus-only gateway never needs and no window should wait for.
 */
export class DeferredCollector implements Collector {
  private collector: Collector | null = null;
  private loading: Promise<Collector | null> = Promise.resolve(null);
  private stopped = false;

  constructor(
    private readonly load: () => Promise<Collector>,
    private readonly events: CollectorEvents,
  ) {}

  start(): void {
    this.loading = this.load().then(
      (collector) => {
        // Stopped while loading: it never starts, so there is nothing to close.
        if (this.stopped) return null;
        this.collector = collector;
        collector.start();
        return collector;
      },
      (err: unknown) => {
        this.events.onState({ state: 'error', message: `cannot start collection: ${errorMessage(err)}` });
        return null;
      },
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await (await this.loading)?.stop();
  }

  diagnostics(): Omit<DeviceDiagnostics, 'deviceId'> | null {
    return this.collector?.diagnostics?.() ?? null;
  }

  serverHistory(): ServerHistory | null {
    return this.collector?.serverHistory?.() ?? null;
  }
}
