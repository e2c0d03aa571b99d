import type { BackfillPersistence } from '../collect/opcua/backfill.js';
import type { SettingsRepo } from '../store/settings-repo.js';

/** An OPC UA device's pending backfill (outages still to read from its server) in the store's settings. */
export const backfillPersistence = (settings: SettingsRepo, deviceId: number): BackfillPersistence => ({
  load: () => settings.get(backfillKey(deviceId)),
  save: (state) => settings.set(backfillKey(deviceId), state),
});

export const backfillKey = (deviceId: number): string => `opcua.backfill.${deviceId}`;
