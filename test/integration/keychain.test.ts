import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../main/app/create-app.js';
import type { CallName } from '../../main/contract/wire.js';
import type { CallOutput } from '../../main/contract/contract.js';
import { createLogger, type Logger } from '../../main/log/logger.js';
import { createSecretStore } from '../../main/secrets/create-secret-store.js';
import { EnvSecretStore, secretEnvName } from '../../main/secrets/env-store.js';
import { KeychainSecretStore, noKeychainMessage } from '../../main/secrets/keychain-store.js';
import { SecretStoreError, devicePasswordKey } from '../../main/secrets/secret-store.js';
import { startKeyringSession, type KeyringSession } from '../helpers/keyring-session.js';
import { filesContaining, filesUnder } from '../helpers/files.js';
import { tempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;
const probeScript = join(root, 'test/fixtures/keychain-probe.ts');

/** A secret no test could find by accident. */
const secretOf = (what: string): string => `${what}-${randomUUID()}-Pässwörd!`;

interface ProbeResult {
  ok: boolean;
  value?: string | null;
  name?: string;
  code?: string;
  message?: string;
  stack?: string;
}

/** One keychain call in a child process with the given environment (its own D-Bus connection). */
const probe = async (env: NodeJS.ProcessEnv, ...args: string[]): Promise<ProbeResult> => {
  const r = await run(process.execPath, ['--import', 'tsx', probeScript, ...args], { env, cwd: root, timeout: 30_000 });
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as ProbeResult;
};

const envWithout = (...names: string[]): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  for (const n of names) delete env[n];
  return env;
};

const memoryLogger = (): Logger & { lines: string[] } => {
  const lines: string[] = [];
  const add = (m: string): void => void lines.push(m);
  return { lines, debug: add, info: add, warn: add, error: add };
};

