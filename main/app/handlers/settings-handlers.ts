// UI settings calls; switching the demo plant on or off in Settings starts or stops it and re-applies the devices.
import type { Handlers } from '../../contract/router.js';
import type { EventHub } from '../event-hub.js';
import type { StoredDevice } from '../../store/devices-repo.js';
import type { Store } from '../../store/store.js';
import type { DemoLifecycle } from '../demo-lifecycle.js';
import { readUiSettings, writeUiSettings } from '../ui-settings.js';

export interface SettingsHandlerDeps {
  /** The store or null (settings.get answers the defaults without one). */
  store: () => Store | null;
  /** Throws AppError('store_unavailable') when the store is not open. */
  requireStore: () => Store;
  demo: Pick<DemoLifecycle, 'start' | 'switchOff'>;
  /** The demo plant is fixed on or off by the app's options: the setting is kept but changes nothing now. */
  demoFixed: boolean;
  /** Restarts a device's collector (its endpoint may point at the demo plant). */
  applyDevice: (device: StoredDevice) => Promise<void>;
  devicesChanged: () => void;
  events: EventHub;
}

export const settingsHandlers = (deps: SettingsHandlerDeps): Pick<Handlers, 'settings.get' | 'settings.update'> => ({
  'settings.get': () => readUiSettings(deps.store()),
  'settings.update': async (patch) => {
    const s = deps.requireStore();
    const before = readUiSettings(s);
    writeUiSettings(s, patch);
    if (patch.demoPlant !== undefined && patch.demoPlant !== before.demoPlant && !deps.demoFixed) {
      if (patch.demoPlant) await deps.demo.start();
      else await deps.demo.switchOff();
      for (const device of s.devices.list()) await deps.applyDevice(device);
      deps.devicesChanged();
    }
    const after = readUiSettings(s);
    deps.events.emit('settings.changed', after);
    return after;
  },
});
