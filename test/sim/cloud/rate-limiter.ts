import { rateLimitHeaders, tierLimits } from '../../../main/sync/api/model.js';
import { type Tier } from '../../../main/domain/cloud/account.js';
import type { Clock } from '../../../main/sync/clock.js';

const MINUTE = 60_000;
const DAY = 86_400_000;

export interface Budget {
  allowed: boolean;
  /** The six rate-limit headers for the answer (remaining as it will be after this request if allowed). */
  headers: Record<string, string>;
  /** Seconds until the exhausted window resets (only when not allowed). */
  retryAfter: number;
  /** Counts the request against the key's budget (only requests that are not answered 429). */
  consume(): void;
}

/**
 * Fixed windows per key: minutes aligned to the clock's minute, days to UTC midnight, both read from the given
 * Clock so a scaled clock resets windows as fast as it runs.
 */
export class RateLimiter {
  private readonly minute = new Map<string, { window: number; count: number }>();
  private readonly day = new Map<string, { window: number; count: number }>();

  constructor(private readonly clock: Clock) {}

  check(keyId: string | null, tier: Tier): Budget {
    const now = this.clock.now();
    const limits = tierLimits[tier];
    const minuteWindow = Math.floor(now / MINUTE);
    const dayWindow = Math.floor(now / DAY);
    const usedMinute = keyId ? this.used(this.minute, keyId, minuteWindow) : 0;
    const usedDay = keyId ? this.used(this.day, keyId, dayWindow) : 0;
    const minuteReset = (minuteWindow + 1) * MINUTE;
    const dayReset = (dayWindow + 1) * DAY;
    const minuteLeft = limits.perMinute - usedMinute;
    const dayLeft = limits.perDay - usedDay;
    const allowed = minuteLeft > 0 && dayLeft > 0;
    // The later reset wins when both are spent: retrying at the minute reset would only meet the day limit.
    const resetAt = dayLeft <= 0 ? dayReset : minuteReset;
    const after = allowed ? 1 : 0;
    const headers = {
      [rateLimitHeaders.limit]: String(limits.perMinute),
      [rateLimitHeaders.remaining]: String(Math.max(0, minuteLeft - after)),
      [rateLimitHeaders.reset]: String(Math.ceil(minuteReset / 1000)),
      [rateLimitHeaders.dayLimit]: String(limits.perDay),
      [rateLimitHeaders.dayRemaining]: String(Math.max(0, dayLeft - after)),
      [rateLimitHeaders.dayReset]: String(Math.ceil(dayReset / 1000)),
    };
    return {
      allowed,
      headers,
      retryAfter: Math.max(1, Math.ceil((resetAt - now) / 1000)),
      consume: () => {
        if (!keyId) return;
        this.bump(this.minute, keyId, minuteWindow);
        this.bump(this.day, keyId, dayWindow);
      },
    };
  }

  private used(map: Map<string, { window: number; count: number }>, keyId: string, window: number): number {
    const entry = map.get(keyId);
    return entry && entry.window === window ? entry.count : 0;
  }

  private bump(map: Map<string, { window: number; count: number }>, keyId: string, window: number): void {
    const entry = map.get(keyId);
    if (entry && entry.window === window) entry.count++;
    else map.set(keyId, { window, count: 1 });
  }
}
