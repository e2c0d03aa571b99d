import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { openAsar, type Asar } from '../helpers/asar.js';
import { filesUnder } from '../helpers/files.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * electron-builder.yml checked without the Electron download: against electron-builder's own schema, and by a
 * dry packaging run (Linux `dir` target) with a stand-in Electron distribution, whose app.asar is then opened to
 * see what the package really holds.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);
const builderDir = dirname(require.resolve('electron-builder/package.json'));
const appBuilderLibDir = dirname(
  createRequire(join(builderDir, 'package.json')).resolve('app-builder-lib/package.json'),
);
const builderCli = join(builderDir, 'cli.js');

/** The environment for electron-builder's CLI. */
const builderEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, USE_HARD_LINKS: 'false', CSC_IDENTITY_AUTO_DISCOVERY: 'false' };
  // electron-builder hard-links node_modules files into the package when it sees VITEST: never into our tree.
  for (const k of Object.keys(env)) if (k.startsWith('VITEST')) delete env[k];
  return env;
};

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

const loadConfig = (): JsonObject => parse(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as JsonObject;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  productName: string;
  desktopName: string;
  main: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

// The same ajv options electron-builder validates with (app-builder-lib/out/util/config/schemaValidator.js),
// without its type coercion: the file must have the right types as written.
const schemaValidator = () => {
  const scheme = JSON.parse(readFileSync(join(appBuilderLibDir, 'scheme.json'), 'utf8')) as JsonObject;
  return new Ajv({ allErrors: true, strict: false }).compile(scheme);
};
const schemaErrors = (validate: ReturnType<typeof schemaValidator>, config: unknown): string[] =>
  validate(config)
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);

