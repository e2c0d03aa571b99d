import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../main/app/create-app.js';
import type { CallName, WireResult } from '../../main/contract/wire.js';
import type { CallOutput } from '../../main/contract/contract.js';
import { createLogger } from '../../main/log/logger.js';
import { KeychainSecretStore } from '../../main/secrets/keychain-store.js';
import { scopes } from '../../main/domain/cloud/account.js';
import { API_KEY_SECRET } from '../../main/sync/sync-service.js';
import { startCloudSim, type CloudSim } from '../sim/cloud/index.js';
import { freePort } from '../helpers/free-port.js';
import { startKeyringSession, type KeyringSession } from '../helpers/keyring-session.js';
import { filesContaining, filesUnder } from '../helpers/files.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

/**
 * The TwinEdge API key in the real OS keychain (gnome-keyring on a private D-Bus session), used for real
 * uploads to the local TwinEdge API, and found nowhere else: not in the data dir, the logs, or anything
 * the renderer receives (call results and pushed events).
 */
describe('the TwinEdge API key', () => {
  let session: KeyringSession;
  let sim: CloudSim;
  let app: App;
  const dir = tempDir('twinedge-key-');
  const key = `te_live_${randomUUID().replace(/-/g, '')}`;
  const wrongKey = `te_live_${randomUUID().replace(/-/g, '')}`;
  /** Everything that went to the renderer, serialised. */
  const toRenderer: string[] = [];

  const call = async <K extends CallName>(name: K, input: unknown): Promise<CallOutput<K>> => {
    const r = (await app.router.invoke(name, input)) as WireResult<CallOutput<K>>;
    toRenderer.push(JSON.stringify(r));
    if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
    return r.value;
  };

  beforeAll(async () => {
    session = await startKeyringSession();
    sim = await startCloudSim({
      keys: [{ key, tier: 'trial', scopes: [...scopes], name: 'Line 3 gateway' }],
    });
    app = await createApp({
      dataDir: dir.path,
      shell: 'browser',
      version: 'test',
      logger: createLogger({ file: join(dir.path, 'logs', 'twinedge.log'), console: false }),
      demo: { enabled: true, opcuaPort: await freePort(), modbusPort: await freePort() },
      secretStore: new KeychainSecretStore(),
      statusIntervalMs: 200,
    });
    app.events.subscribe((event, payload) => toRenderer.push(JSON.stringify({ event, payload })));
  });
  afterAll(async () => {
    await app?.stop();
    await sim?.close();
    await session?.stop();
    dir.remove();
  });

  it('is stored in the keychain, tested, used for uploads, and never leaves the main process', async () => {
    const off = await call('sync.status', {});
    expect(off).toMatchObject({ state: 'off', key: { set: false, last4: null } });

    await call('sync.configure', { baseUrl: sim.url });
    const tooShort = await app.router.invoke('sync.setKey', { key: 'abc' });
    expect(tooShort.ok).toBe(false);

    // A wrong key first: refused by TwinEdge, said plainly, nothing uploaded.
    await call('sync.setKey', { key: wrongKey });
    const refused = await call('sync.testKey', {});
    expect(refused.ok).toBe(false);
    expect(refused.message).toMatch(/401|UNAUTHORIZED|refused/i);
    await waitFor(async () => (await call('sync.status', {})).state === 'unauthorized', 15_000, 'the refusal');

    // The right key replaces it and uploads resume.
    const set = await call('sync.setKey', { key });
    expect(set.key).toMatchObject({ set: true, last4: key.slice(-4), storedIn: 'the OS keychain (Secret Service)' });
    expect(await session.lookup(API_KEY_SECRET)).toBe(key);
    const test = await call('sync.testKey', {});
    expect(test).toMatchObject({
      ok: true,
      info: { tier: 'trial', name: 'Line 3 gateway', perMinute: 60, perDay: 1000 },
    });
    expect(test.info?.scopes).toEqual([...scopes]);
    await waitFor(() => sim.stats().pointsStored > 0, 30_000, 'uploads with the right key');
    const status = await call('sync.status', {});
    expect(status.budget.perDay?.limit).toBe(1000);
    expect(status.devices.some((d) => d.state === 'synced')).toBe(true);
    const simHost = new URL(sim.url).host;
    expect(status.key.host).toBe(simHost);

    // Another host: the key is not sent there until it is entered again for it.
    const elsewhere = `http://127.0.0.1:${await freePort()}/v1`;
    const moved = await call('sync.configure', { baseUrl: elsewhere });
    expect(moved.state).toBe('off');
    expect(moved.summary).toContain(`entered for ${simHost}`);
    await call('sync.setKey', { key });
    expect((await call('sync.status', {})).key.host).toBe(new URL(elsewhere).host);
    await call('sync.configure', { baseUrl: sim.url });
    expect((await call('sync.status', {})).state).toBe('off');
    await call('sync.setKey', { key });

    await call('sync.removeKey', {});
    expect(await session.lookup(API_KEY_SECRET)).toBeNull();
    expect((await call('sync.status', {})).state).toBe('off');
    await app.stop();

    for (const secret of [key, wrongKey]) {
      expect(filesContaining(dir.path, secret)).toEqual([]);
      expect(toRenderer.filter((m) => m.includes(secret))).toEqual([]);
    }
    expect(toRenderer.length).toBeGreaterThan(10);
    expect(filesUnder(join(dir.path, 'logs')).length).toBeGreaterThan(0);
  });
});
