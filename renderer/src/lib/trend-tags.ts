/** Which of the selected trend tags the chart can draw: limits, text tags, and the note that names those it cannot. Pure. */
import type { DeviceView } from '../../../main/domain/device/device-view';

/** The chart draws at most this many tags. */
export const MAX_TAGS = 50;
/** The settings file keeps at most this many trend tags. */
export const SETTINGS_TAGS = 32;

/** Modbus string tags have no number to draw. */
export function stringTagIdsOf(devices: readonly DeviceView[]): Set<number> {
  return new Set(
    devices.flatMap((d) => {
      if (d.config.protocol !== 'modbus') return [];
      const strings = new Set(d.config.tags.filter((t) => t.dataType === 'string').map((t) => t.name));
      return d.tags.filter((t) => strings.has(t.name)).map((t) => t.id);
    }),
  );
}

/** Says which selected tags are text and where their values are instead; empty when there are none. */
export function textTagNote(texts: readonly string[]): string {
  if (texts.length === 0) return '';
  const list = texts.length === 1 ? texts[0] : `${texts.slice(0, -1).join(', ')} and ${texts.at(-1)}`;
  return texts.length === 1
    ? `${list} is text: its value is in the table below, not on the chart.`
    : `${list} are text: their values are in the table below, not on the chart.`;
}
