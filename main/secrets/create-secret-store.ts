import type { Logger } from '../log/logger.js';
import { EnvSecretStore, SECRETS_FROM_ENV } from './env-store.js';
import { KeychainSecretStore } from './keychain-store.js';
import type { SecretStore } from './secret-store.js';

/**
 * Picks where secrets live: the OS keychain, or, only when TWINEDGE_SECRETS_FROM_ENV=1, environment
 * variables. There is no third choice: never a plaintext file, not even as a fallback.
 */
export const createSecretStore = (log: Logger, env: NodeJS.ProcessEnv = process.env): SecretStore => {
  const flag = env[SECRETS_FROM_ENV];
  if (flag === '1') {
    const store = new EnvSecretStore(env);
    log.info(
      `Secrets: read from environment variables (${SECRETS_FROM_ENV}=1), read-only; ` +
        'a device password comes from TWINEDGE_SECRET_DEVICE_<id>_PASSWORD.',
    );
    return store;
  }
  const store = new KeychainSecretStore();
  const ignored =
    flag !== undefined && flag !== '' && flag !== '0'
      ? ` (${SECRETS_FROM_ENV}=1 would switch to environment variables; "${flag}" is not 1)`
      : '';
  log.info(`Secrets: kept in ${store.description}${ignored}.`);
  return store;
};
