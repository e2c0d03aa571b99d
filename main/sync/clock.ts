/**
 * Time as the sync code sees it. Production uses the wall clock; tests of day-long outages and daily
 * request budgets run the same code on a scaled clock (one real second = `factor` seconds), shared by the
 * uploader and the local TwinEdge API so both agree on when a rate-limit window resets.
 */
export interface Clock {
  /** Epoch ms. */
  now(): number;
  /** Resolves after `ms` of this clock's time, or rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

const realSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export const systemClock: Clock = { now: () => Date.now(), sleep: realSleep };

/** A clock running `factor` times faster than real time, starting at `start` (epoch ms). */
export const scaledClock = (factor: number, start = Date.now()): Clock => {
  const t0 = performance.now();
  return {
    now: () => Math.floor(start + (performance.now() - t0) * factor),
    sleep: (ms, signal) => realSleep(ms / factor, signal),
  };
};
