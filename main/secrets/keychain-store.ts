import type * as KeyringModule from '@napi-rs/keyring';
import { SecretStoreError, type SecretStore } from './secret-store.js';

/** The service name every secret of the app is filed under in the OS keychain (the key is the account). */
export const KEYCHAIN_SERVICE = 'TwinEdge Desktop';

type Keyring = typeof KeyringModule;

export interface KeychainStoreOptions {
  service?: string;
  /** How long one keychain call may take (an unlock prompt waits for the user). Default 60 s. */
  timeoutMs?: number;
  platform?: NodeJS.Platform;
}

const describePlatform = (platform: NodeJS.Platform): string =>
  platform === 'win32'
    ? 'the OS keychain (Windows Credential Manager)'
    : platform === 'darwin'
      ? 'the OS keychain (macOS Keychain)'
      : 'the OS keychain (Secret Service)';

export const noKeychainMessage = (platform: NodeJS.Platform = process.platform): string =>
  platform === 'win32' || platform === 'darwin'
    ? `${describePlatform(platform)} is not reachable; see README 'Secrets' for TWINEDGE_SECRETS_FROM_ENV`
    : "no OS keychain is reachable on this machine (Secret Service over D-Bus); see README 'Secrets' for TWINEDGE_SECRETS_FROM_ENV";

const deniedMessage =
  'the OS keychain refused access (it is locked, or has no default keyring to store into): ' +
  'unlock it, e.g. by logging in to the desktop session, and try again';

// What the keyring library and D-Bus say when no keychain answers at all.
const unreachable = [
  'dbus_session_bus_address',
  'autolaunch',
  'failed to connect to socket',
  'not provided by any .service files',
  'serviceunknown',
  'name has no owner',
  'noserver',
  'connection refused',
  'no such file or directory',
];
// ...and when one answers but will not hand the secret over.
const refused = [
  'prompt was dismissed',
  'locked',
  'accessdenied',
  'access denied',
  'not authorized',
  'no result found',
  'user interaction is not allowed',
  'user canceled',
  "couldn't access platform storage",
];

const textOf = (err: unknown): string => {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) parts.push(e.message);
  return parts.join(' / ');
};

/** Never lets a secret through into a message, whatever the library put there. */
const redact = (text: string, secret: string | undefined): string =>
  secret ? text.split(secret).join('[secret]') : text;

const toSecretStoreError = (
  err: unknown,
  action: string,
  platform: NodeJS.Platform,
  timeoutMs: number,
  secret?: string,
): SecretStoreError => {
  if (err instanceof SecretStoreError) return err;
  if (err instanceof Error && err.name === 'AbortError') {
    return new SecretStoreError(
      `the OS keychain did not answer within ${Math.round(timeoutMs / 1000)} s (an unlock prompt left open?)`,
      'failed',
    );
  }
  const text = redact(textOf(err), secret);
  const lower = text.toLowerCase();
  // The original error goes along as the cause only when it cannot carry the secret.
  const cause = secret && textOf(err).includes(secret) ? undefined : err;
  const options = cause === undefined ? undefined : { cause };
  if (unreachable.some((s) => lower.includes(s))) {
    return new SecretStoreError(noKeychainMessage(platform), 'unavailable', options);
  }
  if (refused.some((s) => lower.includes(s))) return new SecretStoreError(deniedMessage, 'denied', options);
  return new SecretStoreError(`the OS keychain could not ${action} the secret: ${text}`, 'failed', options);
};

let keyring: Promise<Keyring> | undefined;
// Loaded on first use, so a missing platform binary is a plain error instead of an app that does not start.
const loadKeyring = (): Promise<Keyring> => (keyring ??= import('@napi-rs/keyring'));

/**
 * Secrets in the OS keychain through @napi-rs/keyring: Windows Credential Manager, macOS Keychain, Linux
 * Secret Service (gnome-keyring, KWallet, KeePassXC). Service "TwinEdge Desktop", account = key.
 *
 * On Linux the entry is pinned to the Secret Service: the library's default silently falls back to the
 * kernel keyring, which forgets everything at reboot, and we want a clear error instead.
 */
export class KeychainSecretStore implements SecretStore {
  readonly description: string;
  private readonly service: string;
  private readonly timeoutMs: number;
  private readonly platform: NodeJS.Platform;

  constructor(options: KeychainStoreOptions = {}) {
    this.service = options.service ?? KEYCHAIN_SERVICE;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.platform = options.platform ?? process.platform;
    this.description = describePlatform(this.platform);
  }

  get(key: string): Promise<string | null> {
    return this.run(key, 'read', (entry, signal) => entry.getPassword(signal));
  }

  async set(key: string, value: string): Promise<void> {
    await this.run(key, 'store', (entry, signal) => entry.setPassword(value, signal), value);
  }

  async delete(key: string): Promise<void> {
    await this.run(key, 'remove', (entry, signal) => entry.deleteCredential(signal));
  }

  private async run<T>(
    key: string,
    action: string,
    f: (entry: InstanceType<Keyring['AsyncEntry']>, signal: AbortSignal) => Promise<T>,
    secret?: string,
  ): Promise<T> {
    let lib: Keyring;
    try {
      lib = await loadKeyring();
    } catch (err) {
      throw new SecretStoreError(
        `the OS keychain module could not be loaded (${textOf(err)}); see README 'Secrets' for TWINEDGE_SECRETS_FROM_ENV`,
        'unavailable',
        { cause: err },
      );
    }
    try {
      // The constructor already asks D-Bus whether a Secret Service is there (and throws if not).
      const entry = new lib.AsyncEntry(this.service, key, { linux: { store: 'secret-service' } });
      return await f(entry, AbortSignal.timeout(this.timeoutMs));
    } catch (err) {
      throw toSecretStoreError(err, action, this.platform, this.timeoutMs, secret);
    }
  }
}