describe('electron-builder.yml', () => {
  const validate = schemaValidator();

  it("is valid against electron-builder's own configuration schema", () => {
    expect(schemaErrors(validate, loadConfig())).toEqual([]);
  });

  it('the schema check can fail: an unknown key, a misplaced option and a wrong type are refused', () => {
    const unknownTop = { ...loadConfig(), bogusOption: true };
    expect(schemaErrors(validate, unknownTop).join('\n')).toContain('"additionalProperty":"bogusOption"');
    const config = loadConfig();
    const misplaced = { ...config, linux: { ...(config.linux as JsonObject), oneClick: true } };
    expect(schemaErrors(validate, misplaced).join('\n')).toContain('"additionalProperty":"oneClick"');
    const wrongType = { ...config, nsis: { ...(config.nsis as JsonObject), perMachine: 'no' } };
    expect(schemaErrors(validate, wrongType).join('\n')).toMatch(/\/nsis\/perMachine must be boolean/);
  });

  it('electron-builder itself refuses an unknown key at once, before touching Electron or the output folder', () => {
    const out = tempDir('twinedge-pack-bad-');
    try {
      const started = Date.now();
      const run = spawnSync(
        process.execPath,
        [
          builderCli,
          '--linux',
          'dir',
          '--projectDir',
          root,
          '-c.bogusOption=1',
          `-c.electronDist=${join(out.path, 'no-electron-here')}`,
          `-c.directories.output=${join(out.path, 'out')}`,
        ],
        { cwd: root, env: builderEnv(), encoding: 'utf8', timeout: 60_000 },
      );
      expect(run.status).not.toBe(0);
      expect(`${run.stdout}${run.stderr}`).toMatch(/Invalid configuration object[\s\S]*bogusOption/);
      expect(existsSync(join(out.path, 'out'))).toBe(false);
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      out.remove();
    }
  });

  it('names the app, targets Windows NSIS per-user and Linux AppImage and deb, and packs into an asar', () => {
    const c = loadConfig();
    expect(c).toMatchObject({
      appId: 'com.twinedge.desktop',
      productName: pkg.productName,
      asar: true,
      npmRebuild: false,
      publish: null,
      directories: { buildResources: 'build' },
      extraResources: [
        {
          from: 'node_modules/.cache/twinedge/electron-native/better_sqlite3.node',
          to: 'native/better_sqlite3.node',
        },
      ],
      win: { target: ['nsis'], icon: 'build/icon.ico' },
      nsis: { oneClick: true, perMachine: false, allowElevation: false, deleteAppDataOnUninstall: false },
      linux: { target: ['AppImage', 'deb'], icon: 'build/icons', executableName: 'twinedge-desktop' },
    });
    const nsis = c.nsis as JsonObject;
    expect(nsis.createDesktopShortcut).toBe(true);
    expect(nsis.createStartMenuShortcut).toBe(true);
    const linux = c.linux as JsonObject;
    for (const field of ['maintainer', 'synopsis', 'description', 'category']) {
      expect(typeof linux[field], field).toBe('string');
    }
    // Electron takes the window's app id / WM_CLASS from desktopName; the .desktop file is named the same.
    expect(linux.syncDesktopName).toBe(true);
    expect(linux.executableName).toBe('twinedge-desktop');
    expect(pkg.desktopName).toBe('twinedge-desktop.desktop');
    const entry = (linux.desktop as { entry: JsonObject }).entry;
    expect(entry).toMatchObject({ GenericName: expect.any(String) as unknown });
    // electron-builder refuses an Exec of its own and fills Name, Comment, Categories and StartupWMClass.
    for (const key of ['Exec', 'Name', 'Comment', 'Categories', 'StartupWMClass'])
      expect(entry).not.toHaveProperty(key);
    expect(c.artifactName).toEqual(expect.stringContaining('${version}'));
  });

  it('has a Windows icon with a 256 px image and Linux icons in every size, all drawn from build/icon.png', () => {
    const ico = readFileSync(join(root, 'build', 'icon.ico'));
    expect(ico.readUInt16LE(2)).toBe(1); // an icon, not a cursor
    const count = ico.readUInt16LE(4);
    const sizes: number[] = [];
    for (let n = 0; n < count; n++) {
      const e = 6 + 16 * n;
      const size = ico[e] || 256;
      sizes.push(size);
      const body = ico.subarray(ico.readUInt32LE(e + 12), ico.readUInt32LE(e + 12) + ico.readUInt32LE(e + 8));
      if (size === 256) expect(body.subarray(1, 4).toString('latin1')).toBe('PNG');
      else
        expect([body.readUInt32LE(0), body.readInt32LE(4), body.readInt32LE(8), body.readUInt16LE(14)]).toEqual([
          40,
          size,
          size * 2,
          32,
        ]);
    }
    expect(sizes).toEqual([16, 24, 32, 48, 64, 128, 256]);

    const pngSize = (file: string): [number, number] => {
      const b = readFileSync(file);
      return [b.readUInt32BE(16), b.readUInt32BE(20)];
    };
    expect(pngSize(join(root, 'build', 'icon.png'))).toEqual([512, 512]);
    const linuxIcons = readdirSync(join(root, 'build', 'icons')).sort((a, b) => parseInt(a) - parseInt(b));
    expect(linuxIcons).toEqual([16, 24, 32, 48, 64, 128, 256, 512].map((s) => `${s}x${s}.png`));
    for (const name of linuxIcons) {
      const s = parseInt(name);
      expect(pngSize(join(root, 'build', 'icons', name)), name).toEqual([s, s]);
    }

    // The committed icons are what build/make-icons.mjs draws from icon.png today.
    const out = tempDir('twinedge-icons-');
    try {
      const run = spawnSync(process.execPath, [join(root, 'build', 'make-icons.mjs'), out.path], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      expect(readFileSync(join(out.path, 'icon.ico')).equals(ico)).toBe(true);
      for (const name of linuxIcons) {
        const fresh = readFileSync(join(out.path, 'icons', name));
        expect(fresh.equals(readFileSync(join(root, 'build', 'icons', name))), name).toBe(true);
      }
    } finally {
      out.remove();
    }
  });
});

/** Package names found in an asar: every `node_modules/<name>/package.json`, at any depth. */
const packagesIn = (asar: Asar): Set<string> => {
  const names = new Set<string>();
  for (const { path } of asar.files) {
    const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/@][^/]*)\/package\.json$/.exec(path);
    if (m?.[1]) names.add(m[1]);
  }
  return names;
};

/** Packages of package-lock.json, split into those only dev dependencies need and the others. */
const lockPackages = (): { dev: Set<string>; prod: Map<string, string> } => {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>;
  };
  const dev = new Set<string>();
  const prod = new Map<string, string>();
  for (const [path, meta] of Object.entries(lock.packages)) {
    if (!path) continue;
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    if (meta.dev) dev.add(name);
    else prod.set(name, path);
  }
  for (const name of prod.keys()) dev.delete(name);
  return { dev, prod };
};