describe('secrets in the OS keychain (gnome-keyring in a private D-Bus session)', () => {
  let session: KeyringSession;
  beforeAll(async () => {
    session = await startKeyringSession();
  });
  afterAll(async () => {
    await session?.stop();
  });

  it('stores, reads back, replaces and deletes a secret; secret-tool sees the same entry', async () => {
    const store = new KeychainSecretStore();
    expect(store.description).toBe('the OS keychain (Secret Service)');
    const key = devicePasswordKey(101);
    const first = secretOf('first');
    expect(await store.get(key)).toBeNull();

    await store.set(key, first);
    expect(await store.get(key)).toBe(first);
    // An independent reader: service "TwinEdge Desktop", the key as the account (attribute "username").
    expect(await session.lookup(key)).toBe(first);

    const second = secretOf('second');
    await store.set(key, second);
    expect(await store.get(key)).toBe(second);
    expect(await session.lookup(key)).toBe(second);

    await store.delete(key);
    expect(await store.get(key)).toBeNull();
    expect(await session.lookup(key)).toBeNull();
    await expect(store.delete(key)).resolves.toBeUndefined(); // nothing to delete is not an error
  });

  it('reads a secret that another program put into the keychain, and keeps keys apart', async () => {
    const store = new KeychainSecretStore();
    const theirs = secretOf('theirs');
    await session.store(devicePasswordKey(102), theirs);
    expect(await store.get(devicePasswordKey(102))).toBe(theirs);
    expect(await store.get(devicePasswordKey(1020))).toBeNull();
    await store.delete(devicePasswordKey(102));
  });

  it('says plainly when no keychain is reachable: no session bus, a dead bus address, a bus without one', async () => {
    const secret = secretOf('unreachable');
    const expected = {
      ok: false,
      name: 'SecretStoreError',
      code: 'unavailable',
      message:
        "no OS keychain is reachable on this machine (Secret Service over D-Bus); see README 'Secrets' for TWINEDGE_SECRETS_FROM_ENV",
    };
    expect(noKeychainMessage('linux')).toBe(expected.message);

    const noBus = await probe(envWithout('DBUS_SESSION_BUS_ADDRESS'), 'set', 'device/1/password', secret);
    expect(noBus).toMatchObject(expected);
    expect(JSON.stringify(noBus)).not.toContain(secret);

    const dead = tempDir();
    try {
      const deadBus = await probe(
        { ...process.env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(dead.path, 'no-bus')}` },
        'get',
        'device/1/password',
      );
      expect(deadBus).toMatchObject(expected);

      // A session bus that offers no Secret Service (nothing to start one from).
      const conf = join(dead.path, 'bus.conf');
      const address = `unix:path=${join(dead.path, 'bare-bus')}`;
      writeFileSync(
        conf,
        `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>${address}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>`,
      );
      const { spawn } = await import('node:child_process');
      const bare = spawn('dbus-daemon', [`--config-file=${conf}`, '--nofork', '--print-address=1'], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      try {
        await new Promise<void>((resolve, reject) => {
          bare.once('exit', (code) => reject(new Error(`dbus-daemon exited (${code})`)));
          bare.stdout.once('data', () => resolve());
        });
        const bareBus = await probe({ ...process.env, DBUS_SESSION_BUS_ADDRESS: address }, 'set', 'k', secret);
        expect(bareBus).toMatchObject(expected);
        expect(JSON.stringify(bareBus)).not.toContain(secret);
      } finally {
        bare.kill('SIGTERM');
      }
    } finally {
      dead.remove();
    }
  });

  it('says plainly when the keyring is locked (a session of its own: a locked keyring stays locked here)', async () => {
    const other = await startKeyringSession({ forThisProcess: false });
    try {
      const env = { ...process.env, ...other.env };
      const kept = secretOf('kept');
      expect(await probe(env, 'set', 'device/7/password', kept)).toEqual({ ok: true, value: null });
      await other.lock();
      const denied = {
        ok: false,
        code: 'denied',
        message:
          'the OS keychain refused access (it is locked, or has no default keyring to store into): ' +
          'unlock it, e.g. by logging in to the desktop session, and try again',
      };
      expect(await probe(env, 'get', 'device/7/password')).toMatchObject(denied);
      const fresh = secretOf('fresh');
      const refused = await probe(env, 'set', 'device/7/password', fresh);
      expect(refused).toMatchObject(denied);
      expect(JSON.stringify(refused)).not.toContain(fresh);
    } finally {
      await other.stop();
    }
  });

  it('environment mode: reads TWINEDGE_SECRET_<KEY>, refuses to write, and is only chosen with =1', async () => {
    expect(secretEnvName(devicePasswordKey(3))).toBe('TWINEDGE_SECRET_DEVICE_3_PASSWORD');
    expect(secretEnvName('cloud.api-key')).toBe('TWINEDGE_SECRET_CLOUD_API_KEY');
    const secret = secretOf('env');
    const env = { TWINEDGE_SECRETS_FROM_ENV: '1', TWINEDGE_SECRET_DEVICE_3_PASSWORD: secret };

    const log = memoryLogger();
    const store = createSecretStore(log, env);
    expect(store).toBeInstanceOf(EnvSecretStore);
    expect(log.lines).toEqual([
      'Secrets: read from environment variables (TWINEDGE_SECRETS_FROM_ENV=1), read-only; ' +
        'a device password comes from TWINEDGE_SECRET_DEVICE_<id>_PASSWORD.',
    ]);
    expect(await store.get(devicePasswordKey(3))).toBe(secret);
    expect(await store.get(devicePasswordKey(4))).toBeNull();
    const other = secretOf('other');
    const err = await store.set(devicePasswordKey(3), other).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretStoreError);
    expect((err as SecretStoreError).message).toBe(
      "secrets are read from environment variables on this machine (TWINEDGE_SECRETS_FROM_ENV=1), and the app does not change them: set TWINEDGE_SECRET_DEVICE_3_PASSWORD in the app's environment instead and restart it",
    );
    expect((err as SecretStoreError).message).not.toContain(other);
    await expect(store.delete(devicePasswordKey(3))).rejects.toThrow(/unset TWINEDGE_SECRET_DEVICE_3_PASSWORD/);

    for (const flag of [undefined, '0', 'true']) {
      const l = memoryLogger();
      const s = createSecretStore(l, { ...(flag === undefined ? {} : { TWINEDGE_SECRETS_FROM_ENV: flag }) });
      expect(s).toBeInstanceOf(KeychainSecretStore);
      expect(l.lines).toHaveLength(1);
      expect(l.lines[0]).toMatch(/^Secrets: kept in the OS keychain \(Secret Service\)/);
    }
  });

  describe('through the app: devices.setPassword', () => {
    const call = async <K extends CallName>(app: App, name: K, input: unknown, seen: string[]) => {
      const r = await app.router.invoke(name, input);
      seen.push(JSON.stringify(r));
      if (!r.ok) throw new Error(`${name}: ${r.error.code}: ${r.error.message}`);
      return r.value as CallOutput<K>;
    };

    it('keeps the password in the keychain only: never in the data dir, a log, an answer or an event', async () => {
      const dir = tempDir();
      const logFile = join(dir.path, 'logs', 'twinedge.log');
      const app = await createApp({
        dataDir: dir.path,
        shell: 'browser',
        version: 'test',
        logger: createLogger({ file: logFile, level: 'debug' }),
        statusIntervalMs: 100,
        demo: { enabled: false },
      });
      const seen: string[] = [];
      app.events.subscribe((name, payload) => seen.push(`${name} ${JSON.stringify(payload)}`));
      const password = secretOf('plc');
      try {
        const device = await call(
          app,
          'devices.save',
          {
            name: 'Line 3 PLC',
            protocol: 'opcua',
            settings: { endpointUrl: 'opc.tcp://127.0.0.1:1', identity: { type: 'username', userName: 'operator' } },
            tags: [{ name: 'Speed', nodeId: 'ns=2;s=Speed' }],
          },
          seen,
        );
        const key = devicePasswordKey(device.id);
        expect(device.passwordSet).toBe(false);

        expect(await call(app, 'devices.setPassword', { deviceId: device.id, password }, seen)).toEqual({
          passwordSet: true,
        });
        expect(await session.lookup(key)).toBe(password);
        expect(await new KeychainSecretStore().get(key)).toBe(password);
        const listed = await call(app, 'devices.list', {}, seen);
        expect(listed.find((d) => d.id === device.id)?.passwordSet).toBe(true);
        expect(app.store?.settings.get(`device.${device.id}.passwordSet`)).toBe(true);

        // Unknown devices and bad input are refused without echoing the password.
        const missing = await app.router.invoke('devices.setPassword', { deviceId: 999, password });
        seen.push(JSON.stringify(missing));
        expect(missing).toMatchObject({ ok: false, error: { code: 'not_found' } });
        const tooLong = await app.router.invoke('devices.setPassword', {
          deviceId: device.id,
          password: password.repeat(100),
        });
        seen.push(JSON.stringify(tooLong));
        expect(tooLong).toMatchObject({ ok: false, error: { code: 'invalid_input' } });

        // Removed with null: gone from the keychain, the flag cleared.
        expect(await call(app, 'devices.setPassword', { deviceId: device.id, password: null }, seen)).toEqual({
          passwordSet: false,
        });
        expect(await session.lookup(key)).toBeNull();
        expect((await call(app, 'devices.list', {}, seen)).find((d) => d.id === device.id)?.passwordSet).toBe(false);

        // Set again, then the device is deleted: its password goes with it.
        await call(app, 'devices.setPassword', { deviceId: device.id, password }, seen);
        expect(await session.lookup(key)).toBe(password);
        await call(app, 'status.get', {}, seen);
        await call(app, 'app.info', {}, seen);
        // While the app runs (the WAL holds the newest pages), and again after it stopped.
        expect(filesContaining(dir.path, password)).toEqual([]);
        await call(app, 'devices.delete', { id: device.id }, seen);
        expect(await session.lookup(key)).toBeNull();
        expect(app.store?.settings.get(`device.${device.id}.passwordSet`)).toBeUndefined();
        await new Promise((r) => setTimeout(r, 250)); // a status event or two more
      } finally {
        await app.stop();
      }
      try {
        const files = filesUnder(dir.path).map((f) => f.slice(dir.path.length + 1));
        expect(files).toContain('twinedge.sqlite');
        expect(files).toContain('logs/twinedge.log');
        expect(filesContaining(dir.path, password)).toEqual([]);
        const log = readFileSync(logFile, 'utf8');
        expect(log).toContain('Secrets: kept in the OS keychain (Secret Service).');
        expect(log).toMatch(/Password of device "Line 3 PLC" stored in the OS keychain \(Secret Service\)\./);
        expect(seen.some((s) => s.startsWith('devices.changed'))).toBe(true);
        expect(seen.filter((s) => s.includes(password))).toEqual([]);
      } finally {
        dir.remove();
      }
    });

    it('environment mode: passwordSet comes from the variable; setting one says which variable to set', async () => {
      const dir = tempDir();
      const password = secretOf('env-plc');
      const env: NodeJS.ProcessEnv = {};
      const app = await createApp({
        dataDir: dir.path,
        shell: 'browser',
        version: 'test',
        logger: memoryLogger(),
        demo: { enabled: false },
        secretStore: new EnvSecretStore(env),
      });
      const seen: string[] = [];
      try {
        const device = await call(
          app,
          'devices.save',
          {
            name: 'Headless PLC',
            protocol: 'opcua',
            settings: { endpointUrl: 'opc.tcp://127.0.0.1:1', identity: { type: 'username', userName: 'op' } },
            tags: [{ name: 'Speed', nodeId: 'ns=2;s=Speed' }],
          },
          seen,
        );
        const refused = await app.router.invoke('devices.setPassword', { deviceId: device.id, password });
        expect(refused).toEqual({
          ok: false,
          error: {
            code: 'unavailable',
            message: `The password was not stored: secrets are read from environment variables on this machine (TWINEDGE_SECRETS_FROM_ENV=1), and the app does not change them: set TWINEDGE_SECRET_DEVICE_${device.id}_PASSWORD in the app's environment instead and restart it`,
          },
        });
        expect((await call(app, 'devices.list', {}, seen))[0]?.passwordSet).toBe(false);
        env[secretEnvName(devicePasswordKey(device.id))] = password;
        expect((await call(app, 'devices.list', {}, seen))[0]?.passwordSet).toBe(true);
        // Nothing stored by the app, so deleting the device asks nothing of the (read-only) store.
        await call(app, 'devices.delete', { id: device.id }, seen);
        expect(seen.filter((s) => s.includes(password))).toEqual([]);
      } finally {
        await app.stop();
        dir.remove();
      }
    });
  });
});
