import { SecretStoreError, type SecretStore } from './secret-store.js';

/** Set to 1 to read secrets from environment variables instead of the OS keychain (headless boxes). */
export const SECRETS_FROM_ENV = 'TWINEDGE_SECRETS_FROM_ENV';

/** The variable that holds a key's secret: device/3/password → TWINEDGE_SECRET_DEVICE_3_PASSWORD. */
export const secretEnvName = (key: string): string => `TWINEDGE_SECRET_${key.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;

/**
 * The one alternative to the keychain, for headless gateways without a desktop session: read-only, from
 * environment variables the operator sets (a service unit's environment file, a container secret). The app
 * never writes a secret anywhere itself, so set and delete refuse and say which variable to set instead.
 */
export class EnvSecretStore implements SecretStore {
  readonly description = `environment variables (${SECRETS_FROM_ENV}=1, read-only)`;

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  /** Whether the variable for a key is set (synchronous: nothing is asked of a keychain). */
  has(key: string): boolean {
    const value = this.env[secretEnvName(key)];
    return value !== undefined && value !== '';
  }

  /** Every secret set in the environment (TWINEDGE_SECRET_*), for the log redactor. */
  values(): string[] {
    return Object.entries(this.env)
      .filter(([name, v]) => name.startsWith('TWINEDGE_SECRET_') && v !== undefined && v !== '')
      .map(([, v]) => v ?? '');
  }

  get(key: string): Promise<string | null> {
    return Promise.resolve(this.has(key) ? (this.env[secretEnvName(key)] ?? null) : null);
  }

  set(key: string): Promise<void> {
    return Promise.reject(this.refuse(key, 'set'));
  }

  delete(key: string): Promise<void> {
    return Promise.reject(this.refuse(key, 'unset'));
  }

  private refuse(key: string, verb: 'set' | 'unset'): SecretStoreError {
    return new SecretStoreError(
      `secrets are read from environment variables on this machine (${SECRETS_FROM_ENV}=1), and the app does not ` +
        `change them: ${verb} ${secretEnvName(key)} in the app's environment instead and restart it`,
      'denied',
    );
  }
}