/** Bare module specifiers a bundle imports: esbuild's `import ... from "x";` lines, `import("x")`, `__require("x")`. */
const bareImports = (code: string): Set<string> => {
  const specs = [
    ...code.matchAll(/^(?:import|export)\s(?:[^'"]*?\sfrom\s*)?["']([^"'\n]+)["'];?\s*$/gm),
    ...code.matchAll(/\b(?:import|__require)\(\s*["']([^"'\n]+)["']\s*\)/g),
  ].map((m) => m[1] ?? '');
  const found = new Set<string>();
  for (const spec of specs) {
    if (spec.startsWith('.') || spec.startsWith('node:') || builtinModules.includes(spec)) continue;
    const parts = spec.split('/');
    found.add(spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? spec));
  }
  return found;
};

describe('dry packaging run: Linux dir target, stand-in Electron', () => {
  const tmp = tempDir('twinedge-pack-');
  const out = join(tmp.path, 'out');
  const unpacked = join(out, 'linux-unpacked');
  let asar: Asar;
  let log = '';
  let packMs = 0;

  beforeAll(async () => {
    // `npm test` builds before vitest runs; run alone, this file builds what is missing.
    if (
      !existsSync(join(root, 'dist', 'main', 'desktop.js')) ||
      !existsSync(join(root, 'dist', 'renderer', 'index.html'))
    ) {
      const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, encoding: 'utf8', timeout: 240_000 });
      if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}\n${build.stderr}`);
    }

    // The stand-in Electron: any executable named `electron` (electron-builder renames it to executableName).
    const electronDist = join(tmp.path, 'electron-dist');
    mkdirSync(electronDist);
    writeFileSync(join(electronDist, 'electron'), '#!/bin/sh\necho "stand-in Electron for a dry packaging test"\n');
    chmodSync(join(electronDist, 'electron'), 0o755);
    // The Electron build of better-sqlite3 can't be made here: a placeholder in a temp folder stands in for it.
    const binding = join(tmp.path, 'native', 'better_sqlite3.node');
    mkdirSync(dirname(binding));
    writeFileSync(binding, 'placeholder for the Electron build of better-sqlite3');
    // The repository's electron-builder.yml, loaded by electron-builder itself, with only the binding's source moved.
    const override = join(tmp.path, 'override.json');
    writeFileSync(
      override,
      JSON.stringify({
        extends: join(root, 'electron-builder.yml'),
        extraResources: [{ from: binding, to: 'native/better_sqlite3.node' }],
      }),
    );

    const env = builderEnv();
    const started = Date.now();
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          builderCli,
          '--linux',
          'dir',
          '--projectDir',
          root,
          '--config',
          override,
          `-c.electronDist=${electronDist}`,
          '-c.npmRebuild=false',
          `-c.directories.output=${out}`,
        ],
        { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
      child.stdout.on('data', (d: Buffer) => (log += d.toString()));
      child.stderr.on('data', (d: Buffer) => (log += d.toString()));
      child.once('error', reject);
      child.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    packMs = Date.now() - started;
    if (code !== 0) throw new Error(`electron-builder exited with ${code} after ${packMs} ms:\n${log}`);
    asar = openAsar(join(unpacked, 'resources', 'app.asar'));
  }, 300_000);

  afterAll(() => {
    tmp.remove();
  });

  it('makes the app folder: the renamed executable, app.asar and the native binding resource', () => {
    console.info(`electron-builder --linux dir took ${packMs} ms`);
    const exe = join(unpacked, 'twinedge-desktop');
    expect(statSync(exe).mode & 0o111).not.toBe(0);
    expect(readFileSync(exe, 'utf8')).toContain('stand-in Electron');
    expect(readFileSync(join(unpacked, 'resources', 'native', 'better_sqlite3.node'), 'utf8')).toMatch(/placeholder/);
    // electron-builder loaded the repository's file (the schema was checked on the way).
    expect(log).toMatch(/electron-builder\.yml/);
    expect(log).not.toMatch(/Invalid configuration object/);
  });

  it('holds the built app and package.json, with the entry the app starts from', () => {
    const top = new Set(asar.files.map((f) => f.path.split('/')[0]));
    expect([...top].sort()).toEqual(['dist', 'node_modules', 'package.json']);
    const packaged = JSON.parse(asar.read('package.json').toString('utf8')) as typeof pkg;
    expect(packaged).toMatchObject({ name: pkg.name, productName: pkg.productName, main: 'dist/main/desktop.js' });
    expect(asar.has(packaged.main)).toBe(true);

    const built = (sub: string): string[] =>
      filesUnder(join(root, 'dist', sub))
        .map((f) => relative(root, f).split('\\').join('/'))
        .filter((f) => !f.endsWith('.map'));
    const expected = [...built('main'), ...built('preload'), ...built('renderer')];
    expect(expected).toContain('dist/main/desktop.js');
    expect(expected).toContain('dist/preload/preload.cjs');
    expect(expected).toContain('dist/renderer/index.html');
    expect(expected.some((f) => f.startsWith('dist/renderer/assets/') && f.endsWith('.js'))).toBe(true);
    expect(expected.some((f) => f.startsWith('dist/renderer/assets/') && f.endsWith('.css'))).toBe(true);
    expect(expected.filter((f) => !asar.has(f))).toEqual([]);
  });

  it('holds every runtime dependency and every package the main bundle imports', () => {
    const names = packagesIn(asar);
    for (const dep of Object.keys(pkg.dependencies)) expect(names, dep).toContain(dep);
    // The JS that actually runs, not only package.json files.
    for (const file of [
      'node_modules/better-sqlite3/lib/index.js',
      'node_modules/zod/package.json',
      'node_modules/ws/index.js',
      'node_modules/node-opcua/package.json',
    ]) {
      expect(asar.has(file), file).toBe(true);
    }
    // Everything package-lock.json installs for production on this platform is there (transitive ones too).
    const { prod } = lockPackages();
    const installed = [...prod].filter(([, path]) => existsSync(join(root, path))).map(([name]) => name);
    expect(installed.length).toBeGreaterThan(100);
    expect(installed.filter((name) => !names.has(name))).toEqual([]);
    // Native addons sit unpacked beside the archive (Electron can't load them from inside it).
    const natives = asar.files.filter((f) => f.path.endsWith('.node'));
    expect(natives.length).toBeGreaterThan(0);
    for (const f of natives) {
      expect(f.unpacked, f.path).toBe(true);
      expect(existsSync(join(unpacked, 'resources', 'app.asar.unpacked', f.path)), f.path).toBe(true);
    }
    expect(natives.some((f) => f.path.includes('@napi-rs/keyring-'))).toBe(true);

    // The entries and the chunks they load on demand (the OPC UA code is split off and loaded when first needed).
    const mainDir = join(root, 'dist', 'main');
    const bundles = readdirSync(mainDir).filter((f) => f.endsWith('.js'));
    for (const f of bundles) expect(asar.has(`dist/main/${f}`), f).toBe(true);
    const main = bundles.map((f) => readFileSync(join(mainDir, f), 'utf8')).join('\n');
    const imported = [...bareImports(main)].filter((name) => name !== 'electron');
    expect(imported).toEqual(expect.arrayContaining(['better-sqlite3', 'node-opcua', 'zod', 'serialport']));
    expect(imported.filter((name) => !names.has(name))).toEqual([]);
  });

  it('holds nothing from test/, no source maps, no TypeScript sources and no dev dependency', () => {
    const paths = asar.files.map((f) => f.path);
    expect(paths.filter((p) => p.startsWith('test/') || p.startsWith('dist/test'))).toEqual([]);
    expect(paths.filter((p) => p.endsWith('.map'))).toEqual([]);
    expect(paths.filter((p) => /\.(ts|mts|cts|tsx|tsbuildinfo)$/.test(p))).toEqual([]);
    // Native modules ship as binaries: no C++ sources (node-addon-api's headers and .gyp files are a package).
    expect(paths.filter((p) => /\.(cc|cpp)$/.test(p))).toEqual([]);
    expect(paths.filter((p) => /^(main|preload|renderer|build)\//.test(p))).toEqual([]);
    // No tool folders: the Node-ABI/Electron-ABI build cache and npm's command links.
    expect(paths.filter((p) => /(^|\/)node_modules\/\.(cache|bin)\//.test(p))).toEqual([]);
    // better-sqlite3's Node build and its C sources stay out: the Electron build ships in resources/native.
    expect(paths.filter((p) => /^node_modules\/better-sqlite3\/(build|deps|src)\//.test(p))).toEqual([]);

    const names = packagesIn(asar);
    for (const dev of [
      'electron',
      'electron-builder',
      'vitest',
      'typescript',
      'eslint',
      'playwright',
      '@playwright/test',
      'svelte',
      'svelte-check',
      'vite',
      'esbuild',
      'prettier',
      'tsx',
      'ajv',
    ]) {
      expect(names.has(dev), dev).toBe(false);
    }
    // And none of the ~500 packages only the dev dependencies pull in.
    const { dev } = lockPackages();
    expect(dev.size).toBeGreaterThan(100);
    expect([...dev].filter((name) => names.has(name))).toEqual([]);
  });
});
