import type { Store } from '../store/store.js';
import type { DeviceLink } from '../store/sync-repo.js';
import type { TagTarget } from './points.js';

export interface TagInfoLite {
  deviceId: number;
  deviceName: string;
  tagName: string;
}

/**
 * The TwinEdge asset a device's samples upload to, or null: the one rule for where local tags are in TwinEdge
 * (uploads, cloud history, dashboards, alarm rules). A device has one once TwinEdge gave it an id, and keeps
 * it while a conflict or a refused update waits for the engineer: its samples still go to that asset; a device
 * the engineer linked by hand uploads to the asset chosen. Pending and needs_link (no id yet), unlinked (the engineer stopped syncing it) and deleting links have none.
 */
export const linkedAsset = (l: DeviceLink): string | null =>
  l.cloudId && (l.state === 'synced' || l.state === 'linked' || l.state === 'conflict' || l.state === 'error')
    ? l.cloudId
    : null;

/**
 * Which TwinEdge asset and tag name each local tag uploads as, and back. Rebuilt when devices or their links
 * change; a device without a TwinEdge id yet (not registered, or in conflict) has no asset, and its samples wait.
 */
export class TagDirectory {
  private tags = new Map<number, TagInfoLite>();
  private assets = new Map<number, string>();
  private names = new Map<number, string>();
  /** (asset, tag name) → local tag, built when first asked after a refresh (rarely needed, up to 100,000 tags). */
  private locals: Map<string, number> | null = null;

  constructor(private readonly store: Store) {
    this.refresh();
  }

  refresh(): void {
    this.tags.clear();
    this.assets.clear();
    this.names.clear();
    this.locals = null;
    for (const d of this.store.devices.list()) {
      this.names.set(d.id, d.config.name);
      for (const t of d.tags) this.tags.set(t.id, { deviceId: d.id, deviceName: d.config.name, tagName: t.name });
    }
    for (const l of this.store.sync.links()) {
      const assetId = linkedAsset(l);
      if (assetId) this.assets.set(l.deviceId, assetId);
    }
    this.store.outbox.forgetTags();
  }

  tag(tagId: number): TagInfoLite | null {
    return this.tags.get(tagId) ?? null;
  }

  target(tagId: number): TagTarget | null {
    const t = this.tags.get(tagId);
    if (!t) return null;
    const assetId = this.assets.get(t.deviceId);
    return assetId ? { assetId, tagName: t.tagName } : null;
  }

  /**
   * The local tag that uploads as this asset and tag name (the inverse of target), or null. Two devices linked
   * to one asset: the first by device id that has the tag.
   */
  local(assetId: string, tagName: string): number | null {
    const key = (a: string, n: string): string => `${a}\u0000${n}`;
    if (!this.locals) {
      this.locals = new Map();
      for (const [id, t] of this.tags) {
        const a = this.assets.get(t.deviceId);
        if (a && !this.locals.has(key(a, t.tagName))) this.locals.set(key(a, t.tagName), id);
      }
    }
    return this.locals.get(key(assetId, tagName)) ?? null;
  }

  /** Local devices, id and name, as of the last refresh. */
  devices(): { id: number; name: string }[] {
    return [...this.names].map(([id, name]) => ({ id, name }));
  }

  deviceName(deviceId: number): string {
    return this.names.get(deviceId) ?? `device ${deviceId}`;
  }

  /** Devices whose samples cannot be uploaded yet (no TwinEdge id). */
  waitingDevices(): Set<number> {
    const out = new Set<number>();
    for (const id of this.names.keys()) if (!this.assets.has(id)) out.add(id);
    return out;
  }
}
