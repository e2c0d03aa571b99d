import { createHash } from 'node:crypto';
import type { StoredDevice } from '../store/devices-repo.js';
import type { Store } from '../store/store.js';
import type { DeviceLink } from '../store/sync-repo.js';
import type { DeviceBody } from './api/model.js';
import type { TwinEdgeCloudApi } from './client/client-api.js';
import { TwinEdgeApiError } from './client/api-error.js';
import type { Clock } from './clock.js';

/** What TwinEdge is told about a local device: identity and shape, never a password. */
export const deviceBody = (d: StoredDevice, installId: string): DeviceBody => {
  const c = d.config;
  const where =
    c.protocol === 'opcua'
      ? {
          endpoint: c.settings.endpointUrl,
          security_mode: c.settings.securityMode,
          security_policy: c.settings.securityPolicy,
        }
      : { transport: c.settings.transport, unit_id: c.settings.unitId };
  return {
    name: c.name,
    type: c.protocol,
    description: 'Collected by TwinEdge Desktop',
    metadata: {
      ...where,
      tag_count: d.tags.length,
      tags: d.tags.slice(0, 500).map((t) => ({ name: t.name, unit: t.unit, address: t.address })),
    },
    external_id: `desktop:${installId}:${d.id}`,
  };
};

const hashOf = (body: DeviceBody): string => createHash('sha256').update(JSON.stringify(body)).digest('hex');

const notFound = (err: unknown): boolean => err instanceof TwinEdgeApiError && err.status === 404;

export interface DeviceSyncOptions {
  store: Store;
  clock: Clock;
  installId: string;
  /** Links changed (state, ids): the directory and the UI need to know. */
  onChange(): void;
}

/**
 * Keeps TwinEdge's /devices in step with the local devices: registers new ones, updates changed ones,
 * deletes removed ones. Anything that would overwrite someone else's change in TwinEdge (a name already
 * taken, the device edited or deleted there since our last write) becomes a conflict the engineer settles.
 */
export class DeviceSync {
  constructor(private readonly o: DeviceSyncOptions) {}

  /** One pass over every device. Network errors propagate (the caller is offline); conflicts do not. */
  async syncAll(client: TwinEdgeCloudApi): Promise<void> {
    const { store } = this.o;
    const devices = store.devices.list();
    const ids = new Set(devices.map((d) => d.id));
    for (const link of store.sync.links()) {
      if (!ids.has(link.deviceId)) await this.removeRemote(client, link);
    }
    for (const d of devices) await this.syncOne(client, d);
  }

  async resolve(client: TwinEdgeCloudApi, deviceId: number, action: 'overwrite' | 'link' | 'unlink'): Promise<void> {
    const { store } = this.o;
    const device = store.devices.get(deviceId);
    const link = store.sync.link(deviceId);
    if (!device) return;
    const body = deviceBody(device, this.o.installId);
    if (action === 'unlink') {
      this.save({
        ...(link ?? this.blank(deviceId)),
        state: 'unlinked',
        message: 'Not synced with TwinEdge (unlinked by you).',
      });
      return;
    }
    const target = link?.conflictId ?? link?.cloudId ?? null;
    if (action === 'link') {
      if (!target) return;
      const remote = await client.getDevice(target);
      this.save({
        deviceId,
        cloudId: remote.id,
        state: 'synced',
        message: null,
        syncedHash: hashOf(body),
        cloudUpdatedAt: remote.updated_at,
        conflictId: null,
        syncedAt: this.o.clock.now(),
      });
      return;
    }
    // overwrite: our version replaces TwinEdge's (or re-creates it when it was deleted there).
    try {
      const saved = target ? await client.updateDevice(target, body) : await client.createDevice(body);
      this.synced(deviceId, saved.id, saved.updated_at, body);
    } catch (err) {
      if (!notFound(err)) throw err;
      const saved = await client.createDevice(body);
      this.synced(deviceId, saved.id, saved.updated_at, body);
    }
  }

  private async syncOne(client: TwinEdgeCloudApi, d: StoredDevice): Promise<void> {
    const link = this.o.store.sync.link(d.id);
    if (link && (link.state === 'conflict' || link.state === 'unlinked')) return;
    const body = deviceBody(d, this.o.installId);
    const hash = hashOf(body);
    if (link?.state === 'synced' && link.syncedHash === hash) return;
    try {
      if (!link?.cloudId) {
        const saved = await client.createDevice(body);
        this.synced(d.id, saved.id, saved.updated_at, body);
        return;
      }
      let remote;
      try {
        remote = await client.getDevice(link.cloudId);
      } catch (err) {
        if (!notFound(err)) throw err;
        this.conflict(
          link,
          `"${d.config.name}" was deleted in TwinEdge since the last sync. Overwrite registers it again; Unlink stops syncing it.`,
          null,
        );
        return;
      }
      if (link.cloudUpdatedAt && remote.updated_at !== link.cloudUpdatedAt) {
        this.conflict(
          link,
          `"${d.config.name}" was changed in TwinEdge (at ${remote.updated_at}) since the last sync, and here too. Overwrite replaces the TwinEdge copy with this one; Unlink stops syncing it.`,
          null,
        );
        return;
      }
      const saved = await client.updateDevice(link.cloudId, body);
      this.synced(d.id, saved.id, saved.updated_at, body);
    } catch (err) {
      if (err instanceof TwinEdgeApiError && err.status === 409) {
        const existing = err.details && !Array.isArray(err.details) ? err.details['existing_id'] : undefined;
        this.conflict(
          link ?? this.blank(d.id),
          `TwinEdge already has a device named "${d.config.name}". Link uses that device for this one's data; Overwrite replaces it with this one's settings; or rename this device.`,
          typeof existing === 'string' ? existing : null,
        );
        return;
      }
      if (
        err instanceof TwinEdgeApiError &&
        err.kind === 'http' &&
        err.status !== null &&
        err.status < 500 &&
        err.status !== 429
      ) {
        this.save({ ...(link ?? this.blank(d.id)), state: 'error', message: err.userMessage });
        return;
      }
      throw err;
    }
  }

  private async removeRemote(client: TwinEdgeCloudApi, link: DeviceLink): Promise<void> {
    if (link.cloudId && link.state !== 'unlinked') {
      this.save({ ...link, state: 'deleting' });
      try {
        await client.deleteDevice(link.cloudId);
      } catch (err) {
        if (!notFound(err)) throw err;
      }
    }
    this.o.store.sync.deleteLink(link.deviceId);
    this.o.onChange();
  }

  private blank(deviceId: number): DeviceLink {
    return {
      deviceId,
      cloudId: null,
      state: 'pending',
      message: null,
      syncedHash: null,
      cloudUpdatedAt: null,
      conflictId: null,
      syncedAt: null,
    };
  }

  private synced(deviceId: number, cloudId: string, updatedAt: string, body: DeviceBody): void {
    this.save({
      deviceId,
      cloudId,
      state: 'synced',
      message: null,
      syncedHash: hashOf(body),
      cloudUpdatedAt: updatedAt,
      conflictId: null,
      syncedAt: this.o.clock.now(),
    });
  }

  private conflict(link: DeviceLink, message: string, conflictId: string | null): void {
    this.save({ ...link, state: 'conflict', message, conflictId });
  }

  private save(link: DeviceLink): void {
    this.o.store.sync.saveLink(link);
    this.o.onChange();
  }
}
