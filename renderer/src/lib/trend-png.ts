/** The trend PNG export: the chart canvas framed with a title, the range and a legend, as a person reads it on paper. */
import { formatTimestamp, localTimeZone } from './format';
import { bucketText } from './trend-data';
import type { TimeRange } from './trend-range';
import type { PlotTag } from './ui-types';

/** The picture to save: `src` (the chart) with its heading and a legend of the visible tags; null without a 2D context. */
export function trendPicture(
  src: HTMLCanvasElement,
  range: TimeRange,
  bucketMs: number | null,
  tags: readonly PlotTag[],
): HTMLCanvasElement | null {
  const pad = 10;
  const lineH = 18;
  const visible = tags.filter((t) => !t.hidden);
  const legendRows = Math.ceil(visible.length / 4);
  const out = document.createElement('canvas');
  out.width = src.width + pad * 2;
  out.height = src.height + pad * 3 + lineH * (2 + legendRows);
  const ctx = out.getContext('2d');
  if (!ctx) return null;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = '#0f172a';
  ctx.font = 'bold 14px system-ui, sans-serif';
  ctx.fillText('TwinEdge trend', pad, pad + 12);
  ctx.font = '12px system-ui, sans-serif';
  ctx.fillText(
    `${formatTimestamp(range.from)} – ${formatTimestamp(range.to)} (${localTimeZone})${bucketMs ? ` · ${bucketText(bucketMs)} min/max/avg buckets` : ''}`,
    pad,
    pad + 12 + lineH,
  );
  ctx.drawImage(src, pad, pad * 2 + lineH * 2);
  const colW = Math.max(120, Math.floor((out.width - pad * 2) / 4));
  visible.forEach((t, i) => {
    const x = pad + (i % 4) * colW;
    const y = src.height + pad * 3 + lineH * (2 + Math.floor(i / 4));
    ctx.fillStyle = t.color;
    ctx.fillRect(x, y - 8, 14, 4);
    ctx.fillStyle = '#0f172a';
    ctx.fillText(`${t.name}${t.unit ? ` [${t.unit}]` : ''}`, x + 18, y - 2);
  });
  return out;
}
