import { createHash, randomUUID } from 'node:crypto';
import type { StoredDevice } from '../store/devices-repo.js';
import type { Store } from '../store/store.js';
import type { DeviceLink } from '../store/sync-repo.js';
import type { DeviceAnswer } from './api/answers.js';
import type { DeviceBody } from './api/model.js';
import type { TwinEdgeCloudApi } from './client/client-api.js';
import { TwinEdgeApiError, httpStatus } from './client/api-error.js';
import { listEvery } from './cloud-cache.js';
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

const notFound = (err: unknown): boolean => httpStatus(err) === 404;
const forbidden = (err: unknown): boolean => httpStatus(err) === 403;
/** The service has no such operation: 404/405 on a collection route, which cannot be "missing". */
const noRoute = (err: unknown): boolean => httpStatus(err) === 404 || httpStatus(err) === 405;
const misread = (err: unknown): boolean => err instanceof TwinEdgeApiError && err.kind === 'invalid_response';

/**
 * A create sent for a device, kept in the store until its device is linked: the Idempotency-Key goes out again
 * on every retry and after a restart, and `answered` records that TwinEdge answered 2xx in a way we could not
 * read (the device exists there: look it up, never create it again).
 */
interface PendingCreate {
  key: string;
  hash: string;
  answered: boolean;
}

const pendingKey = (deviceId: number): string => `sync.deviceCreate.${deviceId}`;

export interface DeviceSyncOptions {
  store: Store;
  clock: Clock;
  installId: string;
  /** Links changed (state, ids): the directory and the UI need to know. */
  onChange(): void;
}

/** A TwinEdge device a local one can be linked to (for the engineer's picker). */
export interface CloudDeviceChoice {
  id: string;
  name: string;
  /** Ours when TwinEdge keeps the external id we sent. */
  externalId: string | null;
}

/**
 * Keeps TwinEdge's /devices in step with the local devices: registers new ones, updates changed ones,
 * deletes removed ones. Registration is idempotent: the device is looked up before it is created (by our
 * external id, else by exact name), the create carries an Idempotency-Key kept across retries and restarts,
 * and a create whose answer was not understood is followed by a lookup, never by another create. Anything
 * that would overwrite someone else's change in TwinEdge (a name already taken, the device edited or deleted
 * there since our last write) becomes a conflict the engineer settles; a key or service that does not allow
 * registration leaves the device waiting for the engineer to link it to an existing TwinEdge device.
 */
export class DeviceSync {
  constructor(private readonly o: DeviceSyncOptions) {}

  /** One pass over every device. Failures without an answer propagate (the caller is offline); the rest do not. */
  async syncAll(client: TwinEdgeCloudApi): Promise<void> {
    const { store } = this.o;
    const devices = store.devices.list();
    const ids = new Set(devices.map((d) => d.id));
    for (const link of store.sync.links()) {
      if (!ids.has(link.deviceId)) await this.removeRemote(client, link);
    }
    for (const d of devices) await this.syncOne(client, d);
  }

  /** Devices waiting for a hand link go back to registration (the key changed: it may be allowed now). */
  retryWaiting(): void {
    for (const l of this.o.store.sync.links()) {
      if (l.state === 'needs_link') this.save({ ...l, state: 'pending', message: null });
    }
  }

  /** TwinEdge's devices, for linking by hand (throws when the key may not read them). */
  async choices(client: TwinEdgeCloudApi): Promise<CloudDeviceChoice[]> {
    const all = await listEvery((q) => client.listDevices(q));
    return all.map((d) => ({ id: d.id, name: d.name, externalId: d.external_id }));
  }

