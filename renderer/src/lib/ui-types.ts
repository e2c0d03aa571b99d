import type uPlot from 'uplot';

/** What a form field hands its input so label, error and description are wired up. */
export interface FieldControl {
  id: string;
  describedby: string | undefined;
  invalid: boolean;
}

/** One tag on the history trend chart. */
export interface PlotTag {
  tagId: number;
  name: string;
  unit: string;
  color: string;
  hidden: boolean;
  /** Part of the line is TwinEdge data (a dashed second line). */
  cloud: boolean;
  /** Reduced: a min/max band. */
  band: boolean;
}
export interface PlotOverlay {
  label: string;
  color: string;
}
export interface PlotFrame {
  /** x in epoch seconds, colsOf(layout) columns per tag, then 2 per overlay (score, anomaly marks). */
  data: uPlot.AlignedData;
  xMin: number;
  xMax: number;
}

/** What the trend view may ask of its chart. */
export interface PlotHandle {
  /** Plot width in CSS pixels (one bucket per pixel). */
  plotWidth: () => number;
  /** The chart canvas, for the PNG export. */
  canvas: () => HTMLCanvasElement | null;
}
