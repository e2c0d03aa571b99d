// eslint-disable-next-line no-control-regex -- control characters are not allowed in file names
const unsafe = /[\\/:*?"<>|\u0000-\u001f]/g;

/** A device name as a file name on Windows, macOS and Linux. */
export const fileSafe = (name: string): string => name.replace(unsafe, '_').trim() || 'device';

/** Saves text as a file through the browser's download (both shells). */
export function downloadText(fileName: string, text: string, type = 'application/json'): void {
  const blob = new Blob([text], { type: `${type};charset=utf-8` });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
