import { AppError } from '../domain/errors/app-error.js';
import type { DeviceConfig } from '../domain/device/device-schema.js';
import { DeviceInput } from '../domain/device/device-schema.js';
import { describeTagAddress } from '../domain/device/tag-address.js';
import type { TagInfo } from '../domain/device/device-view.js';
import type { Db } from './database.js';

export interface StoredDevice {
  id: number;
  config: DeviceConfig & { id: number };
  tags: TagInfo[];
}

interface DeviceRow {
  id: number;
  name: string;
  protocol: string;
  enabled: number;
  settings: string;
}
interface TagRow {
  id: number;
  device_id: number;
  name: string;
  unit: string;
  config: string;
}

/** Freezes a parsed device: cached objects are shared by every caller, so none may change them. */
const deepFreeze = <T>(value: T): T => {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
};

interface Parsed {
  list: StoredDevice[];
  byId: Map<number, StoredDevice>;
}

/**
 * Devices and their tags. Tag ids survive edits (matched by name) so history stays attached.
 * The parsed list is cached (a 100,000-tag device costs a zod parse per tag, and the list is read on every
 * uploader state change); this repo is the only writer of both tables, so every write here drops the cache.
 * A list read inside a transaction is not kept: the transaction may still roll back what it saw.
 */
export class DevicesRepo {
  private parsed: Parsed | null = null;

  constructor(
    private readonly db: Db,
    /**
     * Called in the deleting transaction with the ids of deleted tags: their samples and rollups are removed
     * afterwards, in bounded steps (TagPurge), and their ids are not given to new tags meanwhile.
     */
    private readonly onTagsDeleted: (tagIds: number[]) => void,
  ) {}

  /** Every device with its tags (shared, frozen objects: copy before changing). */
  list(): StoredDevice[] {
    return this.cached().list;
  }

  get(id: number): StoredDevice | undefined {
    if (this.parsed && !this.db.inTransaction) return this.parsed.byId.get(id);
    if (!this.db.inTransaction) return this.cached().byId.get(id);
    const d = this.db.prepare('SELECT * FROM devices WHERE id = ?').get(id) as DeviceRow | undefined;
    if (!d) return undefined;
    const tags = this.db.prepare('SELECT * FROM tags WHERE device_id = ? ORDER BY id').all(id) as TagRow[];
    return this.toDevice(d, tags);
  }

  /** Drops the parsed list: the next read parses the tables again. Call after every write to devices or tags. */
  invalidate(): void {
    this.parsed = null;
  }

  private cached(): Parsed {
    if (this.parsed) return this.parsed;
    const devices = this.db.prepare('SELECT * FROM devices ORDER BY id').all() as DeviceRow[];
    const tags = this.db.prepare('SELECT * FROM tags ORDER BY device_id, id').all() as TagRow[];
    const byDevice = new Map<number, TagRow[]>();
    for (const t of tags) {
      const list = byDevice.get(t.device_id);
      if (list) list.push(t);
      else byDevice.set(t.device_id, [t]);
    }
    const list = devices.map((d) => deepFreeze(this.toDevice(d, byDevice.get(d.id) ?? [])));
    const parsed = { list, byId: new Map(list.map((d) => [d.id, d])) };
    if (!this.db.inTransaction) this.parsed = parsed;
    return parsed;
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM devices').get() as { n: number }).n;
  }

  /** Inserts or updates a device and its tags in one transaction; returns the stored device. */
  save(config: DeviceConfig): StoredDevice {
    const now = Date.now();
    const id = this.db.transaction(() => {
      // Dropped inside the transaction: nothing is cached until it ends, committed or rolled back.
      this.invalidate();
      const clash = this.db
        .prepare('SELECT id FROM devices WHERE name = ? AND id IS NOT ?')
        .get(config.name, config.id ?? null) as { id: number } | undefined;
      if (clash) {
        throw new AppError('conflict', `A device named "${config.name}" already exists.`, [
          { path: 'name', message: 'this name is already used by another device' },
        ]);
      }
      const settings = JSON.stringify(config.settings);
      let deviceId: number;
      if (config.id === undefined) {
        deviceId = Number(
          this.db
            .prepare(
              'INSERT INTO devices (name, protocol, enabled, settings, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
            )
            .run(config.name, config.protocol, config.enabled ? 1 : 0, settings, now, now).lastInsertRowid,
        );
      } else {
        const existing = this.db.prepare('SELECT protocol FROM devices WHERE id = ?').get(config.id) as
          { protocol: string } | undefined;
        if (!existing) throw new AppError('not_found', `Device ${config.id} does not exist (deleted meanwhile?).`);
        if (existing.protocol !== config.protocol) {
          throw new AppError('invalid_input', 'A device cannot change protocol; add a new device instead.', [
            { path: 'protocol', message: `this device is ${existing.protocol}` },
          ]);
        }
        deviceId = config.id;
        this.db
          .prepare('UPDATE devices SET name = ?, enabled = ?, settings = ?, updated_at = ? WHERE id = ?')
          .run(config.name, config.enabled ? 1 : 0, settings, now, deviceId);
      }
      this.saveTags(deviceId, config);
      return deviceId;
    })();
    const saved = this.get(id);
    if (!saved) throw new AppError('internal', `Device ${id} vanished while saving.`);
    return saved;
  }

