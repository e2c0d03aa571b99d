import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sample } from '../../main/domain/sample/sample.js';
import { ModbusDeviceInput } from '../../main/domain/device/device-schema.js';
import type { StoredDevice } from '../../main/store/devices-repo.js';
import { forEachQueued } from '../../main/store/outbox-repo.js';
import { Store } from '../../main/store/store.js';
import { RequestBudget } from '../../main/sync/budget.js';
import type { Clock } from '../../main/sync/clock.js';
import { telemetryQuality, toPoint } from '../../main/sync/points.js';
import { tempDir } from '../helpers/temp-dir.js';

const device = (store: Store, name: string, tags = 3): StoredDevice =>
  store.devices.save(
    ModbusDeviceInput.parse({
      name,
      protocol: 'modbus',
      settings: { host: '10.0.0.5' },
      tags: Array.from({ length: tags }, (_, i) => ({
        name: `T${i}`,
        area: 'holding',
        address: i,
        dataType: 'uint16',
      })),
    }),
  );

const samplesFor = (d: StoredDevice, t0: number, n: number): Sample[] =>
  Array.from({ length: n }, (_, i) => ({
    tagId: d.tags[i % d.tags.length]?.id ?? 0,
    ts: t0 + i,
    value: i,
    quality: 0,
  }));

const queueAll = (store: Store, batch: Sample[]): void =>
  store.writeSamples(batch, (inserted, outbox) => void outbox.enqueue(inserted));

describe('sync outbox on a real SQLite file', () => {
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

  it('queues exactly the newly stored samples, per device, in the storing transaction', () => {
    const a = device(store, 'A');
    const b = device(store, 'B');
    queueAll(store, [...samplesFor(a, 1000, 30), ...samplesFor(b, 1000, 20)]);
    // The same samples again (a server resending after reconnect): stored once, queued once.
    queueAll(store, samplesFor(a, 1000, 30));
    expect(store.samples.count()).toBe(50);
    expect(store.outbox.current.samples).toBe(50);
    expect(store.outbox.perDevice()).toEqual(
      new Map([
        [a.id, 30],
        [b.id, 20],
      ]),
    );
  });

  it('writes nothing to the outbox while sync is off', () => {
    const a = device(store, 'A');
    store.writeSamples(samplesFor(a, 0, 10), null);
    expect(store.samples.count()).toBe(10);
    expect(store.outbox.current).toEqual({ samples: 0, bytes: 0, chunks: 0 });
  });

  it('rolls back samples and outbox together when the transaction fails', () => {
    const a = device(store, 'A');
    expect(() =>
      store.writeSamples(samplesFor(a, 0, 10), (inserted, outbox) => {
        outbox.enqueue(inserted);
        throw new Error('disk full');
      }),
    ).toThrow('disk full');
    expect(store.samples.count()).toBe(0);
    // In-memory totals are rebuilt from the file on open; the file holds nothing.
    store.close();
    store = Store.open(join(dir.path, 'store.sqlite'));
    expect(store.outbox.current.samples).toBe(0);
  });

  it('takes oldest or newest chunks up to a sample budget, skipping waiting devices', () => {
    const a = device(store, 'A');
    const b = device(store, 'B');
    for (let i = 0; i < 5; i++) queueAll(store, samplesFor(a, i * 100, 10));
    queueAll(store, samplesFor(b, 0, 10));
    const oldest = store.outbox.take('oldest', 25, new Set());
    expect(oldest.map((c) => c.samples[0]?.ts)).toEqual([0, 100]);
    const newest = store.outbox.take('newest', 25, new Set([b.id]));
    expect(newest.map((c) => c.samples[0]?.ts)).toEqual([300, 400]);
    expect(store.outbox.take('oldest', 1000, new Set([a.id, b.id]))).toEqual([]);
    // A single chunk larger than the budget still comes (the budget is a target, chunks are indivisible).
    expect(store.outbox.take('oldest', 3, new Set())).toHaveLength(1);
  });

  it('keeps totals exact across delete, drop-oldest, device removal and reopen', () => {
    const a = device(store, 'A');
    const b = device(store, 'B');
    for (let i = 0; i < 4; i++) queueAll(store, samplesFor(a, i * 100, 10));
    queueAll(store, samplesFor(b, 0, 7));
    const first = store.outbox.take('oldest', 10, new Set());
    expect(store.outbox.delete(first.map((c) => c.seq))).toBe(10);
    const protectedSeq = store.outbox.take('oldest', 10, new Set())[0]?.seq ?? -1;
    const dropped = store.outbox.dropOldest(1, new Set([protectedSeq]));
    expect(dropped).toBe(10);
    expect(store.outbox.take('oldest', 10, new Set())[0]?.seq).toBe(protectedSeq);
    expect(store.outbox.deleteDevice(b.id)).toBe(7);
    const totals = store.outbox.current;
    expect(totals.samples).toBe(20);
    store.close();
    store = Store.open(join(dir.path, 'store.sqlite'));
    expect(store.outbox.current).toEqual(totals);
  });

  it('round-trips text samples and keeps bytes proportional to content', () => {
    const a = device(store, 'A', 1);
    const tag = a.tags[0]?.id ?? 0;
    queueAll(store, [{ tagId: tag, ts: 5, value: null, quality: 0, text: 'BATCH-0042' }]);
    const [chunk] = store.outbox.take('oldest', 10, new Set());
    expect(chunk?.samples).toEqual([{ tagId: tag, ts: 5, value: null, quality: 0, text: 'BATCH-0042' }]);
    expect(store.outbox.current.bytes).toBeGreaterThan(20);
  });

  it('gives the same chunks raw, their samples read without Sample objects', () => {
    const a = device(store, 'A', 2);
    queueAll(store, [
      ...samplesFor(a, 0, 1500),
      { tagId: a.tags[0]?.id ?? 0, ts: 9000, value: null, quality: 0x80000000, text: 'LOT "7"' },
      { tagId: a.tags[1]?.id ?? 0, ts: 9000, value: null, quality: 0 },
    ]);
    for (const from of ['oldest', 'newest'] as const) {
      const raw = store.outbox.takeRaw(from, 2000, new Set());
      const decoded = store.outbox.take(from, 2000, new Set());
      expect(raw.map((c) => [c.seq, c.deviceId, c.count])).toEqual(
        decoded.map((c) => [c.seq, c.deviceId, c.samples.length]),
      );
      const read = raw.map((c) => {
        const out: Sample[] = [];
        forEachQueued(c.data, (tagId, ts, value, quality, text) =>
          out.push(text === undefined ? { tagId, ts, value, quality } : { tagId, ts, value, quality, text }),
        );
        return out;
      });
      expect(read).toEqual(decoded.map((c) => c.samples));
    }
  });
});

