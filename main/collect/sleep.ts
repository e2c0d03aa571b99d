/**
 * A cancellable sleep: collector loops wait between polls/retries, and stop() must wake them at
 * once instead of leaving a timer that keeps the process alive.
 */
export class Sleeper {
  private wake: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;

  sleep(ms: number): Promise<void> {
    this.cancel();
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(() => this.cancel(), Math.max(0, ms));
    });
  }

  /** Ends the current sleep early (resolves it). */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const w = this.wake;
    this.wake = null;
    w?.();
  }
}

/** "4 s", "0.5 s", "1 min 30 s": how long until the next attempt, for status messages. */
export const formatDelay = (ms: number): string => {
  if (ms < 10_000) return `${Math.round(ms / 100) / 10} s`;
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return s ? `${m} min ${s} s` : `${m} min`;
};
