import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseServeArgs } from '../../main/server/serve-args.js';

/** A systemd unit as sections of key → values (a key may repeat); comments and blank lines dropped. */
const parseUnit = (text: string): Map<string, Map<string, string[]>> => {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = new Map();
      sections.set(header[1] ?? '', current);
      continue;
    }
    const eq = line.indexOf('=');
    if (!current || eq < 1) throw new Error(`not a unit file line: ${line}`);
    const key = line.slice(0, eq);
    current.set(key, [...(current.get(key) ?? []), line.slice(eq + 1)]);
  }
  return sections;
};

describe('the systemd unit for headless gateways (build/twinedge-gateway.service)', () => {
  const unit = parseUnit(readFileSync('build/twinedge-gateway.service', 'utf8'));
  const service = unit.get('Service') ?? new Map<string, string[]>();
  const one = (key: string): string => {
    const v = service.get(key);
    expect(v, key).toHaveLength(1);
    return v?.[0] ?? '';
  };

  it('has the Unit, Service and Install sections', () => {
    expect([...unit.keys()]).toEqual(['Unit', 'Service', 'Install']);
    expect(unit.get('Unit')?.get('After')).toEqual(['network-online.target']);
    expect(unit.get('Install')?.get('WantedBy')).toEqual(['multi-user.target']);
  });

  it('runs as its own user, restarts on failure and is hardened', () => {
    expect(one('User')).toBe('twinedge');
    expect(one('WorkingDirectory')).toMatch(/^\//);
    expect(one('Restart')).toBe('on-failure');
    expect(one('NoNewPrivileges')).toBe('yes');
    expect(one('ProtectSystem')).toBe('strict');
    expect(one('PrivateTmp')).toBe('yes');
    expect(one('ProtectHome')).toBe('yes');
    // V8 needs writable+executable memory: that one protection would crash Node.
    expect(service.has('MemoryDenyWriteExecute')).toBe(false);
  });

  it('takes secrets from the environment (a 0600 file), never from the config file', () => {
    expect(service.get('Environment')).toContain('TWINEDGE_SECRETS_FROM_ENV=1');
    expect(one('EnvironmentFile')).toBe('/etc/twinedge/secrets.env');
  });

  it('ExecStart runs the browser-mode entry with flags serve accepts, and may write the data dir', () => {
    const [node, script, ...flags] = one('ExecStart').split(/\s+/);
    expect(node).toMatch(/^\/.*\/node$/);
    expect(script).toBe('dist/main/serve.js');
    const args = parseServeArgs(flags);
    if (args === 'help') throw new Error('ExecStart asks for help');
    expect(args.configFile).toBe('/etc/twinedge/config.json');
    expect(args.dataDir).toBe('/var/lib/twinedge');
    expect(args.host).toBe('127.0.0.1');
    expect(service.get('ReadWritePaths')).toEqual([args.dataDir]);
  });

  it('dist/main/serve.js is what the build produces', () => {
    // The bundle script names the entry "serve" with dist/main as its output folder.
    const bundle = readFileSync('build/bundle.mjs', 'utf8');
    expect(bundle).toMatch(/serve: 'main\/server\/serve\.ts'/);
    expect(bundle).toMatch(/outdir: 'dist\/main'/);
    // After `npm run build` (as `npm test` runs it) the file itself is there.
    if (existsSync('dist/main')) expect(existsSync('dist/main/serve.js')).toBe(true);
  });
});
