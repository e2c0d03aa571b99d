import type { Store } from '../store/store.js';
import type { TagTarget } from './points.js';

export interface TagInfoLite {
  deviceId: number;
  deviceName: string;
  tagName: string;
}

/**
 * Which TwinEdge asset and tag name each local tag uploads as. Rebuilt when devices or their links change;
 * a device without a TwinEdge id yet (not registered, or in conflict) has no asset, and its samples wait.
 */
export class TagDirectory {
  private tags = new Map<number, TagInfoLite>();
  private assets = new Map<number, string>();
  private names = new Map<number, string>();

  constructor(private readonly store: Store) {
    this.refresh();
  }

  refresh(): void {
    this.tags.clear();
    this.assets.clear();
    this.names.clear();
    for (const d of this.store.devices.list()) {
      this.names.set(d.id, d.config.name);
      for (const t of d.tags) this.tags.set(t.id, { deviceId: d.id, deviceName: d.config.name, tagName: t.name });
    }
    for (const l of this.store.sync.links()) {
      if (l.cloudId && (l.state === 'synced' || l.state === 'conflict' || l.state === 'error')) {
        this.assets.set(l.deviceId, l.cloudId);
      }
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
