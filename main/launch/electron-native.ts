import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Where the Electron build of better-sqlite3 lives in development. Outside node_modules/better-sqlite3
 * on purpose: that copy stays built for Node, so `npm test` keeps working after `npm start`.
 */
export const electronBindingPath = (projectRoot: string, modulesAbi: string): string =>
  join(projectRoot, 'node_modules', '.cache', 'twinedge', `electron-abi-${modulesAbi}`, 'better_sqlite3.node');

/** The copy electron-builder.yml ships as resources/native/better_sqlite3.node. */
export const packagedBindingSource = (projectRoot: string): string =>
  join(projectRoot, 'node_modules', '.cache', 'twinedge', 'electron-native', 'better_sqlite3.node');

const run = (cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): boolean =>
  spawnSync(cmd, args, { cwd, env, stdio: 'ignore', timeout: 10 * 60_000 }).status === 0;

/** Electron's module ABI, asked of the binary itself. */
export const electronAbi = (electronBinary: string): string | undefined => {
  const out = spawnSync(electronBinary, ['-e', 'process.stdout.write(process.versions.modules)'], {
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return out.status === 0 && /^\d+$/.test(out.stdout) ? out.stdout : undefined;
};

/** Loads the binding inside Electron: the only proof that it was built for Electron's ABI. */
const loadsInElectron = (electronBinary: string, binding: string): boolean =>
  spawnSync(electronBinary, ['-e', `require(${JSON.stringify(binding)})`], {
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    stdio: 'ignore',
    timeout: 60_000,
  }).status === 0;

/**
 * Builds (once) better-sqlite3 for Electron in a scratch copy of the package and keeps only the
 * .node file. Tries the package's prebuilt binary for Electron first, then a source build with
 * @electron/rebuild. npm's `nodedir` setting is cleared for the child: on machines where it points at
 * the system Node headers, the rebuild would otherwise report success and produce a Node binary.
 */
export const prepareElectronSqlite = (
  projectRoot: string,
  electronBinary: string,
  electronVersion: string,
): { ok: true; path: string } | { ok: false; reason: string } => {
  const abi = electronAbi(electronBinary);
  if (!abi) return { ok: false, reason: 'could not ask Electron for its module ABI' };
  const target = electronBindingPath(projectRoot, abi);
  if (existsSync(target) && loadsInElectron(electronBinary, target)) return { ok: true, path: target };

  const scratch = mkdtempSync(join(tmpdir(), 'twinedge-native-'));
  try {
    const pkg = join(scratch, 'node_modules', 'better-sqlite3');
    cpSync(join(projectRoot, 'node_modules', 'better-sqlite3'), pkg, {
      recursive: true,
      filter: (src) => !src.includes(`${join('better-sqlite3', 'build')}`),
    });
    const env = {
      ...process.env,
      npm_config_nodedir: '',
      npm_config_runtime: 'electron',
      npm_config_target: electronVersion,
    };
    const bin = (name: string): string => join(projectRoot, 'node_modules', '.bin', name);
    const built = join(pkg, 'build', 'Release', 'better_sqlite3.node');
    const attempts: [string, string[], string][] = [
      [bin('prebuild-install'), ['--runtime', 'electron', '--target', electronVersion, '--arch', process.arch], pkg],
      [
        bin('electron-rebuild'),
        ['--version', electronVersion, '--module-dir', scratch, '--only', 'better-sqlite3', '--force'],
        scratch,
      ],
    ];
    for (const [cmd, args, cwd] of attempts) {
      if (run(cmd, args, cwd, env) && existsSync(built) && loadsInElectron(electronBinary, built)) {
        mkdirSync(dirname(target), { recursive: true });
        cpSync(built, target);
        return { ok: true, path: target };
      }
    }
    return { ok: false, reason: 'neither a prebuilt binary nor a source build of better-sqlite3 for Electron worked' };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
};
