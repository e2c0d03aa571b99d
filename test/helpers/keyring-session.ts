import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KEYCHAIN_SERVICE } from '../../main/secrets/keychain-store.js';
import { tempDir } from './temp-dir.js';

const run = promisify(execFile);

/**
 * A private D-Bus session bus with an unlocked gnome-keyring on it: a real OS keychain (Secret Service) for
 * tests, in a throw-away folder, touching nothing of the machine's own sessions or keyrings.
 *
 * Traps (seen on Debian 12):
 * - The keyring client (libdbus inside @napi-rs/keyring) keeps its first session-bus connection for the
 *   process's lifetime: a process can use one bus only, so any other bus (or no bus) is tried in a child.
 * - `gnome-keyring-daemon --unlock` reads the login password from stdin (no newline) and forks; the fork
 *   holds the bus name org.freedesktop.secrets. Starting it a second time does not unlock a locked keyring.
 * - Without --unlock, D-Bus activation starts a keyring with no default collection: stores are refused
 *   ("no result found"); a locked one answers "unlock prompt was dismissed" (no prompter here).
 * - XDG_RUNTIME_DIR (mode 700) and XDG_DATA_HOME must point into the temp folder, or the daemon uses the
 *   user's real ones.
 */
export interface KeyringSession {
  /** The variables a child process needs to use this keychain. */
  env: { DBUS_SESSION_BUS_ADDRESS: string; XDG_RUNTIME_DIR: string; XDG_DATA_HOME: string };
  /** `secret-tool lookup`: an independent reader of what the app stored (null when there is nothing). */
  lookup(account: string, service?: string): Promise<string | null>;
  /** `secret-tool store`, for a secret the app did not write. */
  store(account: string, secret: string, service?: string): Promise<void>;
  /** Locks the login keyring (it cannot be unlocked again without a prompt: use a session of its own). */
  lock(): Promise<void>;
  stop(): Promise<void>;
}

const exited = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

/**
 * Starts the bus and the keyring. With `forThisProcess` (the default) the test process's
 * DBUS_SESSION_BUS_ADDRESS points at the bus until stop().
 */
export const startKeyringSession = async ({ forThisProcess = true } = {}): Promise<KeyringSession> => {
  const dir = tempDir('twinedge-keyring-');
  const runtime = join(dir.path, 'run');
  const data = join(dir.path, 'data');
  mkdirSync(runtime, { mode: 0o700 });
  mkdirSync(data, { mode: 0o700 });
  const address = `unix:path=${join(dir.path, 'bus')}`;
  const env = { DBUS_SESSION_BUS_ADDRESS: address, XDG_RUNTIME_DIR: runtime, XDG_DATA_HOME: data };
  const childEnv = { ...process.env, ...env };

  // The bus as our own child (not --fork), so stop() can end it by its pid.
  const bus = spawn('dbus-daemon', ['--session', `--address=${address}`, '--nofork', '--print-address=1'], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let busOutput = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dbus-daemon did not start: ${busOutput}`)), 10_000);
    bus.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`dbus-daemon could not be started (package dbus): ${err.message}`));
    });
    bus.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`dbus-daemon exited (${code}): ${busOutput}`));
    });
    const onData = (d: Buffer): void => {
      busOutput += d.toString();
      if (busOutput.includes(address)) {
        clearTimeout(timer);
        resolve();
      }
    };
    bus.stdout.on('data', onData);
    bus.stderr.on('data', onData);
  });

  let keyringPid: number | null = null;
  const dbusSend = (dest: string, path: string, method: string, ...args: string[]): Promise<string> =>
    run('dbus-send', ['--session', '--print-reply', `--dest=${dest}`, path, method, ...args], { env: childEnv }).then(
      (r) => r.stdout,
    );
  const stop = async (): Promise<void> => {
    if (forThisProcess && process.env.DBUS_SESSION_BUS_ADDRESS === address) {
      if (previous === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
      else process.env.DBUS_SESSION_BUS_ADDRESS = previous;
    }
    // The keyring quits when its bus goes away; it is ended by its pid first all the same.
    if (keyringPid !== null) {
      try {
        process.kill(keyringPid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    bus.kill('SIGTERM');
    await exited(bus);
    dir.remove();
  };
  const previous = process.env.DBUS_SESSION_BUS_ADDRESS;

  try {
    // The login keyring, created and unlocked with this password (read from stdin, no newline).
    const keyring = spawn('gnome-keyring-daemon', ['--unlock', '--components=secrets'], {
      env: childEnv,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let keyringErr = '';
    keyring.stderr.on('data', (d: Buffer) => (keyringErr += d.toString()));
    const started = new Promise<number | null>((resolve, reject) => {
      keyring.once('error', (err) =>
        reject(new Error(`gnome-keyring-daemon could not be started (package gnome-keyring): ${err.message}`)),
      );
      keyring.once('exit', (code) => resolve(code));
    });
    keyring.stdin.end('pw');
    const code = await started;
    if (code !== 0) throw new Error(`gnome-keyring-daemon --unlock exited (${code}): ${keyringErr}`);
    // The forked daemon owns org.freedesktop.secrets once it is ready.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const owned = await dbusSend(
        'org.freedesktop.DBus',
        '/org/freedesktop/DBus',
        'org.freedesktop.DBus.NameHasOwner',
        'string:org.freedesktop.secrets',
      );
      if (/boolean true/.test(owned)) break;
      if (Date.now() > deadline) throw new Error('gnome-keyring did not take the Secret Service name on the bus');
      await new Promise((r) => setTimeout(r, 50));
    }
    const pid = await dbusSend(
      'org.freedesktop.DBus',
      '/org/freedesktop/DBus',
      'org.freedesktop.DBus.GetConnectionUnixProcessID',
      'string:org.freedesktop.secrets',
    );
    keyringPid = Number(/uint32 (\d+)/.exec(pid)?.[1] ?? NaN) || null;
  } catch (err) {
    await stop();
    throw err;
  }

  if (forThisProcess) process.env.DBUS_SESSION_BUS_ADDRESS = address;

  return {
    env,
    async lookup(account, service = KEYCHAIN_SERVICE) {
      // The keyring library files an entry under the attributes service and username (not "account").
      try {
        const r = await run('secret-tool', ['lookup', 'service', service, 'username', account], { env: childEnv });
        return r.stdout;
      } catch (err) {
        // Exit status 1 with no output: nothing stored.
        if ((err as { code?: unknown; stderr?: string }).code === 1 && !(err as { stderr?: string }).stderr) {
          return null;
        }
        throw err;
      }
    },
    async store(account, secret, service = KEYCHAIN_SERVICE) {
      await new Promise<void>((resolve, reject) => {
        const child = spawn('secret-tool', ['store', `--label=${account}`, 'service', service, 'username', account], {
          env: childEnv,
          stdio: ['pipe', 'ignore', 'pipe'],
        });
        let err = '';
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.once('error', reject);
        child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`secret-tool store: ${err}`))));
        child.stdin.end(secret);
      });
    },
    async lock() {
      await dbusSend(
        'org.freedesktop.secrets',
        '/org/freedesktop/secrets',
        'org.freedesktop.Secret.Service.Lock',
        'array:objpath:/org/freedesktop/secrets/collection/login',
      );
    },
    stop,
  };
};