  delete(id: number): boolean {
    return this.db.transaction(() => {
      this.invalidate();
      const tagIds = (this.db.prepare('SELECT id FROM tags WHERE device_id = ?').all(id) as { id: number }[]).map(
        (t) => t.id,
      );
      this.onTagsDeleted(tagIds);
      return this.db.prepare('DELETE FROM devices WHERE id = ?').run(id).changes > 0;
    })();
  }

  private saveTags(deviceId: number, config: DeviceConfig): void {
    const existing = this.db.prepare('SELECT id, name FROM tags WHERE device_id = ?').all(deviceId) as {
      id: number;
      name: string;
    }[];
    const byName = new Map(existing.map((t) => [t.name, t.id]));
    const byId = new Set(existing.map((t) => t.id));
    // Each configured tag keeps its stored id when it names one (by id, else by name), each id at most once.
    const assigned = new Set<number>();
    const ids = config.tags.map((tag) => {
      const id = tag.id !== undefined && byId.has(tag.id) ? tag.id : byName.get(tag.name);
      if (id === undefined || assigned.has(id)) return undefined;
      assigned.add(id);
      return id;
    });
    const update = this.db.prepare('UPDATE tags SET name = ?, unit = ?, config = ? WHERE id = ?');
    // Numbered above the tags still being purged: a reused id would inherit (and then lose) their samples.
    const insert = this.db.prepare(
      `INSERT INTO tags (id, device_id, name, unit, config) VALUES (
         max((SELECT coalesce(max(id), 0) FROM tags), (SELECT coalesce(max(tag_id), 0) FROM tag_purge)) + 1,
         ?, ?, ?, ?)`,
    );
    // Kept tags first move their old name out of the way so UNIQUE(device_id, name) holds mid-transaction.
    const parkName = this.db.prepare('UPDATE tags SET name = char(0) || id WHERE id = ?');
    assigned.forEach((id) => parkName.run(id));
    const removeTag = this.db.prepare('DELETE FROM tags WHERE id = ?');
    const removed = existing.filter((t) => !assigned.has(t.id)).map((t) => t.id);
    for (const id of removed) removeTag.run(id);
    if (removed.length > 0) this.onTagsDeleted(removed);
    config.tags.forEach((tag, i) => {
      const { id: _stored, name, unit, ...rest } = tag;
      const id = ids[i];
      if (id !== undefined) update.run(name, unit, JSON.stringify(rest), id);
      else insert.run(deviceId, name, unit, JSON.stringify(rest));
    });
  }

  private toDevice(d: DeviceRow, tags: TagRow[]): StoredDevice {
    const raw = {
      id: d.id,
      name: d.name,
      protocol: d.protocol,
      enabled: d.enabled === 1,
      settings: JSON.parse(d.settings) as unknown,
      tags: tags.map((t) => ({ id: t.id, name: t.name, unit: t.unit, ...(JSON.parse(t.config) as object) })),
    };
    // Parsing on the way out fills defaults added by later versions and catches hand-edited rows.
    const config = DeviceInput.parse(raw) as DeviceConfig & { id: number };
    return {
      id: d.id,
      config,
      tags: config.tags.map((t) => ({
        id: t.id ?? 0,
        deviceId: d.id,
        name: t.name,
        unit: t.unit,
        address: describeTagAddress(config.protocol, t),
      })),
    };
  }
}
