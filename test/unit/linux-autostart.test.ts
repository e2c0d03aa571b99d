import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AUTOSTART_FILE,
  autostartEnabled,
  autostartPath,
  desktopEntryText,
  launchCommand,
  quoteExecArg,
  removeAutostart,
  writeAutostart,
} from '../../main/desktop/linux-autostart.js';

/**
 * Linux start at login: the autostart Desktop Entry written to, read back from and removed from a real
 * XDG_CONFIG_HOME in a temp folder.
 */

/** Parses a Desktop Entry's [Desktop Entry] group into key → raw value (comments and blank lines skipped). */
const parseEntry = (text: string): Map<string, string> => {
  const keys = new Map<string, string>();
  let group = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    if (line.startsWith('[')) group = line;
    else if (group === '[Desktop Entry]') {
      const at = line.indexOf('=');
      keys.set(line.slice(0, at), line.slice(at + 1));
    }
  }
  return keys;
};

/** Undoes the spec's string escapes, then its Exec quoting: the argv a launcher would run (written apart). */
const execArgv = (value: string): string[] => {
  let s = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c !== '\\') s += c;
    else {
      const n = value[++i];
      s += n === 's' ? ' ' : n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n;
    }
  }
  const argv: string[] = [];
  let arg: string | null = null;
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] ?? '';
    if (quoted) {
      if (c === '\\') arg = (arg ?? '') + (s[++i] ?? '');
      else if (c === '"') quoted = false;
      else arg = (arg ?? '') + c;
    } else if (c === ' ') {
      if (arg !== null) argv.push(arg);
      arg = null;
    } else if (c === '"') {
      quoted = true;
      arg ??= '';
    } else arg = (arg ?? '') + c;
  }
  if (arg !== null) argv.push(arg);
  // Field codes are expanded after unquoting: %% is a literal %, anything else would be a field code.
  return argv.map((a) => a.replace(/%(.)/g, (_, f: string) => (f === '%' ? '%' : `<field ${f}>`)));
};

const entry = (argv: string[], icon?: string): string =>
  desktopEntryText({ name: 'TwinEdge Desktop', comment: 'Collects plant data from login', argv, icon });

