import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { AppError } from '../../main/domain/errors/app-error.js';
import { ModbusDeviceInput } from '../../main/domain/device/device-schema.js';
import { ExportQuery } from '../../main/domain/history/trend-query.js';
import { type TrendViewInput } from '../../main/domain/history/trend-view.js';
import { csvField, exportCsv, localIso, qualityText } from '../../main/history/csv-export.js';
import { RollupService } from '../../main/history/rollups.js';
import { Store } from '../../main/store/store.js';
import { tempDir } from '../helpers/temp-dir.js';

const T0 = Date.UTC(2026, 10, 30, 12, 0);

describe('trend CSV export and saved views', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  let tagA = 0;
  let tagB = 0;

  beforeEach(() => {
    dir = tempDir();
    store = Store.open(join(dir.path, 's.sqlite'));
    const d = store.devices.save(
      ModbusDeviceInput.parse({
        name: 'Boiler, "north"',
        protocol: 'modbus',
        settings: { host: '10.0.0.5' },
        tags: [
          { name: 'Steam pressure', unit: 'bar', area: 'holding', address: 0, dataType: 'float32' },
          { name: 'Mode', area: 'holding', address: 2, dataType: 'uint16' },
        ],
      }),
    );
    tagA = d.tags[0]?.id ?? 0;
    tagB = d.tags[1]?.id ?? 0;
  });
  afterEach(() => {
    store.close();
    dir.remove();
  });

  it('formats fields, local times and qualities', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField(null)).toBe('');
    expect(localIso(T0 + 5, 'Europe/Berlin')).toBe('2026-11-30T13:00:00.005+01:00');
    expect(localIso(Date.UTC(2026, 6, 1), 'America/New_York')).toBe('2026-06-30T20:00:00.000-04:00');
    expect(localIso(T0, 'Asia/Kolkata')).toBe('2026-11-30T17:30:00.000+05:30');
    expect(qualityText(0x80000000)).toBe('Bad (0x80000000)');
    expect(qualityText(0x40900000)).toBe('Uncertain (0x40900000)');
    expect(qualityText(0)).toBe('Good (0x00000000)');
  });

  it('exports raw samples in long format', async () => {
    store.writeSamples(
      [
        { tagId: tagA, ts: T0, value: 1.5, quality: 0 },
        { tagId: tagA, ts: T0 + 1000, value: 2, quality: 0x80000000 },
        { tagId: tagB, ts: T0 + 500, value: null, quality: 0, text: 'auto, remote' },
      ],
      null,
    );
    const q = ExportQuery.parse({ tagIds: [tagA, tagB], from: T0, to: T0 + 60_000 });
    const out = await exportCsv(store, q, 'Europe/Berlin', { now: Date.UTC(2026, 10, 30, 12, 7, 33) });
    expect(out.filename).toBe('twinedge-trend-2026-11-30T120733Z.csv');
    expect(out.rows).toBe(3);
    expect(out.resolution).toBe('raw');
    expect(out.csv.split('\r\n')).toEqual([
      'timestamp_utc,timestamp_local,device,tag,value,unit,quality',
      '2026-11-30T12:00:00.000Z,2026-11-30T13:00:00.000+01:00,"Boiler, ""north""",Steam pressure,1.5,bar,Good (0x00000000)',
      '2026-11-30T12:00:01.000Z,2026-11-30T13:00:01.000+01:00,"Boiler, ""north""",Steam pressure,2,bar,Bad (0x80000000)',
      '2026-11-30T12:00:00.500Z,2026-11-30T13:00:00.500+01:00,"Boiler, ""north""",Mode,"auto, remote",,Good (0x00000000)',
      '',
    ]);
  });

  it('exports 1-minute rollups and refuses raw exports that are too large', async () => {
    // Minute 1 holds 3 Bad samples (outside min/max/avg) and one Uncertain one (counted as usable).
    const quality = (i: number): number => (i >= 60 && i < 63 ? 0x80000000 : i === 70 ? 0x40900000 : 0);
    store.writeSamples(
      Array.from({ length: 180 }, (_, i) => ({ tagId: tagA, ts: T0 + i * 1000, value: i, quality: quality(i) })),
      null,
    );
    new RollupService({ rollups: store.rollups }).catchUp();
    const q = ExportQuery.parse({ tagIds: [tagA], from: T0 + 30_000, to: T0 + 179_000, resolution: '1m' });
    const out = await exportCsv(store, q, 'UTC', { now: Date.UTC(2026, 10, 30, 12, 7, 33) });
    expect(out.filename).toBe('twinedge-trend-1-minute-buckets-2026-11-30T120733Z.csv');
    const device = '"Boiler, ""north""",Steam pressure,bar';
    expect(out.csv.split('\r\n')).toEqual([
      'bucket_start_utc,bucket_start_local,device,tag,unit,min_of_usable,max_of_usable,avg_of_usable,' +
        'usable_samples,bad_samples,usable_percent,worst_quality',
      `2026-11-30T12:00:00.000Z,2026-11-30T12:00:00.000+00:00,${device},0,59,29.5,60,0,100,Good (0x00000000)`,
      `2026-11-30T12:01:00.000Z,2026-11-30T12:01:00.000+00:00,${device},63,119,91,57,3,95,Bad (0x80000000)`,
      `2026-11-30T12:02:00.000Z,2026-11-30T12:02:00.000+00:00,${device},120,179,149.5,60,0,100,Good (0x00000000)`,
      '',
    ]);
    const raw = ExportQuery.parse({ tagIds: [tagA], from: T0, to: T0 + 179_000 });
    const err = await exportCsv(store, raw, 'UTC', { maxRows: 100 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'invalid_input' });
    expect((err as Error).message).toMatch(/shorter range.*1-minute rollups/);
    await expect(exportCsv(store, ExportQuery.parse({ tagIds: [999], from: 0, to: 1 }), 'UTC')).rejects.toThrow(/999/);
  });

  it('caps bucket exports like raw ones, and builds large exports in chunks with one time formatter', async () => {
    // 3 hours at 1 s: 10,800 raw rows, 180 minute buckets.
    const samples = Array.from({ length: 10_800 }, (_, i) => ({
      tagId: tagA,
      ts: T0 + i * 1000,
      value: i,
      quality: 0,
    }));
    for (let i = 0; i < samples.length; i += 5000) store.writeSamples(samples.slice(i, i + 5000), null);
    new RollupService({ rollups: store.rollups }).catchUp();
    const minutes = ExportQuery.parse({ tagIds: [tagA], from: T0, to: T0 + 3 * 3_600_000, resolution: '1m' });
    await expect(exportCsv(store, minutes, 'UTC', { maxRows: 100 })).rejects.toThrow(
      'That range holds 180 1-minute buckets, more than the 100 rows an export allows. Choose a shorter range, or ' +
        'export 1-hour rollups instead.',
    );
    expect((await exportCsv(store, minutes, 'UTC', { maxRows: 180 })).rows).toBe(180);

    // The event loop turns between chunks: a ticker counts the turns it got while the export ran.
    const original = Intl.DateTimeFormat;
    let formatters = 0;
    Intl.DateTimeFormat = new Proxy(original, {
      construct: (target, args: ConstructorParameters<typeof Intl.DateTimeFormat>) => {
        formatters++;
        return new target(...args);
      },
    });
    let turns = 0;
    let running = true;
    const tick = (): void => {
      turns++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    const raw = ExportQuery.parse({ tagIds: [tagA], from: T0, to: T0 + 3 * 3_600_000 });
    const out = await exportCsv(store, raw, 'Europe/Berlin', { chunkRows: 1000 }).finally(() => {
      running = false;
      Intl.DateTimeFormat = original;
    });
    expect(out.rows).toBe(10_800);
    expect(out.csv.split('\r\n')).toHaveLength(10_800 + 2);
    expect(out.csv.split('\r\n')[10_800]).toMatch(/^2026-11-30T14:59:59.000Z,2026-11-30T15:59:59.000\+01:00,/);
    // 11 chunks of at most 1,000 rows: at least 10 turns in between (before: none, the export was one turn).
    expect(turns).toBeGreaterThanOrEqual(10);
    // One formatter for 10,800 local times (before: one per row).
    expect(formatters).toBe(1);
  });

  it('saves, lists, renames and deletes views', () => {
    const input: TrendViewInput = {
      name: 'Boiler overview',
      tagIds: [tagA, tagB],
      axes: [{ unit: 'bar', min: 0, max: 10 }],
      range: { kind: 'relative', minutes: 60 },
      follow: true,
    };
    const v = store.views.save(input, 1000);
    expect(v.id).toBeGreaterThan(0);
    expect(v).toMatchObject({ name: 'Boiler overview', hiddenTagIds: [], dashboardId: null });
    expect(v.createdAt).toBe(1000);
    const other = store.views.save({ ...input, name: 'Another', range: { kind: 'absolute', from: 1, to: 2 } }, 2000);
    expect(store.views.list().map((x) => x.name)).toEqual(['Another', 'Boiler overview']);

    expect(() => store.views.save({ ...input, name: 'Another' })).toThrow(
      expect.objectContaining({ code: 'conflict' }) as Error,
    );
    expect(() => store.views.save({ ...input, id: other.id, name: 'Boiler overview' })).toThrow(/already exists/);
    const renamed = store.views.save({ ...input, id: v.id, name: 'Boiler', follow: false }, 3000);
    expect(renamed).toMatchObject({ id: v.id, name: 'Boiler', follow: false, createdAt: 1000, updatedAt: 3000 });
    expect(store.views.setDashboard(v.id, 'dash-1').dashboardId).toBe('dash-1');

    // Validation: no name, no tags, a backwards range.
    expect(() => store.views.save({ ...input, name: '  ' })).toThrow(/give the view a name/);
    expect(() => store.views.save({ ...input, tagIds: [] })).toThrow(/pick at least one tag/);
    expect(() => store.views.save({ ...input, range: { kind: 'absolute', from: 5, to: 1 } })).toThrow(/start/);
    for (const max of [10, 5]) {
      expect(() => store.views.save({ ...input, axes: [{ unit: 'bar', min: 10, max }] })).toThrow(/axis minimum/);
    }

    store.views.delete(v.id);
    expect(() => store.views.delete(v.id)).toThrow(expect.objectContaining({ code: 'not_found' }) as Error);
    expect(() => store.views.save({ ...input, id: 12345 })).toThrow(
      expect.objectContaining({ code: 'not_found' }) as Error,
    );
    expect(() => store.views.setDashboard(12345, 'x')).toThrow(/does not exist/);
    expect(store.views.list()).toHaveLength(1);
  });
});
