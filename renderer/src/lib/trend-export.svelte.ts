/** The trend view's exports: CSV of the shown range at a chosen resolution, and a PNG of the chart. */
import type { Resolution } from '../../../main/domain/history/resolution';
import { errorText } from './api';
import { downloadBlob, downloadText, exportFileName } from './download';
import type { AppState } from './state.svelte';
import type { TimeRange } from './trend-range';
import { trendPicture } from './trend-png';
import type { PlotHandle, PlotTag } from './ui-types';

export class TrendExport {
  resolution = $state<Resolution>('raw');
  note = $state<string | null>(null);
  error = $state<string | null>(null);

  constructor(private readonly app: AppState) {}

  csv = async (tagIds: number[], range: TimeRange): Promise<void> => {
    if (tagIds.length === 0) return;
    const r = { ...range };
    this.error = null;
    try {
      const res = await this.app.api['history.export']({ tagIds, from: r.from, to: r.to, resolution: this.resolution });
      downloadText(res.filename, res.csv, 'text/csv');
      this.note = `Exported ${res.rows} rows (${res.resolution === 'raw' ? 'raw samples' : `${res.resolution} buckets`}) to ${res.filename}.`;
    } catch (err) {
      this.error = `Could not export CSV: ${errorText(err)}`;
    }
  };

  png = (plot: PlotHandle | null, range: TimeRange, bucketMs: number | null, tags: readonly PlotTag[]): void => {
    const src = plot?.canvas();
    if (!src) return;
    const out = trendPicture(src, range, bucketMs, tags);
    if (!out) return;
    out.toBlob((blob) => {
      if (blob) downloadBlob(exportFileName('trend', 'png'), blob);
    }, 'image/png');
  };
}
