import type { Logger } from '../log/logger.js';

/** How long refusals after the first are counted before one line sums them up. */
export const REFUSAL_WINDOW_MS = 60_000;

/**
 * Failed browser-mode logins (no token, a wrong token, a foreign Host or Origin) in the log, without flooding
 * it: the first refusal is logged at once with the peer's address and the path, the ones after it are counted
 * per address and summed up in one line per window. Neither the offered token nor the query string is logged:
 * a near-miss token is almost the real one.
 */
export class RefusalLog {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly counts = new Map<string, number>();
  private readonly reasons = new Set<string>();

  constructor(
    private readonly log: Logger,
    private readonly windowMs = REFUSAL_WINDOW_MS,
  ) {}

  record(peer: string | undefined, what: 'request' | 'WebSocket', path: string, reason: string): void {
    const from = peer ?? 'an unknown address';
    if (!this.timer) {
      this.log.warn(`Browser mode: refused a ${what} from ${from} for ${path.slice(0, 200)}: ${reason}.`);
      this.timer = setTimeout(() => this.summarize(), this.windowMs).unref();
      return;
    }
    this.counts.set(from, (this.counts.get(from) ?? 0) + 1);
    this.reasons.add(reason);
  }

  /** Logs what was counted (a window still counting is summed up at once). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.flushCounts();
  }

  private summarize(): void {
    this.timer = null;
    // A refusal storm keeps one line per window coming; a quiet window ends the counting.
    if (this.flushCounts()) this.timer = setTimeout(() => this.summarize(), this.windowMs).unref();
  }

  private flushCounts(): boolean {
    if (this.counts.size === 0) return false;
    const total = [...this.counts.values()].reduce((a, b) => a + b, 0);
    const peers = [...this.counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([p, n]) => `${p} (${n})`)
      .join(', ');
    const more = this.counts.size > 10 ? ` and ${this.counts.size - 10} more addresses` : '';
    const span = this.windowMs === 60_000 ? 'minute' : `${this.windowMs / 1000} s`;
    this.log.warn(
      `Browser mode: ${total} more refused request${total === 1 ? '' : 's'} in the last ${span} (${[...this.reasons].join('; ')}) from ${peers}${more}.`,
    );
    this.counts.clear();
    this.reasons.clear();
    return true;
  }
}
