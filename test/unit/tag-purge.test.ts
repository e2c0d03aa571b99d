import { describe, expect, it } from 'vitest';
import type { Sample } from '../../main/domain/sample/sample.js';
import { ModbusDeviceInput } from '../../main/domain/device/device-schema.js';
import { RollupService } from '../../main/history/rollups.js';
import type { Store } from '../../main/store/store.js';
import { TagPurgeJob } from '../../main/store/tag-purge-job.js';
import { useTempStore } from '../helpers/temp-store.js';

const T0 = Date.UTC(2026, 10, 1);

const device = (name: string, tags: number) =>
  ModbusDeviceInput.parse({
    name,
    protocol: 'modbus',
    enabled: false,
    settings: { host: '127.0.0.1' },
    tags: Array.from({ length: tags }, (_, i) => ({ name: `T${i}`, area: 'holding', address: i, dataType: 'uint16' })),
  });

/** `n` samples per tag at 1 s, written in batches like the sample writer does. */
const fill = (store: Store, tagIds: readonly number[], n: number, from = T0): void => {
  for (const tagId of tagIds) {
    const batch: Sample[] = Array.from({ length: n }, (_, i) => ({ tagId, ts: from + i * 1000, value: i, quality: 0 }));
    for (let i = 0; i < batch.length; i += 10_000) store.writeSamples(batch.slice(i, i + 10_000), null);
  }
};

/** Rows of these tags in every table that holds tag data. */
const rowsOf = (store: Store, tagIds: readonly number[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const t of ['samples', 'rollup_1m', 'rollup_1h', 'rollup_dirty']) {
    const stmt = store.database.prepare(`SELECT count(*) AS n FROM ${t} WHERE tag_id = ?`);
    out[t] = tagIds.reduce((n, id) => n + (stmt.get(id) as { n: number }).n, 0);
  }
  return out;
};

const none = { samples: 0, rollup_1m: 0, rollup_1h: 0, rollup_dirty: 0 };

describe('deleting a device in steps', () => {
  const t = useTempStore();

  it('the device goes at once, its data in bounded steps between event-loop turns, nothing else with it', async () => {
    const keep = t.store.devices.save(device('Keep', 1));
    const gone = t.store.devices.save(device('Gone', 3));
    const keepIds = keep.tags.map((x) => x.id);
    const goneIds = gone.tags.map((x) => x.id);
    fill(t.store, [...keepIds, ...goneIds], 20_000);
    new RollupService({ rollups: t.store.rollups }).catchUp();
    fill(t.store, [...keepIds, ...goneIds], 600, T0 + 20_000_000); // dirty minutes too
    const kept = rowsOf(t.store, keepIds);
    const before = rowsOf(t.store, goneIds);
    expect(before.samples).toBe(3 * 20_600);
    expect(before.rollup_1m).toBeGreaterThan(0);
    expect(before.rollup_dirty).toBeGreaterThan(0);

    expect(t.store.devices.delete(gone.id)).toBe(true);
    expect(t.store.devices.list().map((d) => d.config.name)).toEqual(['Keep']);
    // Nothing of the data went in the deleting call.
    expect(rowsOf(t.store, goneIds)).toEqual(before);
    expect(t.store.tagPurge.pending()).toBe(3);

    let turns = 0;
    let ticking = true;
    const tick = (): void => {
      turns++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const run = await new TagPurgeJob({ purge: t.store.tagPurge, stepRows: 5000 }).kick();
    ticking = false;
    const total = Object.values(before).reduce((a, b) => a + b, 0);
    expect(run).toMatchObject({ rows: total, tags: 3, complete: true });
    // At most 5,000 rows per step: 61,800 samples alone take 13 steps or more.
    expect(run.steps).toBeGreaterThanOrEqual(Math.ceil(total / 5000));
    expect(turns).toBeGreaterThanOrEqual(run.steps);
    expect(rowsOf(t.store, goneIds)).toEqual(none);
    expect(rowsOf(t.store, keepIds)).toEqual(kept);
    expect(t.store.tagPurge.pending()).toBe(0);
  });

  it('a purge cut short by a restart finishes at the next start', async () => {
    const gone = t.store.devices.save(device('Gone', 2));
    const goneIds = gone.tags.map((x) => x.id);
    fill(t.store, goneIds, 30_000);
    t.store.devices.delete(gone.id);
    const sum = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);
    const before = sum(rowsOf(t.store, goneIds));
    for (let i = 0; i < 3; i++) expect(t.store.tagPurge.step(5000)).toMatchObject({ rows: 5000, idle: false });
    expect(sum(rowsOf(t.store, goneIds))).toBe(before - 15_000);

    const store = t.reopen();
    expect(store.tagPurge.pending()).toBe(2);
    const run = await new TagPurgeJob({ purge: store.tagPurge, stepRows: 5000 }).kick();
    expect(run).toMatchObject({ complete: true, tags: 2 });
    expect(rowsOf(store, goneIds)).toEqual(none);
  });

  it('a tag made while a purge is pending gets a new id and keeps its samples', async () => {
    const gone = t.store.devices.save(device('Gone', 2));
    const goneIds = gone.tags.map((x) => x.id);
    fill(t.store, goneIds, 1000);
    t.store.devices.delete(gone.id);
    const fresh = t.store.devices.save(device('Fresh', 2));
    const freshIds = fresh.tags.map((x) => x.id);
    expect(Math.min(...freshIds)).toBeGreaterThan(Math.max(...goneIds));
    fill(t.store, freshIds, 1000);
    await new TagPurgeJob({ purge: t.store.tagPurge, stepRows: 300 }).kick();
    expect(rowsOf(t.store, goneIds)).toEqual(none);
    expect(rowsOf(t.store, freshIds).samples).toBe(2000);

    // A tag removed by an edit goes the same way; the job starts by itself when tags are queued.
    const job = new TagPurgeJob({ purge: t.store.tagPurge, stepRows: 300 });
    const edited = t.store.devices.save({ ...device('Fresh', 1), id: fresh.id });
    expect(edited.tags.map((x) => x.id)).toEqual([freshIds[0]]);
    expect(t.store.tagPurge.pending()).toBe(1);
    await job.kick();
    expect(rowsOf(t.store, [freshIds[1] ?? 0]).samples).toBe(0);
    expect(rowsOf(t.store, [freshIds[0] ?? 0]).samples).toBe(1000);
  });
});