describe('Linux autostart entry', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'twinedge-autostart-'));
    path = autostartPath({ XDG_CONFIG_HOME: dir }, '/home/nobody');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lives in $XDG_CONFIG_HOME/autostart, else ~/.config/autostart (a relative XDG_CONFIG_HOME is ignored)', () => {
    expect(path).toBe(join(dir, 'autostart', 'twinedge-desktop.desktop'));
    expect(autostartPath({}, '/home/eng')).toBe('/home/eng/.config/autostart/twinedge-desktop.desktop');
    expect(autostartPath({ XDG_CONFIG_HOME: 'rel/cfg' }, '/home/eng')).toBe(
      '/home/eng/.config/autostart/twinedge-desktop.desktop',
    );
    expect(autostartPath({}, '/h', 'other')).toBe('/h/.config/autostart/other.desktop');
  });

  it('is named after package.json desktopName, and its icon after the Linux executable', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { desktopName: string };
    expect(AUTOSTART_FILE).toBe(pkg.desktopName);
    const builder = readFileSync('electron-builder.yml', 'utf8');
    expect(builder).toMatch(new RegExp(`^\\s*executableName: ${AUTOSTART_FILE.replace(/\.desktop$/, '')}$`, 'm'));
  });

  it('writes a Desktop Entry that starts this app, with --minimised only when asked', () => {
    expect(
      writeAutostart(path, entry(launchCommand({ execPath: '/opt/TwinEdge/twinedge', minimised: false }))),
    ).toEqual({ ok: true, changed: true });
    const text = readFileSync(path, 'utf8');
    expect(text.split('\n').find((l) => !l.startsWith('#'))).toBe('[Desktop Entry]');
    const keys = parseEntry(text);
    expect(keys.get('Type')).toBe('Application');
    expect(keys.get('Name')).toBe('TwinEdge Desktop');
    expect(keys.get('Comment')).toBe('Collects plant data from login');
    expect(keys.get('X-GNOME-Autostart-enabled')).toBe('true');
    expect(keys.get('Exec')).toBe('/opt/TwinEdge/twinedge');
    expect(keys.has('Icon')).toBe(false);
    expect(statSync(path).mode & 0o777).toBe(0o644);
    expect(autostartEnabled(path)).toBe(true);

    writeAutostart(path, entry(launchCommand({ execPath: '/opt/TwinEdge/twinedge', minimised: true }), 'twinedge'));
    const minimised = parseEntry(readFileSync(path, 'utf8'));
    expect(minimised.get('Exec')).toBe('/opt/TwinEdge/twinedge --minimised');
    expect(minimised.get('Icon')).toBe('twinedge');
  });

  it('an AppImage is started from its file (APPIMAGE), not from its temporary mount', () => {
    const argv = launchCommand({
      execPath: '/tmp/.mount_TwinEdXYZ/twinedge-desktop',
      appImage: '/home/eng/Apps/TwinEdge Desktop-0.1.0.AppImage',
      appPath: '/ignored/when/appimage',
      minimised: true,
    });
    expect(argv).toEqual(['/home/eng/Apps/TwinEdge Desktop-0.1.0.AppImage', '--minimised']);
    writeAutostart(path, entry(argv));
    const exec = parseEntry(readFileSync(path, 'utf8')).get('Exec') ?? '';
    expect(exec).toBe('"/home/eng/Apps/TwinEdge Desktop-0.1.0.AppImage" --minimised');
    expect(execArgv(exec)).toEqual(argv);
    // A development run starts Electron with the app folder.
    expect(launchCommand({ execPath: '/e/electron', appPath: '/src/app', minimised: false })).toEqual([
      '/e/electron',
      '/src/app',
    ]);
  });

  it('quotes paths per the Exec rules: spaces, quotes, $, backslash, backtick and % survive to the launcher', () => {
    expect(quoteExecArg('/plain/path-1.0_x')).toBe('/plain/path-1.0_x');
    expect(quoteExecArg('/a b')).toBe('"/a b"');
    expect(quoteExecArg('')).toBe('""');
    expect(quoteExecArg('/a$b')).toBe('"/a\\$b"');
    expect(quoteExecArg('/50%')).toBe('/50%%');
    const odd = ['/home/o\'neil/my "apps"/$HOME `x` back\\slash 100%/tab\there', '--minimised'];
    writeAutostart(path, entry(odd));
    const exec = parseEntry(readFileSync(path, 'utf8')).get('Exec') ?? '';
    // The spec's own examples: one literal backslash is four, a literal $ is \\$; a tab is escaped, not raw.
    expect(exec).toContain('back\\\\\\\\slash');
    expect(exec).toContain('\\\\$HOME');
    expect(exec).toContain('\\t');
    expect(exec).not.toContain('\t');
    expect(execArgv(exec)).toEqual(odd);
  });

  it('is idempotent, and turning it off removes the file (twice is fine)', () => {
    const text = entry(['/opt/t']);
    expect(writeAutostart(path, text)).toEqual({ ok: true, changed: true });
    const written = statSync(path).mtimeMs;
    expect(writeAutostart(path, text)).toEqual({ ok: true, changed: false });
    expect(statSync(path).mtimeMs).toBe(written);
    expect(writeAutostart(path, entry(['/opt/t', '--minimised']))).toEqual({ ok: true, changed: true });
    expect(removeAutostart(path)).toEqual({ ok: true, changed: true });
    expect(existsSync(path)).toBe(false);
    expect(autostartEnabled(path)).toBe(false);
    expect(removeAutostart(path)).toEqual({ ok: true, changed: false });
  });

  it('a desktop tool switching it off (Hidden, X-GNOME-Autostart-enabled=false) reads as off', () => {
    writeAutostart(path, entry(['/opt/t']));
    expect(autostartEnabled(path)).toBe(true);
    writeFileSync(
      path,
      readFileSync(path, 'utf8').replace('X-GNOME-Autostart-enabled=true', 'X-GNOME-Autostart-enabled=false'),
    );
    expect(autostartEnabled(path)).toBe(false);
    writeFileSync(path, `${entry(['/opt/t'])}Hidden=true\n`);
    expect(autostartEnabled(path)).toBe(false);
  });

  it('a file in the way of the folder gives a plain message, no throw and no temp file left', () => {
    writeFileSync(join(dir, 'autostart'), 'not a folder');
    const r = writeAutostart(path, entry(['/opt/t']));
    expect(r).toEqual({
      ok: false,
      message: `Start at login could not be turned on: ${path} not written (a file is in the way of the folder).`,
    });
    expect(readdirSync(dir)).toEqual(['autostart']);
  });

  it('a read-only autostart folder gives a plain message and no throw (on and off)', () => {
    const folder = join(dir, 'autostart');
    mkdirSync(folder);
    writeFileSync(path, entry(['/opt/old']));
    chmodSync(folder, 0o555);
    chmodSync(dir, 0o755);
    // Root writes through permissions: run the calls as "nobody" then, in a child process.
    const asRoot = process.getuid?.() === 0;
    const moduleUrl = pathToFileURL(join(process.cwd(), 'main/desktop/linux-autostart.ts')).href;
    const script = `
      const m = await import(${JSON.stringify(moduleUrl)});
      const on = m.writeAutostart(${JSON.stringify(path)}, 'new text');
      const off = m.removeAutostart(${JSON.stringify(path)});
      console.log(JSON.stringify({ on, off }));`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
    });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual({
      on: {
        ok: false,
        message: `Start at login could not be turned on: ${path} not written (the folder is read-only).`,
      },
      off: {
        ok: false,
        message: `Start at login could not be turned off: ${path} not removed (the folder is read-only).`,
      },
    });
    expect(readFileSync(path, 'utf8')).toBe(entry(['/opt/old']));
    chmodSync(folder, 0o755);
  });
});
