import { randomUUID } from 'node:crypto';
import { scopes } from '../../main/domain/cloud/account.js';
import { scaledClock } from '../../main/sync/clock.js';
import { startKeyringSession, type KeyringSession } from '../helpers/keyring-session.js';
import { startCloudSim, type CloudSim } from '../sim/cloud/index.js';
import { startServer, stopServer, type BrowserModeServer } from './fixtures.js';

/** A real OS keychain, the local TwinEdge API with seeded data and a key for it, and the app using that keychain. */
export interface CloudSession {
  keyring: KeyringSession;
  sim: CloudSim;
  service: BrowserModeServer;
  /** A professional key with every scope, named "Line 3 gateway"; the user types it into Cloud sync. */
  key: string;
  stop(): Promise<void>;
}

export async function startCloudSession(): Promise<CloudSession> {
  const key = `te_e2e_${randomUUID().replace(/-/g, '')}`;
  const keyring = await startKeyringSession({ forThisProcess: false });
  // API time runs 20x faster, so a training job (30 s of API time) completes in a second and a half.
  const sim = await startCloudSim({
    clock: scaledClock(20),
    seedData: true,
    keys: [{ key, tier: 'professional', scopes: [...scopes], name: 'Line 3 gateway' }],
  });
  const service = await startServer(45_000, keyring.env);
  return {
    keyring,
    sim,
    service,
    key,
    stop: async () => {
      await stopServer(service);
      await sim.close();
      await keyring.stop();
    },
  };
}
