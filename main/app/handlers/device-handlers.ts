// Device calls (list, save, delete, tags, diagnostics) and the device view they answer with.
import type { CollectorManager } from '../../collect/collector-manager.js';
import type { DeviceView } from '../../domain/device/device-view.js';
import type { Handlers } from '../../contract/router.js';
import type { Logger } from '../../log/logger.js';
import type { SecretStore } from '../../secrets/secret-store.js';
import type { StoredDevice } from '../../store/devices-repo.js';
import type { Store } from '../../store/store.js';
import type { SyncService } from '../../sync/sync-service.js';
import { backfillKey } from '../backfill-settings.js';
import { demoPortWarning } from '../demo-ports.js';
import type { DemoEndpoints } from '../demo-setup.js';
import { AppError } from '../../domain/errors/app-error.js';
import { passwordSet } from './secret-handlers.js';
import { noDiagnostics } from '../../domain/device/device-state.js';

type DeviceCalls = 'devices.list' | 'devices.save' | 'devices.delete' | 'tags.list' | 'devices.diagnostics';

export interface DeviceHandlerDeps {
  /** Throws AppError('store_unavailable') when the store is not open. */
  requireStore: () => Store;
  /** The store or null, for the view's password flag and demo-port warning. */
  store: () => Store | null;
  secrets: SecretStore;
  collectors: Pick<CollectorManager, 'apply' | 'remove' | 'state' | 'diagnostics'>;
  /** Writes samples still held in memory, so a deleted device's last samples are not written after it. */
  flush: () => void;
  /** Removes the device's password first (SecretHandlers' forgetDevicePassword); throws when it cannot. */
  forgetPassword: (deviceId: number) => Promise<void>;
  sync: SyncService | null;
  log: Logger;
  /** Where the demo plant listens now; null while it does not run. */
  demoEndpoints: () => DemoEndpoints | null;
  /** Tells sync, alarms and the UI that the device list changed. */
  devicesChanged: () => void;
  /** Sends the status at once. */
  statusChanged: () => void;
}

export const deviceHandlers = (deps: DeviceHandlerDeps): Pick<Handlers, DeviceCalls> => {
  const view = (d: StoredDevice): DeviceView => ({
    id: d.id,
    config: d.config,
    tags: d.tags,
    state: deps.collectors.state(d.id) ?? {
      deviceId: d.id,
      state: 'connecting',
      message: null,
      since: Date.now(),
      samples: 0,
      requestsPerCycle: null,
    },
    passwordSet: passwordSet(deps.store(), deps.secrets, d.id),
    demoPortWarning: demoPortWarning(deps.store(), d.config, deps.demoEndpoints()),
  });
  return {
    'devices.list': () => deps.requireStore().devices.list().map(view),
    'devices.save': async (input) => {
      const saved = deps.requireStore().devices.save(input);
      await deps.collectors.apply(saved);
      deps.log.info(`Device "${saved.config.name}" saved (${saved.tags.length} tags).`);
      deps.devicesChanged();
      return view(saved);
    },
    'devices.delete': async ({ id }) => {
      const s = deps.requireStore();
      const device = s.devices.get(id);
      if (!device) throw new AppError('not_found', `Device ${id} does not exist (deleted meanwhile?).`);
      await deps.forgetPassword(id);
      await deps.collectors.remove(id);
      deps.flush();
      // Two deletes of one device may both pass the check above while the first awaits: only one deletes it.
      if (!s.devices.delete(id)) throw new AppError('not_found', `Device ${id} does not exist (deleted meanwhile?).`);
      // Its outages still to backfill go with it (a new device may get the same id).
      s.settings.delete(backfillKey(id));
      deps.sync?.deviceDeleted(id);
      deps.log.info(`Device "${device.config.name}" deleted; its stored samples are being removed in the background.`);
      deps.devicesChanged();
      deps.statusChanged();
      return { deleted: true as const };
    },
    'tags.list': () =>
      deps
        .requireStore()
        .devices.list()
        .flatMap((d) => d.tags),
    'devices.diagnostics': ({ id }) => {
      if (!deps.requireStore().devices.get(id)) throw new AppError('not_found', `Device ${id} does not exist.`);
      return deps.collectors.diagnostics(id) ?? noDiagnostics(id);
    },
  };
};
