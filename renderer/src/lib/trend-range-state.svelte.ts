/** The trend view's time range: following live or fixed, the way back, presets, zoom and pan. */
import type { TrendView } from '../../../main/domain/history/trend-view';
import { clampRange, followRange, panBy, zoomAround, type TimeRange } from './trend-range';

export class RangeState {
  follow = $state(true);
  spanMs = $state(10 * 60_000);
  fixedRange = $state<TimeRange>({ from: Date.now() - 600_000, to: Date.now() });
  now = $state(Date.now());
  backStack = $state<TimeRange[]>([]);
  readonly range = $derived(this.follow ? followRange(this.spanMs, this.now) : this.fixedRange);

  /** `saveWindow` keeps a live window chosen with a preset in settings. Call during component setup (it ticks). */
  constructor(private readonly saveWindow: (minutes: number) => void) {
    $effect(() => {
      if (!this.follow) return;
      // The window slides smoothly between sample batches (4 redraw requests a second).
      const t = setInterval(() => (this.now = Date.now()), 250);
      return () => clearInterval(t);
    });
  }

  /** The range as of this moment (the derived one moves only with the ticks). */
  current(): TimeRange {
    return this.follow ? followRange(this.spanMs, Date.now()) : this.fixedRange;
  }

  /** The live window last chosen (settings keep up to 7 days). */
  restoreWindow(minutes: number): void {
    if (this.follow) this.spanMs = minutes * 60_000;
  }

  remember(): void {
    this.backStack = [...this.backStack.slice(-49), { ...this.range }];
  }

  setFixed(r: TimeRange, push = true): void {
    if (push) this.remember();
    this.fixedRange = clampRange(r, Date.now());
    this.follow = false;
  }

  preset = (minutes: number): void => {
    this.remember();
    if (minutes <= 7 * 24 * 60) this.saveWindow(minutes);
    this.spanMs = minutes * 60_000;
    this.now = Date.now();
    this.follow = true;
  };

  goLive = (): void => {
    this.remember();
    this.spanMs = Math.min(this.spanMs, this.range.to - this.range.from);
    this.now = Date.now();
    this.follow = true;
  };

  back = (): void => {
    const prev = this.backStack.at(-1);
    if (!prev) return;
    this.backStack = this.backStack.slice(0, -1);
    this.setFixed(prev, false);
  };

  zoom = (factor: number, anchor: number | null = null): void =>
    this.setFixed(zoomAround(this.range, factor, anchor ?? undefined));
  pan = (fraction: number): void => this.setFixed(panBy(this.range, fraction));
  zoomBy = (factor: number): void => this.zoom(factor);
  showRange = (from: number, to: number): void => this.setFixed({ from, to });

  /** Puts `ms` in view, centred in a range of the same span, when it is outside. */
  reveal(ms: number): void {
    const r = this.range;
    if (ms < r.from || ms > r.to) {
      const half = (r.to - r.from) / 2;
      this.setFixed({ from: ms - half, to: ms + half });
    }
  }

  /** A saved view's range (the caller remembered the one shown). */
  open(v: Pick<TrendView, 'range' | 'follow'>): void {
    if (v.range.kind === 'relative') {
      this.spanMs = v.range.minutes * 60_000;
      this.now = Date.now();
      if (v.follow) this.follow = true;
      else this.setFixed(followRange(this.spanMs, this.now), false);
    } else {
      this.setFixed({ from: v.range.from, to: v.range.to }, false);
    }
  }

  /** How a saved view keeps this range. */
  saved(): Pick<TrendView, 'range' | 'follow'> {
    return {
      range: this.follow
        ? { kind: 'relative', minutes: Math.max(1, Math.round(this.spanMs / 60_000)) }
        : { kind: 'absolute', from: this.fixedRange.from, to: this.fixedRange.to },
      follow: this.follow,
    };
  }
}
