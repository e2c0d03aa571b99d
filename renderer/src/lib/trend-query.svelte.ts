/** The trend view's history query: debounced, re-asked as the live window slides, stale answers discarded. */
import { untrack } from 'svelte';
import type { TrendResult } from '../../../main/domain/history/trend-result';
import { errorText } from './api';
import type { AppState } from './state.svelte';
import { needsRequery, type TimeRange } from './trend-range';
import type { RangeState } from './trend-range-state.svelte';

export class TrendQuery {
  cloud = $state(false);
  /** Fill older data from the device's own OPC UA server history (HistoryRead), where its nodes keep it. */
  serverHistory = $state(false);
  result = $state.raw<{ key: string; res: TrendResult } | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);
  private asked: { key: string; range: TimeRange } | null = null;
  private seq = 0;
  private debounce: ReturnType<typeof setTimeout> | null = null;

  readonly tagKey: string;
  readonly key: string;
  /** The answer for the tags and sources asked now, null while there is none. */
  readonly shown: TrendResult | null;

  /**
   * `tagIds` are the tags to chart, `pixels` the chart's width, `answered` hears each answer (predictions follow
   * it).
   */
  constructor(
    private readonly app: AppState,
    private readonly range: RangeState,
    private readonly tagIds: () => number[],
    private readonly pixels: () => number | undefined,
    private readonly answered: (tagIds: number[], r: TimeRange) => void,
  ) {
    this.tagKey = $derived(this.tagIds().join(','));
    this.key = $derived(`${this.tagKey}|${this.cloud ? 'cloud' : 'local'}|${this.serverHistory ? 'server' : ''}`);
    this.shown = $derived(this.result && this.result.key === this.key ? this.result.res : null);
  }

  /** Ask whenever the tags, sources or range call for it; call during component setup. */
  start(): void {
    $effect(() => {
      const key = this.key;
      const r = this.range.range;
      const f = this.range.follow;
      untrack(() => {
        if (this.tagKey === '') {
          this.result = null;
          this.asked = null;
          return;
        }
        const asked = this.asked;
        if (asked && asked.key === key) {
          if (f ? !needsRequery(asked.range, r) : asked.range.from === r.from && asked.range.to === r.to) return;
        }
        this.asked = { key, range: { ...r } };
        if (this.debounce) clearTimeout(this.debounce);
        this.debounce = setTimeout(() => {
          this.debounce = null;
          void this.run(key);
        }, 150);
      });
    });
  }

  private async run(key: string): Promise<void> {
    const my = ++this.seq;
    const r = this.range.current();
    if (this.asked) this.asked.range = { ...r };
    const tagIds = this.tagIds();
    if (tagIds.length === 0) return;
    // A periodic re-query while following keeps the chart as it is: no loading notice.
    this.loading = !(this.range.follow && this.result?.key === key);
    try {
      const pixels = Math.min(8000, Math.max(10, this.pixels() ?? 1000));
      const res = await this.app.api['history.query']({
        tagIds,
        from: r.from,
        to: r.to,
        pixels,
        cloud: this.cloud,
        server: this.serverHistory,
      });
      if (my !== this.seq) return;
      this.result = { key, res };
      this.error = null;
      this.answered(tagIds, r);
    } catch (err) {
      if (my !== this.seq) return;
      this.error = `Could not load history: ${errorText(err)}`;
    } finally {
      if (my === this.seq) this.loading = false;
    }
  }

  dispose(): void {
    if (this.debounce) clearTimeout(this.debounce);
  }
}
