import type uPlot from 'uplot';

/** One line on the trend chart. */
export interface SeriesDef {
  tagId: number;
  label: string;
  unit: string;
  color: string;
}

/** What the chart draws in one animation frame. */
export interface ChartFrame {
  /** uPlot columnar data: x in epoch seconds, then one column per series (same order). */
  data: uPlot.AlignedData;
  /** Visible x range, epoch seconds. */
  xMin: number;
  xMax: number;
}

/** What a form field hands its input so label, error and description are wired up. */
export interface FieldControl {
  id: string;
  describedby: string | undefined;
  invalid: boolean;
}
