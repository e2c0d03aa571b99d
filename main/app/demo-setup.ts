import type { DeviceConfig, DeviceConfigInput } from '../domain/device/device-schema.js';
import { DeviceInput } from '../domain/device/device-schema.js';
import type { Store } from '../store/store.js';

export interface DemoEndpoints {
  opcuaEndpoint: string;
  modbusHost: string;
  modbusPort: number;
}

/** How the demo plant runs: pace, and fixed ports (0: any) or the ports tried first (default 48400 and 15020). */
export interface DemoRunOptions {
  tickMs?: number;
  speed?: number;
  opcuaPort?: number;
  modbusPort?: number;
  opcuaPreferredPort?: number;
  modbusPreferredPort?: number;
}

/** What the app needs of the built-in demo plant (main/collect/demo). */
export interface DemoPlantPort {
  start(opts: DemoRunOptions & { dir: string }): Promise<DemoEndpoints>;
  stop(): Promise<void>;
  deviceConfigs(): DeviceConfigInput[];
}

const keys = { deviceIds: 'demo.deviceIds', firstRunDone: 'app.firstRunDone', trendTagIds: 'ui.trendTagIds' } as const;

/**
 * First run: add the two demo devices and put a few demo tags on the chart, so a new user sees live
 * values with no configuration. Later runs: point the demo devices at wherever the demo plant's
 * servers listen now (ports fall back when the preferred ones are taken). Devices the user deleted
 * stay deleted.
 */
export const setUpDemoDevices = (store: Store, demo: DemoPlantPort, endpoints: DemoEndpoints): void => {
  const firstRun = store.settings.get(keys.firstRunDone) !== true;
  if (firstRun) {
    const ids: number[] = [];
    for (const input of demo.deviceConfigs()) {
      const existing = store.devices.list().find((d) => d.config.name === input.name);
      if (existing) continue;
      ids.push(store.devices.save(DeviceInput.parse(input)).id);
    }
    store.settings.set(keys.deviceIds, ids);
    const first = ids[0] === undefined ? undefined : store.devices.get(ids[0]);
    if (first)
      store.settings.set(
        keys.trendTagIds,
        first.tags.slice(0, 6).map((t) => t.id),
      );
    store.settings.set(keys.firstRunDone, true);
  }
  const ids = store.settings.get(keys.deviceIds);
  if (!Array.isArray(ids)) return;
  for (const id of ids) {
    if (typeof id !== 'number') continue;
    const device = store.devices.get(id);
    if (!device) continue;
    const config: DeviceConfig = device.config;
    if (config.protocol === 'opcua' && config.settings.endpointUrl !== endpoints.opcuaEndpoint) {
      store.devices.save({ ...config, settings: { ...config.settings, endpointUrl: endpoints.opcuaEndpoint } });
    } else if (
      config.protocol === 'modbus' &&
      (config.settings.host !== endpoints.modbusHost || config.settings.port !== endpoints.modbusPort)
    ) {
      store.devices.save({
        ...config,
        settings: { ...config.settings, host: endpoints.modbusHost, port: endpoints.modbusPort },
      });
    }
  }
};

export const settingKeys = keys;
