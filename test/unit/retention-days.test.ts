import { describe, expect, it } from 'vitest';
import { ModbusDeviceInput } from '../../main/domain/device/device-schema.js';
import { capDays, settledBytesPerSample, type RetentionStatus } from '../../main/domain/history/retention.js';
import type { Sample } from '../../main/domain/sample/sample.js';
import { RetentionService } from '../../main/history/retention.js';
import { RollupService } from '../../main/history/rollups.js';
import { useTempStore } from '../helpers/temp-store.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 11, 7, 12, 0);
const GiB = 1024 ** 3;

/** One tag of each class on a Modbus device: float32 (analog), uint16 (integer), a coil (digital), a string. */
const plant = ModbusDeviceInput.parse({
  name: 'Line 3 PLC',
  protocol: 'modbus',
  settings: { host: '127.0.0.1' },
  tags: [
    { name: 'Oven temperature', unit: '°C', area: 'holding', address: 0, dataType: 'float32' },
    { name: 'Parts made', area: 'holding', address: 2, dataType: 'uint16' },
    { name: 'Conveyor running', area: 'coil', address: 0, dataType: 'bool' },
    { name: 'Recipe', area: 'holding', address: 10, dataType: 'string', length: 8 },
  ],
});

describe('retention in days: measured bytes per sample per class, days the cap holds', () => {
  const ctx = useTempStore();

  const fill = (hours: number): { ids: Record<string, number>; written: number } => {
    const { store } = ctx;
    const saved = store.devices.save(plant);
    const ids = Object.fromEntries(saved.tags.map((t) => [t.name, t.id]));
    const batch: Sample[] = [];
    for (let ts = NOW - hours * HOUR; ts < NOW; ts += 1000) {
      const i = (ts - NOW) / 1000;
      batch.push(
        {
          tagId: ids['Oven temperature'] as number,
          ts,
          value: 180 + Math.sin(i / 600) * 5 + (i % 7) / 1e3,
          quality: 0,
        },
        { tagId: ids['Parts made'] as number, ts, value: Math.floor(i / 30) & 0xffff, quality: 0 },
        { tagId: ids['Conveyor running'] as number, ts, value: i % 900 < 600 ? 1 : 0, quality: 0 },
        { tagId: ids['Recipe'] as number, ts, value: null, quality: 0, text: i % 3600 < 1800 ? 'BREAD-07' : 'ROLL-12' },
      );
    }
    for (let i = 0; i < batch.length; i += 10_000) store.writeSamples(batch.slice(i, i + 10_000), null);
    return { ids, written: batch.length };
  };

  const status = (): RetentionStatus => {
    const { store } = ctx;
    const rollups = new RollupService({ rollups: store.rollups });
    rollups.catchUp();
    return new RetentionService({ store, rollups, now: () => NOW }).status();
  };

  it('measures each class from the pages the rows use, and the recent rate per class', () => {
    const { written } = fill(3);
    const st = status();
    expect(st.rawSamples).toBe(written);
    const byClass = new Map(st.rawClasses.map((c) => [c.class, c]));
    expect([...byClass.keys()].sort()).toEqual(['analog', 'digital', 'integer', 'text']);
    for (const c of st.rawClasses) {
      expect(c.tags).toBe(1);
      expect(c.rowSamples).toBe(written / 4);
      expect(c.blockSamples).toBe(0);
      expect(c.blockBytesPerSample).toBeNull();
      // The last hour at 1 s, times 24.
      expect(c.samplesPerDay).toBe(3600 * 24);
    }
    const bps = (k: string): number => byClass.get(k as 'analog')?.rowBytesPerSample ?? NaN;
    // A double takes 8 bytes in the record, a 0/1 none, a 16-bit count 1-2, text its length.
    expect(bps('analog')).toBeGreaterThan(bps('integer'));
    expect(bps('integer')).toBeGreaterThan(bps('digital'));
    expect(bps('text')).toBeGreaterThan(bps('integer'));
    // Shared out from the measured pages: the classes add up to the samples table's pages.
    const pages = (
      ctx.store.database.prepare("SELECT sum(pgsize) AS b FROM dbstat('main', 1) WHERE name = 'samples'").get() as {
        b: number;
      }
    ).b;
    const total = st.rawClasses.reduce((n, c) => n + (c.rowBytesPerSample ?? 0) * c.rowSamples, 0);
    expect(Math.abs(total - pages)).toBeLessThan(1);
    // The store-wide figure counts the (still empty) blocks table's root page too.
    const blockPages = (
      ctx.store.database
        .prepare("SELECT sum(pgsize) AS b FROM dbstat('main', 1) WHERE name = 'sample_blocks'")
        .get() as { b: number }
    ).b;
    expect(st.bytesPerSample).toBeCloseTo((pages + blockPages) / written, 6);
  });

  it('says how many days of raw data the cap holds at today’s rate (with rollups), proportional to the cap', () => {
    fill(2);
    const st = status();
    const days = capDays(10 * GiB, st);
    expect(days).not.toBeNull();
    // Spending the days' worth of samples and rollups at the measured costs fills the cap exactly.
    const perDay =
      st.rawClasses.reduce((b, c) => b + c.samplesPerDay * (settledBytesPerSample(c) ?? NaN), 0) +
      st.tags * (1440 + 24) * (st.bytesPerRollupRow ?? NaN);
    expect((days as number) * perDay).toBeCloseTo(10 * GiB, 0);
    expect(capDays(20 * GiB, st)).toBeCloseTo(2 * (days as number), 6);
    // 4 tags at 1 s on rows of ~20-30 bytes: the 10 GiB cap holds years, not days.
    expect(days as number).toBeGreaterThan(365);
  });

  it('weighs sealed blocks by their encoded size, and prefers them for the days the cap holds', () => {
    const { ids } = fill(1);
    const tag = ids['Oven temperature'] as number;
    // A block as the compactor writes one (its encoding is the blocks lane's): 3,600 samples in 5,000 bytes.
    ctx.store.database
      .prepare('INSERT INTO sample_blocks (tag_id, t0, t1, n, data) VALUES (?, ?, ?, ?, ?)')
      .run(tag, NOW - 30 * HOUR, NOW - 29 * HOUR, 3600, Buffer.alloc(5000, 7));
    const st = status();
    const analog = st.rawClasses.find((c) => c.class === 'analog');
    expect(analog?.blockSamples).toBe(3600);
    const blockPages = (
      ctx.store.database
        .prepare("SELECT sum(pgsize) AS b FROM dbstat('main', 1) WHERE name = 'sample_blocks'")
        .get() as { b: number }
    ).b;
    expect(analog?.blockBytesPerSample).toBeCloseTo(blockPages / 3600, 6);
    expect(settledBytesPerSample(analog!)).toBe(analog?.blockBytesPerSample);
    // Cheaper analog samples: the same cap holds more days than with rows alone.
    const rowsOnly = { ...st, rawClasses: st.rawClasses.map((c) => ({ ...c, blockBytesPerSample: null })) };
    expect(capDays(GiB, st) as number).toBeGreaterThan(capDays(GiB, rowsOnly) as number);
  });
});
