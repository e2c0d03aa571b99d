import { randomUUID } from 'node:crypto';
import { appendFileSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../main/app/create-app.js';
import type { CallName, WireResult } from '../../main/contract/wire.js';
import type { CallOutput } from '../../main/contract/contract.js';
import { createLogger, logFileOf, type AppLogger } from '../../main/log/logger.js';
import { EnvSecretStore, secretEnvName } from '../../main/secrets/env-store.js';
import { devicePasswordKey } from '../../main/secrets/secret-store.js';
import { scopes } from '../../main/domain/cloud/account.js';
import { API_KEY_SECRET } from '../../main/sync/sync-service.js';
import { startCloudSim, type CloudSim } from '../sim/cloud/index.js';
import { filesUnder } from '../helpers/files.js';
import { freePort } from '../helpers/free-port.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Every form a secret could be written in: as is, URL-encoded, and base64 (standard and URL-safe) at each of
 * the three byte alignments, so a secret inside a longer base64 text is found too.
 */
const needlesOf = (secret: string): { form: string; bytes: Buffer }[] => {
  const raw = Buffer.from(secret, 'utf8');
  const forms = new Set([secret, encodeURIComponent(secret), encodeURIComponent(secret).replace(/%20/g, '+')]);
  for (let k = 0; k < 3; k++) {
    const b64 = Buffer.concat([Buffer.alloc(k, 0x41), raw]).toString('base64');
    const pure = b64.slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + raw.length)) / 6));
    forms.add(pure);
    forms.add(pure.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return [...forms].flatMap((form) => [
    { form, bytes: Buffer.from(form, 'utf8') },
    { form: `${form} (UTF-16)`, bytes: Buffer.from(form, 'utf16le') },
  ]);
};

/** Where under `dir` a secret occurs, in any of its forms: "file: form". */
const hits = (dir: string, secret: string): string[] => {
  const needles = needlesOf(secret);
  return filesUnder(dir).flatMap((file) => {
    const bytes = readFileSync(file);
    return needles.filter((n) => bytes.includes(n.bytes)).map((n) => `${file}: ${n.form}`);
  });
};

/**
 * The proof that no secret reaches the logs: the real app with a known TwinEdge API key (refused by the local
 * TwinEdge API: 401s) and a device password (an OPC UA device with a user name login whose server is not there:
 * connection errors), a wrong key and a second password that the read-only secret store refuses, and log lines
 * that carry the secrets on purpose (plain, URL-encoded, base64, in an error's stack, as JSON). Afterwards the
 * whole data dir (logs, rotated logs, SQLite store) is searched for every secret in every form: nothing. The same
 * search finds a canary written the same ways, so it is not blind.
 */
