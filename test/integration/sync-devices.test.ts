import { afterEach, describe, expect, it } from 'vitest';
import type { ModbusDeviceInput } from '../../main/domain/device/device-schema.js';
import { TwinEdgeClient } from '../../main/sync/client/twinedge-client.js';
import { samplesOf, startSyncRig, TEST_KEY, type SyncRig } from '../helpers/sync-fixture.js';
import { waitFor } from '../helpers/wait.js';

/** Local devices registered, updated and deleted in TwinEdge's /devices, with conflicts left to the engineer. */
describe('device registration in TwinEdge', () => {
  let rig: SyncRig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  const link = (r: SyncRig) => r.sync.status().devices.find((d) => d.deviceId === r.device.id);
  const cloud = (r: SyncRig) => new TwinEdgeClient({ baseUrl: r.sim.url, apiKey: TEST_KEY, maxRetries: 0 });

  it('registers a device with its tags, follows local edits, and deletes it with the local device', async () => {
    rig = await startSyncRig();
    await waitFor(() => link(rig!)?.state === 'synced', 10_000, 'the registration');
    const id = link(rig)?.cloudId ?? '';
    const remote = await cloud(rig).getDevice(id);
    expect(remote).toMatchObject({ name: 'Boiler PLC', type: 'modbus' });
    expect(remote.metadata?.['tag_count']).toBe(10);
    expect(JSON.stringify(remote)).not.toContain('password');

    const d = rig.store.devices.get(rig.device.id)!;
    rig.store.devices.save({ ...d.config, id: d.id, name: 'Boiler PLC 2' });
    rig.sync.devicesChanged();
    await waitFor(async () => (await cloud(rig!).getDevice(id)).name === 'Boiler PLC 2', 10_000, 'the update');
    expect(link(rig)?.state).toBe('synced');

    rig.store.devices.delete(rig.device.id);
    rig.sync.deviceDeleted(rig.device.id);
    await waitFor(async () => (await cloud(rig!).listDevices()).meta.total === 0, 10_000, 'the remote delete');
    expect(rig.store.sync.links()).toEqual([]);
  });

  it('explains a name already taken in TwinEdge, and links to it on request; samples then flow', async () => {
    let takenId = '';
    rig = await startSyncRig({
      beforeSync: async (sim) => {
        const api = new TwinEdgeClient({ baseUrl: sim.url, apiKey: TEST_KEY, maxRetries: 0 });
        takenId = (await api.createDevice({ name: 'Boiler PLC', type: 'modbus', metadata: { site: 'north' } })).id;
      },
    });
    const taken = { id: takenId };
    await waitFor(() => link(rig!)?.state === 'conflict', 10_000, 'the conflict');
    expect(link(rig)?.message).toMatch(/already has a device named "Boiler PLC"/);
    rig.write(samplesOf(rig.device, Date.UTC(2026, 10, 30), 100));
    await new Promise((r) => setTimeout(r, 300));
    expect(rig.sim.stats().pointsStored).toBe(0); // waiting for the engineer, not guessing

    await rig.sync.resolveDevice(rig.device.id, 'link');
    expect(link(rig)).toMatchObject({ state: 'synced', cloudId: taken.id });
    await rig.drained();
    expect(new Set(rig.sim.points().map((p) => p.asset_id))).toEqual(new Set([taken.id]));
    // Linking kept TwinEdge's copy as it was.
    expect((await cloud(rig).getDevice(taken.id)).metadata).toEqual({ site: 'north' });
  });

  it('turns edits made on both sides, or a deletion in TwinEdge, into conflicts settled by overwrite or unlink', async () => {
    rig = await startSyncRig();
    await waitFor(() => link(rig!)?.state === 'synced', 10_000, 'the registration');
    const id = link(rig)?.cloudId ?? '';
    const api = cloud(rig);
    await new Promise((r) => setTimeout(r, 5)); // a later updated_at than the registration's
    await api.updateDevice(id, { name: 'Boiler PLC (renamed in cloud)', type: 'modbus' });
    const d = rig.store.devices.get(rig.device.id)!;
    rig.store.devices.save({ ...d.config, id: d.id, tags: d.config.tags.slice(0, 5) } as ModbusDeviceInput);
    rig.sync.devicesChanged();
    await waitFor(() => link(rig!)?.state === 'conflict', 10_000, 'the edit conflict');
    expect(link(rig)?.message).toMatch(/changed in TwinEdge/);

    await rig.sync.resolveDevice(rig.device.id, 'overwrite');
    expect(link(rig)?.state).toBe('synced');
    expect((await api.getDevice(id)).name).toBe('Boiler PLC');

    await api.deleteDevice(id);
    rig.store.devices.save({ ...d.config, id: d.id, tags: d.config.tags.slice(0, 3) } as ModbusDeviceInput);
    rig.sync.devicesChanged();
    await waitFor(() => link(rig!)?.state === 'conflict', 10_000, 'the deletion conflict');
    expect(link(rig)?.message).toMatch(/deleted in TwinEdge/);

    await rig.sync.resolveDevice(rig.device.id, 'unlink');
    expect(link(rig)?.state).toBe('unlinked');
    rig.write(samplesOf(rig.device, Date.UTC(2026, 10, 30), 30));
    expect(rig.store.outbox.current.samples).toBe(0); // an unlinked device's samples are not buffered

    await rig.sync.resolveDevice(rig.device.id, 'overwrite');
    const relinked = link(rig);
    expect(relinked?.state).toBe('synced');
    expect(relinked?.cloudId).not.toBe(id);
  });
});
