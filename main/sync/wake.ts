import type { Clock } from './clock.js';

/**
 * A sleep that something else can cut short: the uploader waits for its budget or its backoff, and a new
 * key, resume or shutdown must wake it at once rather than after a minute.
 */
export class Wakeable {
  private controller = new AbortController();

  constructor(private readonly clock: Clock) {}

  /** Sleeps `ms` of clock time (Infinity: until woken). Resolves true when woken early. */
  async sleep(ms: number): Promise<boolean> {
    const { signal } = this.controller;
    if (signal.aborted) {
      this.controller = new AbortController();
      return true;
    }
    try {
      if (ms === Infinity) {
        await new Promise<void>((_, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }),
        );
      } else await this.clock.sleep(ms, signal);
      return false;
    } catch {
      this.controller = new AbortController();
      return true;
    }
  }

  wake(): void {
    this.controller.abort(new Error('woken'));
  }
}