describe('no secret in the logs', () => {
  const dir = tempDir('twinedge-nosecret-');
  const apiKey = `te_live_${randomUUID().replace(/-/g, '')}`;
  const wrongKey = `te_live_${randomUUID().replace(/-/g, '')}`;
  const password = `p@ss/${randomUUID()}+= &ä`;
  const otherPassword = `Other:${randomUUID()}?x=1`;
  const canary = `canary/${randomUUID()}+= &ü`;
  const secrets = { apiKey, wrongKey, password, otherPassword };
  let sim: CloudSim;
  let app: App;
  let logger: AppLogger;

  const invoke = async <K extends CallName>(name: K, input: unknown): Promise<WireResult<CallOutput<K>>> =>
    (await app.router.invoke(name, input)) as WireResult<CallOutput<K>>;
  const call = async <K extends CallName>(name: K, input: unknown): Promise<CallOutput<K>> => {
    const r = await invoke(name, input);
    if (!r.ok) throw new Error(`${name}: ${r.error.code}: ${r.error.message}`);
    return r.value;
  };

  beforeAll(async () => {
    // TwinEdge knows another key only: ours is refused with 401.
    sim = await startCloudSim({
      keys: [{ key: `te_live_${randomUUID().replace(/-/g, '')}`, tier: 'trial', scopes: [...scopes] }],
    });
    logger = createLogger({ file: logFileOf(dir.path), console: false, level: 'debug', maxBytes: 64 * 1024, keep: 3 });
    app = await createApp({
      dataDir: dir.path,
      shell: 'browser',
      version: 'test',
      logger,
      demo: { enabled: false },
      secretStore: new EnvSecretStore({
        [secretEnvName(API_KEY_SECRET)]: apiKey,
        [secretEnvName(devicePasswordKey(1))]: password,
      }),
      sync: { baseUrl: sim.url },
      statusIntervalMs: 200,
    });
  });
  afterAll(async () => {
    await app?.stop();
    await sim?.close();
    dir.remove();
  });

  it('are found nowhere in the data dir after a run that used them and logged errors', async () => {
    const port = await freePort();
    const device = await call('devices.save', {
      name: 'Press line (login)',
      protocol: 'opcua',
      settings: {
        endpointUrl: `opc.tcp://127.0.0.1:${port}`,
        identity: { type: 'username', userName: 'operator' },
        reconnectMaxDelayMs: 500,
      },
      tags: [{ name: 'Pressure', nodeId: 'ns=2;s=Press.Pressure' }],
    });
    expect(device.id).toBe(1);
    expect(device.passwordSet).toBe(true);

    // The key is refused (401) and the device cannot connect: both are logged.
    const test = await call('sync.testKey', {});
    expect(test.ok).toBe(false);
    await waitFor(async () => (await call('sync.status', {})).state === 'unauthorized', 20_000, 'the 401');
    const logged = async (text: string): Promise<boolean> =>
      (await call('logs.tail', { limit: 50, search: text })).lines.length > 0;
    await waitFor(() => logged('Press line (login)": error — cannot connect'), 20_000, 'the connection error');
    // The read-only store refuses a new key and a new password; they were registered all the same.
    expect((await invoke('sync.setKey', { key: wrongKey })).ok).toBe(false);
    expect((await invoke('devices.setPassword', { deviceId: 1, password: otherPassword })).ok).toBe(false);

    // Lines that carry the secrets on purpose, the way a careless message would.
    const careless = (): void => {
      for (const s of Object.values(secrets)) {
        logger.error(`plain ${s} | url ${encodeURIComponent(s)} | base64 ${Buffer.from(s).toString('base64')}`);
        logger.warn(`GET ${sim.url}/keys?api_key=${encodeURIComponent(s)} failed`);
        logger.error(`Call failed: ${new Error(`bad login with ${s}`).stack ?? ''}`);
      }
      logger.info(JSON.stringify({ user: 'operator', password: 'never-registered-1', apiKey: 'never-registered-2' }));
    };
    careless();
    // The log view's call sees the errors, redacted.
    const tail = await call('logs.tail', { limit: 2000 });
    expect(tail.file).toBe(logFileOf(dir.path));
    const messages = tail.lines.map((l) => l.message).join('\n');
    expect(messages).toMatch(/TwinEdge refused the API key: 401/);
    expect(messages).toMatch(/Device "Press line \(login\)": error — cannot connect to opc\.tcp:/);
    expect(messages).toContain('bad login with [redacted]');
    expect(messages).toContain('"password":"[redacted]"');
    const warnings = await call('logs.tail', { level: 'warn', limit: 2000 });
    expect(warnings.lines.length).toBeGreaterThan(0);
    expect(warnings.lines.every((l) => l.level === 'warn' || l.level === 'error')).toBe(true);

    // Enough lines to rotate the 64 KiB log a few times, so rotated files are searched too.
    const all = Object.values(secrets);
    for (let i = 0; i < 3000; i++) {
      logger.debug(`filler ${i} ${'.'.repeat(100)} ${i % 100 === 0 ? (all[(i / 100) % all.length] ?? '') : ''}`);
    }
    careless(); // again, so these lines are in the files that are searched (the first ones were rotated away)
    expect(statSync(`${logFileOf(dir.path)}.1`).size).toBeGreaterThan(0);

    // The canary, written the same ways but not a secret: the search below must find it.
    logger.info(`plain ${canary}`);
    logger.info(`url ${encodeURIComponent(canary)}`);
    logger.info(`base64 A${Buffer.from(canary).toString('base64')}`);

    await app.stop();

    const logsDir = join(dir.path, 'logs');
    expect(filesUnder(logsDir).length).toBe(4); // the log and 3 rotated files
    expect(filesUnder(dir.path).some((f) => f.endsWith('twinedge.sqlite'))).toBe(true);
    for (const [name, s] of Object.entries(secrets)) {
      expect(hits(dir.path, s), `${name} found`).toEqual([]);
    }
    expect(hits(dir.path, 'never-registered-1')).toEqual([]);
    expect(hits(dir.path, 'never-registered-2')).toEqual([]);
    expect(readFileSync(join(logsDir, 'twinedge.log.3'), 'utf8')).toContain('[redacted]');

    // The search is not blind: it finds the canary in each form it was written in...
    const found = hits(dir.path, canary);
    expect(found.some((h) => h.endsWith(`: ${canary}`))).toBe(true);
    expect(found.some((h) => h.endsWith(`: ${encodeURIComponent(canary)}`))).toBe(true);
    expect(found.filter((h) => !h.includes(canary) && !h.includes('%')).length).toBeGreaterThan(0); // base64
    // ...reads the SQLite store (the device's user name is in it)...
    expect(hits(dir.path, 'operator').some((h) => h.includes('twinedge.sqlite'))).toBe(true);
    // ...and finds a secret written behind the logger's back.
    appendFileSync(join(logsDir, 'twinedge.log'), `written directly: ${Buffer.from(password).toString('base64')}\n`);
    expect(hits(dir.path, password)).not.toEqual([]);
  }, 90_000);
});
