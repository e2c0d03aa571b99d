/** The timer functions a coalescer uses (the real ones by default; tests pass fake ones). */
export interface CoalesceTimers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: CoalesceTimers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface Coalescer {
  /** Asks for a run: at once if the last run was at least the interval ago, else once at the end of the interval. */
  request(): void;
  /** Drops a pending run (the view is going away). */
  cancel(): void;
}

/**
 * Runs `run` at most once per `minIntervalMs` however often it is requested: the first request after a quiet
 * interval runs at once, requests inside the interval are folded into one run at its end. Used by the live values
 * view so a plant sending hundreds of updates a second is drawn at most 1000 / minIntervalMs times a second.
 */
export function coalesce(run: () => void, minIntervalMs: number, timers: CoalesceTimers = realTimers): Coalescer {
  let lastRun = -Infinity;
  let pending: unknown = null;
  const fire = (): void => {
    pending = null;
    lastRun = timers.now();
    run();
  };
  return {
    request(): void {
      if (pending !== null) return;
      const wait = lastRun + minIntervalMs - timers.now();
      if (wait <= 0) fire();
      else pending = timers.setTimeout(fire, wait);
    },
    cancel(): void {
      if (pending !== null) timers.clearTimeout(pending);
      pending = null;
    },
  };
}