  /**
   * Links a local device to an existing TwinEdge device by hand: its samples upload to `cloudId`, which we never
   * change or delete. Checked against TwinEdge when the key may read devices.
   */
  async linkByHand(client: TwinEdgeCloudApi, deviceId: number, cloudId: string): Promise<void> {
    let note: string;
    try {
      const remote = await client.getDevice(cloudId);
      note = `Linked by you to the TwinEdge device "${remote.name || remote.id}" (${remote.id}).`;
    } catch (err) {
      if (httpStatus(err) === 404) throw new DeviceLinkError(`TwinEdge has no device with the id "${cloudId}".`);
      if (!forbidden(err) && httpStatus(err) !== 405 && !misread(err)) throw err;
      note = forbidden(err)
        ? `Linked by you to the TwinEdge asset ${cloudId} (not checked: this key may not read TwinEdge devices).`
        : `Linked by you to the TwinEdge asset ${cloudId} (not checked: TwinEdge's answer about it could not be read).`;
    }
    this.o.store.settings.delete(pendingKey(deviceId));
    this.save({
      deviceId,
      cloudId,
      state: 'linked',
      message: note,
      syncedHash: null,
      cloudUpdatedAt: null,
      conflictId: null,
      // Nothing of the device is written to TwinEdge for a link by hand: never "synced".
      syncedAt: null,
    });
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
      this.synced(deviceId, remote, body);
      return;
    }
    // overwrite: our version replaces TwinEdge's (or re-creates it when it was deleted there).
    try {
      const saved = target ? await client.updateDevice(target, body) : await this.create(client, deviceId, body);
      this.synced(deviceId, saved, body);
    } catch (err) {
      if (!notFound(err)) throw err;
      this.synced(deviceId, await this.create(client, deviceId, body), body);
    }
  }

  private async syncOne(client: TwinEdgeCloudApi, d: StoredDevice): Promise<void> {
    const link = this.o.store.sync.link(d.id);
    if (link && ['conflict', 'unlinked', 'linked', 'needs_link'].includes(link.state)) return;
    const body = deviceBody(d, this.o.installId);
    const hash = hashOf(body);
    if (link?.state === 'synced' && link.syncedHash === hash) return;
    try {
      if (!link?.cloudId) {
        await this.register(client, d, body, link);
        return;
      }
      let remote: DeviceAnswer;
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
      // A service that keeps no updated_at cannot tell us about changes made there: ours is written.
      if (link.cloudUpdatedAt && remote.updated_at && remote.updated_at !== link.cloudUpdatedAt) {
        this.conflict(
          link,
          `"${d.config.name}" was changed in TwinEdge (at ${remote.updated_at}) since the last sync, and here too. Overwrite replaces the TwinEdge copy with this one; Unlink stops syncing it.`,
          null,
        );
        return;
      }
      this.synced(d.id, await client.updateDevice(link.cloudId, body), body);
    } catch (err) {
      this.failed(d, link, err);
    }
  }

  /** Look up, then create once: at most one TwinEdge device per local device, however many tries it takes. */
  private async register(
    client: TwinEdgeCloudApi,
    d: StoredDevice,
    body: DeviceBody,
    link: DeviceLink | null,
  ): Promise<void> {
    const pending = this.pending(d.id);
    const found = await this.lookup(client, body, pending !== null);
    if (found.kind === 'ours') {
      this.synced(d.id, found.device, body);
      return;
    }
    if (found.kind === 'taken') {
      this.conflict(
        link ?? this.blank(d.id),
        `TwinEdge already has a device named "${d.config.name}". Link uses that device for this one's data; Overwrite replaces it with this one's settings; or rename this device.`,
        found.device.id,
      );
      return;
    }
    if (pending?.answered) {
      // TwinEdge took the create but its answer was unreadable, and the device cannot be found: never create twice.
      this.needsLink(
        d.id,
        found.kind === 'unreadable'
          ? `TwinEdge answered the registration of "${d.config.name}" in a way this version does not understand, and this key may not list devices to find it. Link it to its TwinEdge device by hand.`
          : `TwinEdge answered the registration of "${d.config.name}" in a way this version does not understand, and the device is not in TwinEdge's list. Link it to its TwinEdge device by hand.`,
      );
      return;
    }
    this.synced(d.id, await this.create(client, d.id, body), body);
  }

  /** POST /devices with the device's kept Idempotency-Key; an unreadable 2xx is recorded before it is rethrown. */
  private async create(client: TwinEdgeCloudApi, deviceId: number, body: DeviceBody): Promise<DeviceAnswer> {
    const hash = hashOf(body);
    const before = this.pending(deviceId);
    const pending: PendingCreate =
      before && before.hash === hash ? before : { key: randomUUID(), hash, answered: false };
    this.o.store.settings.set(pendingKey(deviceId), pending);
    try {
      return await client.createDevice(body, { idempotencyKey: pending.key });
    } catch (err) {
      if (misread(err)) this.o.store.settings.set(pendingKey(deviceId), { ...pending, answered: true });
      throw err;
    }
  }

  /**
   * Our device in TwinEdge's list: by the external id we send, else (when the list does not carry external ids,
   * or after a create of ours whose answer was lost) by exact name. A device of that name with someone else's
   * external id, or any device of that name before we ever sent a create, is someone else's.
   */
  private async lookup(
    client: TwinEdgeCloudApi,
    body: DeviceBody,
    createSent: boolean,
  ): Promise<
    | { kind: 'ours'; device: DeviceAnswer }
    | { kind: 'taken'; device: DeviceAnswer }
    | { kind: 'absent' }
    | { kind: 'unreadable' }
  > {
    let all: DeviceAnswer[];
    try {
      all = await listEvery((q) => client.listDevices(q));
    } catch (err) {
      // A key without read:assets, or a service without a device list: registration goes on without a lookup.
      if (forbidden(err) || noRoute(err) || misread(err)) return { kind: 'unreadable' };
      throw err;
    }
    const byExternal = all.find((x) => x.external_id !== null && x.external_id === body.external_id);
    if (byExternal) return { kind: 'ours', device: byExternal };
    const byName = all.find((x) => x.name === body.name);
    if (!byName) return { kind: 'absent' };
    if (byName.external_id === null && createSent) return { kind: 'ours', device: byName };
    return { kind: 'taken', device: byName };
  }

  private failed(d: StoredDevice, link: DeviceLink | null, err: unknown): void {
    const status = httpStatus(err);
    if (status === 409) {
      const details = err instanceof TwinEdgeApiError ? err.details : null;
      // `details` as an object ({existing_id}) or as a list of fields ([{field: 'existing_id', message: id}]).
      const existing = Array.isArray(details)
        ? details.find((f) => f.field === 'existing_id')?.message
        : details?.['existing_id'];
      this.conflict(
        link ?? this.blank(d.id),
        `TwinEdge already has a device named "${d.config.name}". Link uses that device for this one's data; Overwrite replaces it with this one's settings; or rename this device.`,
        typeof existing === 'string' || typeof existing === 'number' ? String(existing) : null,
      );
      return;
    }
    if (!link?.cloudId && (status === 403 || status === 404 || status === 405)) {
      const e = err as TwinEdgeApiError;
      this.needsLink(
        d.id,
        status === 403
          ? `This API key may not register devices in TwinEdge (TwinEdge answered 403 to ${e.method ?? 'POST'} ${e.path ?? '/devices'}; registering needs the scope write:assets). Its samples are kept and wait: link "${d.config.name}" to an existing TwinEdge device, or give the key write:assets.`
          : `This TwinEdge service does not register devices (it answered ${status} to ${e.method ?? 'POST'} ${e.path ?? '/devices'}). Its samples are kept and wait: link "${d.config.name}" to an existing TwinEdge device.`,
      );
      return;
    }
    if (misread(err) && !link?.cloudId) {
      // A registration answered 2xx unreadably: the next pass looks the device up (create is marked as answered).
      this.save({ ...(link ?? this.blank(d.id)), state: 'pending', message: (err as TwinEdgeApiError).userMessage });
      throw err;
    }
    if (misread(err)) {
      // An update answered unreadably: the device keeps its TwinEdge asset (data flows) and the reason is shown.
      this.save({ ...link!, state: 'error', message: (err as TwinEdgeApiError).userMessage });
      return;
    }
    if (status !== null && status < 500 && status !== 429) {
      this.save({ ...(link ?? this.blank(d.id)), state: 'error', message: (err as TwinEdgeApiError).userMessage });
      return;
    }
    throw err;
  }

  private async removeRemote(client: TwinEdgeCloudApi, link: DeviceLink): Promise<void> {
    // A device linked by hand belongs to someone else in TwinEdge: only our link to it goes.
    if (link.cloudId && link.state !== 'unlinked' && link.state !== 'linked') {
      this.save({ ...link, state: 'deleting' });
      try {
        await client.deleteDevice(link.cloudId);
      } catch (err) {
        if (!notFound(err)) throw err;
      }
    }
    this.o.store.sync.deleteLink(link.deviceId);
    this.o.store.settings.delete(pendingKey(link.deviceId));
    this.o.onChange();
  }

  private pending(deviceId: number): PendingCreate | null {
    const v = this.o.store.settings.get(pendingKey(deviceId)) as Partial<PendingCreate> | undefined;
    return v && typeof v.key === 'string' && typeof v.hash === 'string'
      ? { key: v.key, hash: v.hash, answered: v.answered === true }
      : null;
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

  private synced(deviceId: number, remote: DeviceAnswer, body: DeviceBody): void {
    this.o.store.settings.delete(pendingKey(deviceId));
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
  }

  private needsLink(deviceId: number, message: string): void {
    const link = this.o.store.sync.link(deviceId) ?? this.blank(deviceId);
    this.save({ ...link, cloudId: null, state: 'needs_link', message });
  }

  private conflict(link: DeviceLink, message: string, conflictId: string | null): void {
    this.save({ ...link, state: 'conflict', message, conflictId });
  }

  private save(link: DeviceLink): void {
    this.o.store.sync.saveLink(link);
    this.o.onChange();
  }
}

/** A link by hand that cannot be made (no such TwinEdge device); the message is for the engineer. */
export class DeviceLinkError extends Error {
  override readonly name = 'DeviceLinkError';
}
