/** What the trend chart draws: stable tag and axis identities, each frame's columns, and the readouts at the cursor. */
import type { AppState } from './state.svelte';
import {
  assemble,
  groupAxes,
  layoutOf,
  predictionAt,
  readoutAt,
  stepTime,
  withLiveTail,
  type ExtraColumn,
  type PlotSeries,
  type PredictionReadoutRow,
  type ReadoutRow,
} from './trend-data';
import type { TrendPredictions } from './trend-predictions.svelte';
import type { TrendQuery } from './trend-query.svelte';
import type { RangeState } from './trend-range-state.svelte';
import type { TrendSelection } from './trend-selection.svelte';
import type { PlotFrame, PlotHandle, PlotTag } from './ui-types';

type Shown = Pick<PlotTag, 'name' | 'unit' | 'color'>;
/** A tag's value at the cursor, as the readout shows it. */
export type CursorRow = ReadoutRow & Shown;
/** A tag's ML prediction at the cursor. */
export type PredictionRow = PredictionReadoutRow & Shown;

export class TrendChart {
  // Stable identities: the chart is rebuilt only when its structure really changes.
  private plotKey = '';
  tags = $state.raw<PlotTag[]>([]);
  private axesKey = '';
  axes = $state.raw<ReturnType<typeof groupAxes>>([]);
  plot: PlotHandle | null = null;
  private lastXs: number[] = [];
  cursorMs = $state<number | null>(null);

  readonly version: unknown;
  readonly predictionRows: PredictionRow[];
  readonly readoutRows: CursorRow[];

  /** Call during component setup: keeps `tags` and `axes` in step with the selection and the answer. */
  constructor(
    private readonly app: AppState,
    private readonly selection: TrendSelection,
    private readonly range: RangeState,
    private readonly query: TrendQuery,
    private readonly predictions: TrendPredictions,
  ) {
    this.version = $derived(
      this.range.follow
        ? `${this.app.liveVersion}:${this.range.now}:${this.query.result?.key}`
        : [this.query.result, this.predictions.overlays, this.tags, this.axes],
    );

    this.predictionRows = $derived.by(() => {
      const t = this.cursorMs;
      const p = this.predictions.show ? this.predictions.result : null;
      const range = this.range.range;
      if (t === null || !p || t < range.from || t > range.to) return [];
      return p.overlays.flatMap((o) => {
        const row = predictionAt(o, t);
        const tag = this.tags.find((x) => x.tagId === o.tagId);
        return row && tag ? [{ ...row, name: tag.name, unit: tag.unit, color: tag.color }] : [];
      });
    });

    this.readoutRows = $derived.by(() => {
      const t = this.cursorMs;
      const range = this.range.range;
      // A cursor outside the visible range reads nothing (not the nearest edge point).
      if (t === null || t < range.from || t > range.to) return [];
      void this.query.result;
      if (this.range.follow) void this.app.liveVersion;
      const list = this.currentSeries();
      return list.flatMap((s, i) => {
        const row = readoutAt(s, t);
        const tag = this.tags[i];
        if (!row || !tag) return [];
        return [{ ...row, name: tag.name, unit: tag.unit, color: tag.color }];
      });
    });
    $effect(() => {
      const result = this.query.result;
      const answered = result && result.key === this.query.key ? result.res.series : [];
      const chartTags = this.selection.chartTags;
      const next: PlotTag[] = chartTags.map((t) => {
        const s = answered.find((x) => x.tagId === t.id);
        return {
          tagId: t.id,
          name: this.selection.nameOf(t.id, t.name),
          unit: t.unit,
          color: this.selection.colors.get(t.id) ?? '#000',
          hidden: this.selection.hidden.includes(t.id),
          ...(s ? layoutOf(s) : { cloud: false, band: false }),
        };
      });
      const k = JSON.stringify(next);
      if (k !== this.plotKey) {
        this.plotKey = k;
        this.tags = next;
      }
      const a = groupAxes(
        chartTags.map((t) => ({ id: t.id, unit: t.unit })),
        this.selection.axisSettings,
      );
      const ak = JSON.stringify(a);
      if (ak !== this.axesKey) {
        this.axesKey = ak;
        this.axes = a;
      }
    });
  }

  /** Each tag's points now: the history answer, plus live samples after it while following. */
  private currentSeries(): PlotSeries[] {
    const result = this.query.result;
    const res = result && result.key === this.query.key ? result.res : null;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local of this call, not state
    const byId = new Map(res?.series.map((s) => [s.tagId, s]) ?? []);
    return this.tags.map((t) => {
      let s: PlotSeries = byId.get(t.tagId) ?? {
        tagId: t.tagId,
        bucketMs: null,
        ts: [],
        values: [],
        min: null,
        max: null,
        quality: [],
        count: null,
        cloudUntil: null,
        cloudBucketMs: null,
        fillSource: null,
      };
      if (this.range.follow) {
        const ring = this.app.rings.get(t.tagId);
        const last = s.ts.length > 0 ? s.ts[s.ts.length - 1]! : this.range.range.from;
        if (ring) s = withLiveTail(s, ring.sliceRaw(last, Date.now()));
      }
      return s;
    });
  }

  getFrame = (): PlotFrame => {
    const r = this.range.current();
    const overlays = this.predictions.overlays;
    const defs = this.predictions.defs;
    // The chart's overlay series and these columns change in separate steps: never hand it fewer columns.
    const extras =
      overlays.extras.length === defs.length * 2
        ? overlays.extras
        : defs.flatMap((): ExtraColumn[] => [
            { ts: [], values: [] },
            { ts: [], values: [] },
          ]);
    const a = assemble(this.currentSeries(), extras, this.tags);
    this.lastXs = a.xsMs;
    return { data: a.data, xMin: r.from / 1000, xMax: r.to / 1000 };
  };

  setCursor = (ms: number): void => {
    this.cursorMs = ms;
  };
  setPlot = (h: PlotHandle): void => {
    this.plot = h;
  };

  goTo = (ms: number): void => {
    this.cursorMs = ms;
    this.range.reveal(ms);
  };

  step = (dir: 1 | -1): void => {
    const range = this.range.range;
    this.cursorMs = stepTime(this.lastXs, this.cursorMs ?? (dir > 0 ? range.from : range.to), dir);
  };
}
