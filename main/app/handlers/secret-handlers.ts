import type { Handlers } from '../../contract/router.js';
import type { Logger } from '../../log/logger.js';
import { EnvSecretStore } from '../../secrets/env-store.js';
import { SecretStoreError, devicePasswordKey, type SecretStore } from '../../secrets/secret-store.js';
import type { StoredDevice } from '../../store/devices-repo.js';
import type { Store } from '../../store/store.js';
import { AppError, errorMessage } from '../../domain/errors/app-error.js';

/**
 * Device passwords. The password itself goes to the secret store (the OS keychain) and nowhere else: not the
 * store, a config file, a log line, an event or an answer. The store keeps only a flag that one is set, so
 * devices.list needs no keychain round trip per device.
 */
export interface SecretHandlerDeps {
  secrets: SecretStore;
  requireStore: () => Store;
  log: Logger;
  /** Restarts the device's collector, so a new password is used at once. */
  applyDevice: (device: StoredDevice) => Promise<void>;
  devicesChanged: () => void;
}

const flagKey = (deviceId: number): string => `device.${deviceId}.passwordSet`;

// An unexpected failure keeps its context for the log; the router gives the client only a reference.
const toAppError = (err: unknown, what: string): Error => {
  if (err instanceof SecretStoreError) return new AppError('unavailable', `${what}: ${err.message}`);
  return new Error(`${what}: ${errorMessage(err)}`, { cause: err });
};

/** Whether a password is set for a device: the stored flag, or its variable in environment mode. */
export const passwordSet = (store: Store | null, secrets: SecretStore, deviceId: number): boolean =>
  store?.settings.get(flagKey(deviceId)) === true ||
  (secrets instanceof EnvSecretStore && secrets.has(devicePasswordKey(deviceId)));

/**
 * Removes a device's password before the device itself is deleted. A password that cannot be removed stops
 * the deletion (with a message): device ids can be reused, and a stale password must never go to another server.
 */
export const forgetDevicePassword = async (deps: SecretHandlerDeps, deviceId: number): Promise<void> => {
  const store = deps.requireStore();
  if (store.settings.get(flagKey(deviceId)) !== true) return;
  try {
    await deps.secrets.delete(devicePasswordKey(deviceId));
  } catch (err) {
    throw toAppError(err, `Device ${deviceId} was not deleted: its password could not be removed`);
  }
  store.settings.delete(flagKey(deviceId));
};

export const secretHandlers = (deps: SecretHandlerDeps): Pick<Handlers, 'devices.setPassword'> => ({
  'devices.setPassword': async ({ deviceId, password }) => {
    const store = deps.requireStore();
    const device = store.devices.get(deviceId);
    if (!device) throw new AppError('not_found', `Device ${deviceId} does not exist (deleted meanwhile?).`);
    const key = devicePasswordKey(deviceId);
    if (password === null) {
      try {
        await deps.secrets.delete(key);
      } catch (err) {
        throw toAppError(err, 'The password was not removed');
      }
      store.settings.delete(flagKey(deviceId));
      deps.log.info(`Password of device "${device.config.name}" removed from ${deps.secrets.description}.`);
    } else {
      try {
        await deps.secrets.set(key, password);
      } catch (err) {
        throw toAppError(err, 'The password was not stored');
      }
      store.settings.set(flagKey(deviceId), true);
      deps.log.info(`Password of device "${device.config.name}" stored in ${deps.secrets.description}.`);
    }
    await deps.applyDevice(device);
    deps.devicesChanged();
    return { passwordSet: passwordSet(store, deps.secrets, deviceId) };
  },
});
