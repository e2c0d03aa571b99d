import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { errorMessage } from '../domain/errors/app-error.js';

/**
 * Start at login on Linux, the XDG way: Electron's setLoginItemSettings does nothing there, so a Desktop Entry
 * is written to (or removed from) $XDG_CONFIG_HOME/autostart. Plain Node: no Electron, tested on a real folder.
 */

/** The file name: package.json's desktopName, so the desktop links it to the installed launcher of the same id. */
export const AUTOSTART_FILE = 'twinedge-desktop.desktop';

/** The autostart file. XDG says a relative or empty XDG_CONFIG_HOME is ignored (then ~/.config). */
export const autostartPath = (env: NodeJS.ProcessEnv, home: string = homedir(), file = AUTOSTART_FILE): string => {
  const xdg = env.XDG_CONFIG_HOME;
  const config = xdg && isAbsolute(xdg) ? xdg : join(home, '.config');
  return join(config, 'autostart', file.endsWith('.desktop') ? file : `${file}.desktop`);
};

/** The command that starts this same app: the AppImage file when running from one (execPath is inside its mount). */
export const launchCommand = (o: {
  execPath: string;
  appImage?: string | undefined;
  /** Unpackaged (development) runs need the app folder after the Electron binary. */
  appPath?: string | undefined;
  minimised: boolean;
}): string[] => [
  o.appImage || o.execPath,
  ...(o.appImage || !o.appPath ? [] : [o.appPath]),
  ...(o.minimised ? ['--minimised'] : []),
];

// Desktop Entry spec, "The Exec key": arguments holding any of these must be quoted ('=' too: older versions
// reserve it, and quoting never hurts).
const reserved = /[\s"'\\><~|&;$*?#()`=]/;

/** One Exec argument, quoted per the spec's Exec rules ('%' doubled: a lone one starts a field code). */
export const quoteExecArg = (arg: string): string => {
  const literal = arg.replaceAll('%', '%%');
  if (literal !== '' && !reserved.test(literal)) return literal;
  return `"${literal.replace(/["`$\\]/g, (c) => `\\${c}`)}"`;
};

/** The spec's string escapes, applied to the whole value after Exec quoting (so one '\' ends up as four). */
export const escapeValue = (value: string): string =>
  value.replace(/[\\\n\t\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\t' ? '\\t' : '\\r'));

export const execLine = (argv: readonly string[]): string => escapeValue(argv.map(quoteExecArg).join(' '));

export interface AutostartEntry {
  name: string;
  comment: string;
  argv: readonly string[];
  /** A themed icon name, only when one is installed (the deb package); an AppImage has none to point at. */
  icon?: string | undefined;
}

export const desktopEntryText = (e: AutostartEntry): string =>
  [
    '# Written by TwinEdge Desktop for "Start at login" (tray menu). Turn that off, or delete this file, to stop it.',
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.5',
    `Name=${escapeValue(e.name)}`,
    `Comment=${escapeValue(e.comment)}`,
    `Exec=${execLine(e.argv)}`,
    ...(e.icon ? [`Icon=${escapeValue(e.icon)}`] : []),
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');

export type AutostartResult = { ok: true; changed: boolean } | { ok: false; message: string };

const reason = (err: unknown): string => {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return 'the folder is read-only';
  if (code === 'ENOSPC') return 'the disk is full';
  if (code === 'ENOTDIR' || code === 'EEXIST') return 'a file is in the way of the folder';
  return errorMessage(err);
};

const readText = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

/** Best effort: the temp file may not exist, or its folder may not be reachable. */
const discard = (tmp: string): void => {
  try {
    rmSync(tmp, { force: true });
  } catch {
    // Nothing was left behind, or nothing can be removed there.
  }
};

/** Writes the entry (temp file + rename, so a login never sees half a file); unchanged content is left alone. */
export const writeAutostart = (path: string, text: string): AutostartResult => {
  if (readText(path) === text) return { ok: true, changed: false };
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, text, { mode: 0o644 });
    renameSync(tmp, path);
    return { ok: true, changed: true };
  } catch (err) {
    discard(tmp);
    return { ok: false, message: `Start at login could not be turned on: ${path} not written (${reason(err)}).` };
  }
};

export const removeAutostart = (path: string): AutostartResult => {
  if (readText(path) === null) return { ok: true, changed: false };
  try {
    rmSync(path, { force: true });
    return { ok: true, changed: true };
  } catch (err) {
    return { ok: false, message: `Start at login could not be turned off: ${path} not removed (${reason(err)}).` };
  }
};

/**
 * Whether the desktop will start the app at login from this file: it exists and is not switched off by the
 * desktop's own Startup Applications tool (Hidden=true, or X-GNOME-Autostart-enabled=false in GNOME).
 */
export const autostartEnabled = (path: string): boolean => {
  const text = readText(path);
  if (text === null) return false;
  const value = (key: string): string | undefined =>
    new RegExp(`^${key}\\s*=\\s*(.*?)\\s*$`, 'm').exec(text)?.[1]?.toLowerCase();
  return value('Hidden') !== 'true' && value('X-GNOME-Autostart-enabled') !== 'false';
};