describe('telemetry points', () => {
  it('maps status codes to TwinEdge qualities and values to JSON-safe ones', () => {
    expect(telemetryQuality(0)).toBe('good');
    expect(telemetryQuality(0x40920000)).toBe('uncertain');
    expect(telemetryQuality(0x80310000)).toBe('bad');
    expect(telemetryQuality(0xc0000000)).toBe('bad');
    const p = toPoint(
      { tagId: 1, ts: Date.UTC(2026, 10, 30, 12), value: Number.NaN, quality: 0x80310000 },
      { assetId: 'dev-1', tagName: 'Level' },
    );
    expect(p).toEqual({
      asset_id: 'dev-1',
      tag_name: 'Level',
      timestamp: '2026-11-30T12:00:00.000Z',
      value: null,
      quality: 'bad',
      status_code: 0x80310000,
    });
  });
});

describe('request budget', () => {
  const clockAt = (t: { now: number }): Clock => ({ now: () => t.now, sleep: () => Promise.resolve() });
  const state = (now: number, o: Partial<{ remaining: number; dayRemaining: number }>) => ({
    limit: 60,
    remaining: o.remaining ?? 59,
    resetAt: now + 30_000,
    dayLimit: 1000,
    dayRemaining: o.dayRemaining ?? 999,
    dayResetAt: now + 86_400_000,
    observedAt: now,
  });

  it('spaces uploads across the minute, keeping a reserve', () => {
    const t = { now: 1_000_000 };
    const b = new RequestBudget(clockAt(t), 0.1);
    b.setLimits({ perMinute: 60, perDay: 1_000_000 });
    expect(b.uploadsPerMinute()).toBe(54);
    expect(b.delayMs()).toBe(0);
    b.uploadStarted();
    expect(b.delayMs()).toBeCloseTo(60_000 / 54, 0);
  });

  it('waits for the minute window when only the reserve is left', () => {
    const t = { now: 1_000_000 };
    const b = new RequestBudget(clockAt(t), 0.1);
    b.observe(state(t.now, { remaining: 6 }));
    expect(b.delayMs()).toBe(30_000 + 250);
  });

  it('spreads what is left of the day evenly, and waits for the next day when it is spent', () => {
    const t = { now: 1_000_000 };
    const b = new RequestBudget(clockAt(t), 0.1);
    b.observe(state(t.now, { dayRemaining: 1000 }));
    b.uploadStarted();
    // 900 usable requests over 24 h: one every 96 s.
    expect(b.delayMs()).toBeCloseTo(96_000, -2);
    b.observe(state(t.now, { dayRemaining: 100 }));
    expect(b.delayMs()).toBe(86_400_000 + 250);
    expect(b.reserveAvailable()).toBe(true);
    b.observe(state(t.now, { dayRemaining: 1 }));
    expect(b.reserveAvailable()).toBe(false);
  });
});
