import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromCloudRule } from '../../main/sync/cloud-rules.js';
import { ModbusDeviceInput } from '../../main/domain/device/device-schema.js';
import { createLogger } from '../../main/log/logger.js';
import { EnvSecretStore } from '../../main/secrets/env-store.js';
import type { StoredDevice } from '../../main/store/devices-repo.js';
import { Store } from '../../main/store/store.js';
import type { DeviceLinkState } from '../../main/store/sync-repo.js';
import { AlertRuleAnswer as AlertRule } from '../../main/sync/api/answers.js';
import { SyncService } from '../../main/sync/sync-service.js';
import { tempDir } from '../helpers/temp-dir.js';
import { holdingFloats } from '../helpers/device.js';

/**
 * Local tag ↔ TwinEdge (asset id, tag name): one rule for alarm rules, cloud history, dashboards and uploads.
 * A device maps while its link has a TwinEdge id its samples upload to (synced, or a conflict or refused
 * update waiting for the engineer); pending, unlinked and deleting links map to nothing, both ways.
 */
describe('cloud tag map on a real SQLite store', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  let sync: SyncService;
  let device: StoredDevice;
  let pressure: number;

  beforeEach(() => {
    dir = tempDir();
    store = Store.open(join(dir.path, 'store.sqlite'));
    device = store.devices.save(
      ModbusDeviceInput.parse({
        name: 'Boiler PLC',
        protocol: 'modbus',
        settings: { host: '10.0.0.5' },
        tags: holdingFloats(['Steam pressure', 'Feedwater flow'], 'bar'),
      }),
    );
    pressure = device.tags.find((t) => t.name === 'Steam pressure')!.id;
    // No key: nothing is sent; only the store and the link rule are exercised.
    sync = new SyncService({
      store,
      secrets: new EnvSecretStore({}),
      log: createLogger({ console: false }),
      onStatus: () => undefined,
    });
  });
  afterEach(async () => {
    await sync.stop();
    store.close();
    dir.remove();
  });

  /** Saves the device's link as DeviceSync would, then tells sync (which reads links on change). */
  const link = (state: DeviceLinkState, cloudId: string | null, deviceId = device.id): void => {
    store.sync.saveLink({
      deviceId,
      cloudId,
      state,
      message: null,
      syncedHash: null,
      cloudUpdatedAt: null,
      conflictId: null,
      syncedAt: null,
    });
    sync.devicesChanged();
  };

  const cloudRule = (assetId: string): AlertRule =>
    AlertRule.parse({
      id: 'r1',
      name: 'Pressure high',
      severity: 'warning',
      conditions: [{ asset_id: assetId, tag_name: 'Steam pressure', operator: '>', threshold: 12 }],
      created_at: '2026-11-30T00:00:00Z',
      updated_at: '2026-11-30T00:00:00Z',
    });

  it('maps a synced device both ways, the same for alarm rules as for history and dashboards', () => {
    link('synced', 'asset-1');
    const map = sync.tagMap();
    expect(map.toCloud(pressure)).toEqual({ assetId: 'asset-1', tagName: 'Steam pressure' });
    expect(map.toLocal('asset-1', 'Steam pressure')).toBe(pressure);
    expect(sync.cloudTarget(pressure)).toEqual(map.toCloud(pressure));
    expect(sync.localTag('asset-1', 'Steam pressure')).toBe(pressure);
    expect(fromCloudRule(cloudRule('asset-1'), map)?.conditions).toEqual([
      { kind: 'threshold', tagId: pressure, operator: '>', threshold: 12 },
    ]);
    // Not one of ours: another asset, a tag name the device does not have, or no asset at all.
    expect(map.toLocal('asset-2', 'Steam pressure')).toBeNull();
    expect(map.toLocal('asset-1', 'Drum level')).toBeNull();
    expect(map.toLocal(undefined, 'Steam pressure')).toBeNull();
    expect(map.toCloud(999_999)).toBeNull();
  });

  it.each<[string, DeviceLinkState, string | null]>([
    ['pending (not registered yet)', 'pending', null],
    ['pending with an id', 'pending', 'asset-1'],
    ['failed registration (refused, no id)', 'error', null],
    ['conflict without an id (name taken on first registration)', 'conflict', null],
    ['unlinked by the engineer', 'unlinked', 'asset-1'],
    ['being deleted', 'deleting', 'asset-1'],
  ])('maps a device whose link is %s to nothing, either way', (_label, state, cloudId) => {
    link(state, cloudId);
    const map = sync.tagMap();
    expect(map.toCloud(pressure)).toBeNull();
    expect(map.toLocal('asset-1', 'Steam pressure')).toBeNull();
    expect(sync.cloudTarget(pressure)).toBeNull();
    expect(sync.localTag('asset-1', 'Steam pressure')).toBeNull();
    expect(fromCloudRule(cloudRule('asset-1'), map)).toBeNull();
  });

  it.each<DeviceLinkState>(['conflict', 'error'])(
    'keeps mapping a registered device whose link is in %s: its samples still upload to that asset',
    (state) => {
      link(state, 'asset-1');
      const map = sync.tagMap();
      expect(map.toCloud(pressure)).toEqual({ assetId: 'asset-1', tagName: 'Steam pressure' });
      expect(map.toLocal('asset-1', 'Steam pressure')).toBe(pressure);
    },
  );

  it('maps back through the linked device when an unlinked one still names the same asset', () => {
    link('unlinked', 'asset-1');
    const twin = store.devices.save(
      ModbusDeviceInput.parse({
        name: 'Boiler PLC (new)',
        protocol: 'modbus',
        settings: { host: '10.0.0.6' },
        tags: [{ name: 'Steam pressure', unit: 'bar', area: 'holding', address: 0, dataType: 'float32' }],
      }),
    );
    link('synced', 'asset-1', twin.id);
    expect(sync.tagMap().toLocal('asset-1', 'Steam pressure')).toBe(twin.tags[0]?.id);
    expect(sync.tagMap().toCloud(pressure)).toBeNull();
  });

  it("predictions and training find a device's asset by the same rule, and say why when there is none", async () => {
    const refusal = async (): Promise<string> => {
      try {
        await sync.predictions(device.id, 24);
        return 'answered';
      } catch (err) {
        return (err as Error).message;
      }
    };
    expect(await refusal()).toMatch(/not registered in TwinEdge yet/);
    link('pending', null);
    expect(await refusal()).toMatch(/not registered in TwinEdge yet/);
    link('unlinked', 'asset-1');
    expect(await refusal()).toMatch(/switched off/);
    link('deleting', 'asset-1');
    expect(await refusal()).toMatch(/being removed from TwinEdge/);
    // With an asset, the next thing missing is the key: the asset was found.
    for (const state of ['synced', 'conflict', 'error'] as const) {
      link(state, 'asset-1');
      expect(await refusal(), state).not.toMatch(/registered|switched off|being removed/);
    }
  });

  it('follows the link as it changes (no stale mapping kept)', () => {
    link('synced', 'asset-1');
    const before = sync.tagMap();
    expect(before.toLocal('asset-1', 'Steam pressure')).toBe(pressure);
    link('unlinked', 'asset-1');
    expect(sync.tagMap().toLocal('asset-1', 'Steam pressure')).toBeNull();
    expect(sync.tagMap().toCloud(pressure)).toBeNull();
    link('synced', 'asset-2');
    expect(sync.tagMap().toCloud(pressure)).toEqual({ assetId: 'asset-2', tagName: 'Steam pressure' });
    expect(sync.tagMap().toLocal('asset-1', 'Steam pressure')).toBeNull();
  });
});
