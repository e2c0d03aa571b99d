// eslint-disable-next-line no-control-regex -- control characters are not allowed in file names
const unsafe = /[\\/:*?"<>|\u0000-\u001f]/g;

/** A name (a device's, say) as part of a file name on Windows, macOS and Linux. */
export const fileSafe = (name: string): string => name.replace(unsafe, '_').trim();

/** The export time in UTC to the second, e.g. "2026-11-30T120733Z". */
const utcStamp = (ms: number): string => {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
};

/**
 * The one pattern for every file the app offers: "twinedge-<what>-<export time, UTC>.<ext>", e.g.
 * "twinedge-trend-2026-11-30T120733Z.csv" or "twinedge-Boiler PLC-registers-2026-11-30T120733Z.csv". `what` names
 * the content (parts joined by "-", each made safe for every OS; empty parts left out).
 */
export function exportFileName(what: string | readonly string[], ext: string, at: number = Date.now()): string {
  const parts = (typeof what === 'string' ? [what] : what).map(fileSafe).filter((p) => p !== '');
  return ['twinedge', ...parts, utcStamp(at)].join('-') + `.${ext.replace(/^\./, '')}`;
}
