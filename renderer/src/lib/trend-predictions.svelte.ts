/** The ML predictions overlay of the trend view: whether shown, the latest answer, and its chart lines. */
import type { PredictionsResult } from '../../../main/domain/history/prediction-overlay';
import { errorText } from './api';
import type { AppState } from './state.svelte';
import type { ExtraColumn } from './trend-data';
import type { TimeRange } from './trend-range';
import type { TrendSelection } from './trend-selection.svelte';
import type { PlotOverlay } from './ui-types';

export class TrendPredictions {
  show = $state(false);
  result = $state.raw<PredictionsResult | null>(null);
  private seq = 0;
  private defsKey = '';
  /** The overlay lines, a new identity only when they really change (the chart is rebuilt then). */
  defs = $state.raw<PlotOverlay[]>([]);

  readonly overlays = $derived.by<{ defs: PlotOverlay[]; extras: ExtraColumn[] }>(() => {
    const p = this.show ? this.result : null;
    if (!p) return { defs: [], extras: [] };
    const defs: PlotOverlay[] = [];
    const extras: ExtraColumn[] = [];
    for (const o of p.overlays) {
      const t = this.app.tagsById.get(o.tagId);
      defs.push({
        label: t ? this.selection.nameOf(t.id, t.name) : `tag ${o.tagId}`,
        color: this.selection.colors.get(o.tagId) ?? '#7c3aed',
      });
      const ts = o.points.map((x) => x.ts);
      extras.push({ ts, values: o.points.map((x) => x.score) });
      extras.push({ ts, values: o.points.map((x) => (x.anomaly ? x.score : undefined)) });
    }
    return { defs, extras };
  });

  constructor(
    private readonly app: AppState,
    private readonly selection: TrendSelection,
  ) {}

  /** Stable overlay identities; call during component setup, after the chart's other effects. */
  track(): void {
    $effect(() => {
      const k = JSON.stringify(this.overlays.defs);
      if (k !== this.defsKey) {
        this.defsKey = k;
        this.defs = this.overlays.defs;
      }
    });
  }

  load = async (tagIds: number[], r: TimeRange): Promise<void> => {
    const my = ++this.seq;
    try {
      const res = await this.app.api['history.predictions']({ tagIds, from: r.from, to: r.to });
      if (my === this.seq) this.result = res;
    } catch (err) {
      if (my === this.seq) this.result = { overlays: [], note: `ML predictions unavailable: ${errorText(err)}` };
    }
  };

  toggle = (on: boolean, range: TimeRange): void => {
    this.show = on;
    if (!on) this.result = null;
    else if (this.selection.chartTags.length > 0)
      void this.load(
        this.selection.chartTags.map((t) => t.id),
        range,
      );
  };
}
