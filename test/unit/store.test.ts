import Database from 'better-sqlite3';
import { chmodSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../main/domain/errors/app-error.js';
import { ModbusDeviceInput } from '../../main/domain/device/device-schema.js';
import { migrations } from '../../main/store/migrations.js';
import { Store } from '../../main/store/store.js';
import { tempDir } from '../helpers/temp-dir.js';

const modbusDevice = (name = 'Boiler PLC', tags = ['Steam pressure', 'Feedwater flow']): ModbusDeviceInput =>
  ModbusDeviceInput.parse({
    name,
    protocol: 'modbus',
    settings: { host: '10.0.0.5' },
    tags: tags.map((t, i) => ({ name: t, unit: 'bar', area: 'holding', address: i * 2, dataType: 'float32' })),
  });

describe('store on a real SQLite file', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  beforeEach(() => {
    dir = tempDir();
    store = Store.open(join(dir.path, 'store.sqlite'));
  });
  afterEach(() => {
    store.close();
    dir.remove();
  });

  it('creates the schema with WAL and records the migration version', () => {
    store.close();
    const db = new Database(join(dir.path, 'store.sqlite'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]
    ).map((r) => r.name);
    expect(tables).toEqual([
      'alarm_events',
      'alarm_rules',
      'alarm_state',
      'audit_log',
      'devices',
      'rollup_1h',
      'rollup_1m',
      'rollup_dirty',
      'sample_blocks',
      'samples',
      'server_events',
      'settings',
      'sync_devices',
      'sync_inflight',
      'sync_outbox',
      'sync_rejections',
      'tag_purge',
      'tags',
      'trend_views',
    ]);
    db.close();
    store = Store.open(join(dir.path, 'store.sqlite')); // reopening applies nothing twice
    expect(store.devices.count()).toBe(0);
  });

  it('saves a device with tags and reads it back with defaults and readable addresses', () => {
    const saved = store.devices.save(modbusDevice());
    expect(saved.config.settings).toMatchObject({ host: '10.0.0.5', port: 502, unitId: 1, pollIntervalMs: 1000 });
    expect(saved.tags.map((t) => [t.name, t.address])).toEqual([
      ['Steam pressure', 'HR 0 (40001) float32 ABCD'],
      ['Feedwater flow', 'HR 2 (40003) float32 ABCD'],
    ]);
  });

  it('keeps tag ids (and their history) across an edit that renames and reorders tags', () => {
    const first = store.devices.save(modbusDevice());
    const [steam, feed] = first.tags;
    if (!steam || !feed) throw new Error('tags missing');
    store.samples.insertBatch([{ tagId: steam.id, ts: 1000, value: 12.5, quality: 0 }]);
    const edited = modbusDevice('Boiler PLC', ['Feedwater flow', 'Steam pressure', 'Drum level']);
    const again = store.devices.save({
      ...edited,
      id: first.id,
      tags: edited.tags.map((t) => (t.name === 'Steam pressure' ? { ...t, id: steam.id, name: 'Drum pressure' } : t)),
    });
    const byName = new Map(again.tags.map((t) => [t.name, t.id]));
    expect(byName.get('Drum pressure')).toBe(steam.id);
    expect(byName.get('Feedwater flow')).toBe(feed.id);
    expect(byName.get('Drum level')).toBeGreaterThan(feed.id);
    expect(store.samples.latest([steam.id])).toEqual([[steam.id, 1000, 12.5, 0]]);
  });

  it('refuses a second device with the same name, naming the field', () => {
    store.devices.save(modbusDevice());
    const err = (() => {
      try {
        store.devices.save(modbusDevice());
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('conflict');
    expect((err as AppError).fields?.[0]?.path).toBe('name');
  });

  it('deleting a device removes its tags and samples and nothing else', () => {
    const a = store.devices.save(modbusDevice('A'));
    const b = store.devices.save(modbusDevice('B'));
    const tag = (d: typeof a, i: number): number => d.tags[i]?.id ?? 0;
    store.samples.insertBatch([
      { tagId: tag(a, 0), ts: 1, value: 1, quality: 0 },
      { tagId: tag(b, 0), ts: 1, value: 2, quality: 0 },
    ]);
    expect(store.devices.delete(a.id)).toBe(true);
    expect(store.devices.list().map((d) => d.config.name)).toEqual(['B']);
    // Its samples go in steps afterwards (TagPurge): two here, the sample and then the queue entry.
    expect(store.tagPurge.step(1)).toMatchObject({ rows: 1, finished: null });
    expect(store.tagPurge.step(1)).toMatchObject({ finished: tag(a, 0) });
    while (!store.tagPurge.step(1).idle);
    expect(store.samples.count()).toBe(1);
    expect(store.samples.latest([tag(b, 0)])).toEqual([[tag(b, 0), 1, 2, 0]]);
  });

  it('keeps the text of string tags and an audit log that outlives the device', () => {
    const d = store.devices.save(modbusDevice('S'));
    const tagId = d.tags[0]?.id ?? 0;
    store.samples.insertBatch([
      { tagId, ts: 1, value: null, quality: 0, text: 'BATCH-0042' },
      { tagId, ts: 2, value: null, quality: 0, text: 'BATCH-0043' },
    ]);
    expect(store.samples.latest([tagId])).toEqual([[tagId, 2, null, 0, 'BATCH-0043']]);
    const entry = {
      ts: 5,
      actor: 'jdoe (desktop)',
      action: 'write' as const,
      deviceId: d.id,
      deviceName: 'S',
      target: 'p0 (HR 0 (40001) float32 ABCD)',
      value: '12.5 bar',
    };
    const first = store.audit.add({ ...entry, outcome: 'ok', message: 'FC 16 ...' });
    store.audit.add({ ...entry, ts: 6, outcome: 'failed', message: 'no answer' });
    store.devices.delete(d.id);
    const log = store.audit.list(10);
    expect(log.map((e) => [e.ts, e.outcome, e.deviceName])).toEqual([
      [6, 'failed', 'S'],
      [5, 'ok', 'S'],
    ]);
    expect(log[1]).toEqual({ id: first, ...entry, outcome: 'ok', message: 'FC 16 ...' });
    expect(store.audit.list(1, d.id)).toHaveLength(1);
  });

  it('inserts batches, ignores exact duplicates, and returns history in order', () => {
    const tagId = store.devices.save(modbusDevice()).tags[0]?.id ?? 0;
    const batch = Array.from({ length: 100 }, (_, i) => ({ tagId, ts: 1000 + i * 10, value: i, quality: 0 }));
    store.samples.insertBatch(batch);
    store.samples.insertBatch(batch.slice(0, 10)); // a resend after a reconnect
    expect(store.samples.count()).toBe(100);
    const h = store.samples.history(tagId, 1000, 1990, 1000);
    expect(h.reduced).toBe(false);
    expect(h.ts).toHaveLength(100);
    expect(h.values.slice(0, 3)).toEqual([0, 1, 2]);
  });

  it('reduces a long range to min/max per bucket, keeping a one-sample spike', () => {
    const tagId = store.devices.save(modbusDevice()).tags[0]?.id ?? 0;
    const batch = Array.from({ length: 10_000 }, (_, i) => ({
      tagId,
      ts: i * 1000,
      value: i === 7777 ? 500 : 10,
      quality: i === 42 ? 0x80050000 : 0,
    }));
    store.samples.insertBatch(batch);
    const h = store.samples.history(tagId, 0, 9_999_000, 200);
    expect(h.reduced).toBe(true);
    expect(h.ts.length).toBeLessThanOrEqual(200);
    expect(Math.max(...h.values.map((v) => v ?? 0))).toBe(500);
    expect(h.quality).toContain(0x80050000);
    expect([...h.ts].sort((x, y) => x - y)).toEqual(h.ts);
  });

  it('stores settings as JSON and reports its size on disk', () => {
    store.settings.set('ui.trendTagIds', [3, 4]);
    expect(store.settings.get('ui.trendTagIds')).toEqual([3, 4]);
    expect(store.settings.get('missing')).toBeUndefined();
    expect(store.sizeBytes()).toBeGreaterThan(0);
  });
});

describe('store failures are explained, and leave the file as it was', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.remove());

  const openError = (path: string): AppError => {
    try {
      Store.open(path).close();
    } catch (err) {
      return err as AppError;
    }
    throw new Error('expected the store to refuse');
  };

  it('a file that is not a database', () => {
    const path = join(dir.path, 'store.sqlite');
    const garbage = Buffer.from('this is not sqlite '.repeat(300));
    writeFileSync(path, garbage);
    const err = openError(path);
    expect(err.code).toBe('store_unavailable');
    expect(err.message).toContain(path);
    expect(err.message).toMatch(/damaged or is not a TwinEdge data store/);
    expect(readFileSync(path)).toEqual(garbage);
  });

  it('a folder that cannot be written', () => {
    if (process.getuid?.() === 0) {
      // root ignores permission bits; use a path under a regular file instead
      writeFileSync(join(dir.path, 'file'), '');
      const err = openError(join(dir.path, 'file', 'store.sqlite'));
      expect(err.code).toBe('store_unavailable');
      expect(err.message).toContain('file/store.sqlite');
      return;
    }
    chmodSync(dir.path, 0o500);
    const err = openError(join(dir.path, 'store.sqlite'));
    expect(err.message).toMatch(/cannot be opened|permission/);
  });

  it('a store written by a newer version', () => {
    const path = join(dir.path, 'store.sqlite');
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();
    expect(openError(path).message).toMatch(/newer TwinEdge \(schema 99/);
  });
});
