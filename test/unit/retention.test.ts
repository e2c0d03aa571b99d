import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Sample } from '../../main/domain/sample/sample.js';
import { RetentionService } from '../../main/history/retention.js';
import { RollupService } from '../../main/history/rollups.js';
import { SampleWriter } from '../../main/store/sample-writer.js';
import { Store } from '../../main/store/store.js';
import { tempDir } from '../helpers/temp-dir.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 10, 30, 12, 30);

const count = (store: Store, sql: string, ...args: number[]): number =>
  (store.database.prepare(sql).get(...args) as { n: number }).n;

describe('retention', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  let rollups: RollupService;

  beforeEach(() => {
    dir = tempDir();
    store = Store.open(join(dir.path, 's.sqlite'));
    rollups = new RollupService({ rollups: store.rollups });
  });
  afterEach(() => {
    store.close();
    dir.remove();
  });

  const seed = (tags: number[], days: number, stepMs: number): number => {
    let n = 0;
    for (const tagId of tags) {
      let batch: Sample[] = [];
      for (let ts = NOW - days * DAY; ts < NOW; ts += stepMs) {
        batch.push({ tagId, ts, value: (ts / stepMs) % 100, quality: 0 });
        if (batch.length === 20_000) {
          store.writeSamples(batch, null);
          n += batch.length;
          batch = [];
        }
      }
      store.writeSamples(batch, null);
      n += batch.length;
    }
    rollups.catchUp();
    return n;
  };

  it('deletes a large backlog in steps while samples keep arriving, keeping rollups', async () => {
    seed([1, 2], 5, 10_000);
    const retention = new RetentionService({ store, rollups, stepRows: 1000, now: () => NOW });
    const cutoff = Math.floor((NOW - 2 * DAY) / HOUR) * HOUR;
    const newerBefore = count(store, 'SELECT count(*) AS n FROM samples WHERE ts >= ?', cutoff);
    const rollupsBefore = count(store, 'SELECT count(*) AS n FROM rollup_1m WHERE bucket < ?', cutoff);
    const hoursBefore = count(store, 'SELECT count(*) AS n FROM rollup_1h WHERE bucket < ?', cutoff);
    expect(rollupsBefore).toBe(2 * (3 * 1440 - 30));

    let written = 0;
    let writesDuringRun = 0;
    let running = true;
    const writer = new SampleWriter({
      write: (b) => store.writeSamples(b, null),
      onWritten: (b) => {
        written += b.length;
      },
      onError: (m) => {
        if (m) throw new Error(m);
      },
    });
    // Ingest goes on between retention's steps: new samples (tag 3, at ms offsets nothing else uses).
    const ingest = (async () => {
      let i = 0;
      while (running) {
        writer.add(
          Array.from({ length: 50 }, (_, k) => ({ tagId: 3, ts: NOW - HOUR + i * 50 + k, value: k, quality: 0 })),
        );
        i++;
        await new Promise((r) => setImmediate(r));
        writesDuringRun++;
      }
      writer.flush();
    })();
    retention.update({ rawDays: 2, rollupDays: 30 });
    const run = await retention.run();
    running = false;
    await ingest;
    await retention.stop();

    expect(writesDuringRun).toBeGreaterThan(10);
    expect(run.deletedSamples).toBe(2 * (3 * 8640 - 180));
    expect(count(store, 'SELECT count(*) AS n FROM samples WHERE ts < ?', cutoff)).toBe(0);
    expect(count(store, 'SELECT count(*) AS n FROM samples WHERE ts >= ?', cutoff)).toBe(newerBefore + written);
    expect(count(store, 'SELECT count(*) AS n FROM rollup_1m WHERE bucket < ?', cutoff)).toBe(rollupsBefore);
    expect(count(store, 'SELECT count(*) AS n FROM rollup_1h WHERE bucket < ?', cutoff)).toBe(hoursBefore);
    const status = retention.status();
    expect(status.oldestRaw).toBe(cutoff);
    expect(status.oldestRollup).toBe(NOW - 5 * DAY - 30 * 60_000);
    expect(status.settings).toMatchObject({ rawDays: 2, rollupDays: 30 });
    expect(status.lastRun).toMatchObject({ capReached: false });
    expect(status.bytesPerSample).toBeGreaterThan(5);
    expect(status.bytesPerSample).toBeLessThan(100);
  });

  it('counts a large store from the hourly rollups instead of walking its tables', () => {
    // Every 20 s for two tags over 3 days (from half past an hour), plus a bad-quality sample an hour.
    seed([1, 2], 3, 20_000);
    store.writeSamples(
      Array.from({ length: 72 }, (_, i) => ({
        tagId: 1,
        ts: NOW - 3 * DAY + i * HOUR + 7,
        value: null,
        quality: 0x80000000,
      })),
      null,
    );
    rollups.catchUp();
    const exact = new RetentionService({ store, rollups, now: () => NOW }).status();
    const estimated = new RetentionService({ store, rollups, now: () => NOW, exactCountBytes: 0 }).status();
    expect(exact.countsApproximate).toBe(false);
    expect(estimated.countsApproximate).toBe(true);
    expect(exact.rawSamples).toBe(count(store, 'SELECT count(*) AS n FROM samples'));
    expect(estimated.rawSamples).toBe(exact.rawSamples);
    expect(estimated.rollupRows['1h']).toBe(exact.rollupRows['1h']);
    // Minute rows: an upper bound, off by the half hours at each end (30 minutes counted as 60, twice per tag).
    expect(estimated.rollupRows['1m']).toBe(exact.rollupRows['1m'] + 2 * 2 * 30);
    expect(estimated.bytesPerSample).toBeGreaterThan(0);
  });

  it('refuses rollups kept shorter than raw samples', () => {
    const retention = new RetentionService({ store, rollups, now: () => NOW });
    expect(() => retention.update({ rawDays: 30, rollupDays: 10 })).toThrow(/at least as long/);
  });

  it('over the size cap deletes the oldest day of raw samples first', async () => {
    seed([1, 2], 4, 2000);
    const lastDay = count(store, 'SELECT count(*) AS n FROM samples WHERE ts >= ?', NOW - DAY);
    const rollupRows = count(store, 'SELECT count(*) AS n FROM rollup_1m');
    const used = store.usedBytes();
    store.settings.set('retention', { rawDays: 3650, rollupDays: 3650, maxBytes: Math.round(used * 0.6) });
    const retention = new RetentionService({ store, rollups, stepRows: 5000, now: () => NOW });
    const run = await retention.run();
    await retention.stop();
    expect(run.capReached).toBe(true);
    expect(run.deletedRollups).toBe(0);
    expect(store.usedBytes()).toBeLessThanOrEqual(used * 0.6);
    const oldest = retention.status().oldestRaw ?? 0;
    // Whole days went, oldest first; the newest day is untouched and every rollup is kept.
    expect(oldest % DAY).toBe(0);
    expect(oldest).toBeGreaterThan(NOW - 4 * DAY);
    expect(count(store, 'SELECT count(*) AS n FROM samples WHERE ts >= ?', NOW - DAY)).toBe(lastDay);
    expect(count(store, 'SELECT count(*) AS n FROM rollup_1m')).toBe(rollupRows);
  });
  it('deletes rollups past their own age, later than raw samples', async () => {
    seed([7], 4, 60_000);
    store.settings.set('retention', { rawDays: 1, rollupDays: 2, maxBytes: 10 * 1024 ** 3 });
    const retention = new RetentionService({ store, rollups, stepRows: 100, now: () => NOW });
    const run = await retention.run();
    await retention.stop();
    const rawCut = Math.floor((NOW - DAY) / HOUR) * HOUR;
    const rollupCut = Math.floor((NOW - 2 * DAY) / HOUR) * HOUR;
    expect(run.deletedSamples).toBe((rawCut - (NOW - 4 * DAY)) / 60_000);
    expect(run.deletedRollups).toBe(
      (rollupCut - (NOW - 4 * DAY)) / 60_000 + (rollupCut - (NOW - 4 * DAY) + HOUR / 2) / HOUR,
    );
    expect(count(store, 'SELECT min(bucket) AS n FROM rollup_1m')).toBe(rollupCut);
    expect(count(store, 'SELECT min(bucket) AS n FROM rollup_1h')).toBe(rollupCut);
    expect(count(store, 'SELECT min(ts) AS n FROM samples')).toBe(rawCut);
  });

  it('deletes alarm history past its own age in steps, keeping newer entries', async () => {
    const insert = store.database.prepare(
      `INSERT INTO alarm_events (ts, rule_id, rule_name, severity, kind, from_state, to_state, value, actor, note)
       VALUES (?, 1, 'High level', 'high', 'raise', 'normal', 'active', 9.5, 'engine', NULL)`,
    );
    store.transaction(() => {
      // 2,500 entries over the 60 days before NOW, one per ~35 minutes.
      for (let i = 0; i < 2500; i++) insert.run(NOW - 60 * DAY + i * Math.floor((60 * DAY) / 2500));
    });
    const keptFrom = NOW - 30 * DAY;
    const newer = count(store, 'SELECT count(*) AS n FROM alarm_events WHERE ts >= ?', keptFrom);
    const retention = new RetentionService({ store, rollups, stepRows: 400, now: () => NOW });
    expect(retention.settings().alarmEventDays).toBe(365);
    // Nothing is a year old: the default keeps everything.
    expect((await retention.run()).deletedAlarmEvents).toBe(0);
    retention.update({ alarmEventDays: 30 });
    const run = await retention.run();
    await retention.stop();
    expect(run.deletedAlarmEvents).toBe(2500 - newer);
    expect(count(store, 'SELECT count(*) AS n FROM alarm_events')).toBe(newer);
    expect(count(store, 'SELECT min(ts) AS n FROM alarm_events')).toBeGreaterThanOrEqual(keptFrom);
    const status = retention.status();
    expect(status.alarmEvents).toBe(newer);
    expect(status.settings.alarmEventDays).toBe(30);
  });
});
