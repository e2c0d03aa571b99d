// The upload buffer's disk cap and what a full buffer drops, applied inside the storing transaction.
import type { Sample } from '../domain/sample/sample.js';
import type { Logger } from '../log/logger.js';
import { RateMeter } from '../domain/rate-meter.js';
import type { OutboxRepo } from '../store/outbox-repo.js';
import type { Store } from '../store/store.js';
import type { Clock } from './clock.js';
import { settingKeys, type SyncSettingsStore } from './sync-settings.js';

export interface BufferPolicyOptions {
  store: Store;
  settings: SyncSettingsStore;
  clock: Clock;
  log: Logger;
}

/** Queues stored samples for upload within the cap, dropping by the policy when full (and saying so). */
export class BufferPolicy {
  /** Samples queued per second, for the hours of outage the buffer lasts. */
  readonly ingestMeter = new RateMeter(60_000);

  constructor(private readonly o: BufferPolicyOptions) {}

  /** Inside the storing transaction: queue what was stored, within the disk cap and its policy. */
  enqueue(inserted: readonly Sample[], outbox: OutboxRepo): void {
    const cap = this.o.settings.capBytes;
    const estimate = inserted.length * 40;
    if (outbox.current.bytes + estimate > cap) {
      if (this.o.settings.policy === 'drop-newest') {
        this.dropped(inserted.length);
        return;
      }
      const protect = new Set(this.o.store.sync.inflight()?.seqs ?? []);
      let dropped = 0;
      while (outbox.current.bytes + estimate > cap) {
        const n = outbox.dropOldest(outbox.current.bytes + estimate - cap, protect);
        if (n === 0) break;
        dropped += n;
      }
      this.dropped(dropped);
    }
    const queued = outbox.enqueue(inserted, this.unlinkedDevices());
    this.ingestMeter.add(queued);
  }

  private unlinkedDevices(): Set<number> {
    const out = new Set<number>();
    for (const l of this.o.store.sync.links()) if (l.state === 'unlinked') out.add(l.deviceId);
    return out;
  }

  private droppedWarned = 0;
  private dropped(n: number): void {
    if (n <= 0) return;
    this.o.settings.bump(settingKeys.dropped, n);
    const now = this.o.clock.now();
    if (now - this.droppedWarned > 60_000) {
      this.droppedWarned = now;
      this.o.log.warn(
        `Cloud upload buffer is full (${Math.round(this.o.settings.capBytes / 1048576)} MiB): ${this.o.settings.policy === 'drop-oldest' ? 'the oldest buffered samples are dropped' : 'new samples are not buffered'} (policy ${this.o.settings.policy}). Local history is not affected.`,
      );
    }
  }
}
