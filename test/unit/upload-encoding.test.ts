import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from '../../main/store/store.js';
import type { Inflight } from '../../main/store/sync-repo.js';
import { decodeBody, encodeJson } from '../../main/sync/client/request.js';
import { isoTime } from '../../main/sync/iso-time.js';
import { pointJson, pointPrefix, toPoint } from '../../main/sync/points.js';
import { BatchPoints } from '../../main/sync/batch-builder.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('upload encoding', () => {
  it('formats timestamps exactly as toISOString does', () => {
    const cases = [0, 1, 999, 59_999, 60_000, Date.UTC(2026, 1, 28, 23, 59, 59, 999), Date.UTC(2028, 1, 29, 12)];
    for (let i = 0; i < 5000; i++) cases.push(Math.floor(Math.random() * 253_402_300_799_999));
    cases.push(-1, 253_402_300_800_000, 1.5);
    for (const ms of cases) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
  });

  it('writes point JSON exactly as JSON.stringify of toPoint does', () => {
    const targets = [
      { assetId: 'dev-0f1e2d3c', tagName: 'TT100' },
      { assetId: '1001', tagName: 'Line "A" \\ Kessel\u00e4 \u{1F525}\n' },
    ];
    const values = [0, -0, 1, -1.5, 12.3, 1e21, 1e-7, 5e-324, Number.MAX_VALUE, NaN, Infinity, -Infinity, null];
    const qualities = [0, 0x40000000, 0x80000000, 0xc0000000, 0x80350000, 0x00960000, -1];
    const texts = [undefined, '', 'BATCH-0042', 'say "hi"\t\u0000 \u2028 \u00fc'];
    for (const target of targets) {
      const prefix = pointPrefix(target);
      for (const value of values)
        for (const quality of qualities)
          for (const text of texts) {
            const ts = Date.UTC(2026, 10, 1, 12, 34, 56, Math.floor(Math.random() * 1000));
            const sample =
              text === undefined ? { tagId: 1, ts, value, quality } : { tagId: 1, ts, value, quality, text };
            expect(pointJson(prefix, ts, value, quality, text)).toBe(JSON.stringify(toPoint(sample, target)));
          }
    }
  });

  it('reads the points of a batch back from its body only when asked', async () => {
    const points = [toPoint({ tagId: 1, ts: 5, value: 1, quality: 0 }, { assetId: 'a', tagName: 't' })];
    const body = await encodeJson(JSON.stringify({ data: points }), 1024);
    const given = new BatchPoints(body, 1);
    expect(given.count).toBe(1);
    expect(given.at(0)).toEqual(points[0]);
    expect(given.at(1)).toBeUndefined();
    expect(given.at(-1)).toBeUndefined();
    const counted = new BatchPoints(body);
    expect(counted.count).toBe(1);
    expect(counted.all()).toEqual(points);
  });

  it('encodes a body once, gzipped above the threshold, and reads it back', async () => {
    const json = JSON.stringify({ data: Array.from({ length: 300 }, (_, i) => ({ i })) });
    const big = await encodeJson(json, 1024);
    expect(big.gzipped).toBe(true);
    expect(gunzipSync(big.bytes).toString()).toBe(json);
    expect(decodeBody(big)).toBe(json);
    const small = await encodeJson('{"data":[]}', 1024);
    expect(small).toEqual({ bytes: Buffer.from('{"data":[]}'), gzipped: false });
  });
});

describe('the batch in flight', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  const path = (): string => join(dir.path, 'store.sqlite');
  beforeEach(() => {
    dir = tempDir();
    store = Store.open(path());
  });
  afterEach(() => {
    store.close();
    dir.remove();
  });

  const batch = async (key: string): Promise<Inflight> => ({
    idempotencyKey: key,
    seqs: [3, 4],
    body: await encodeJson(JSON.stringify({ data: Array.from({ length: 200 }, (_, i) => ({ i })) }), 1024),
    createdAt: 5,
  });

  it('survives a restart byte for byte, under the same key', async () => {
    const b = await batch('k-1');
    store.sync.setInflight(b);
    store.close();
    store = Store.open(path());
    const back = store.sync.inflight();
    expect(back?.idempotencyKey).toBe('k-1');
    expect(back?.seqs).toEqual([3, 4]);
    expect(Buffer.from(back?.body.bytes ?? []).equals(Buffer.from(b.body.bytes))).toBe(true);
    expect(back?.body.gzipped).toBe(true);
  });

  it('is held in memory, a clear or a rolled-back write included', async () => {
    store.sync.setInflight(await batch('k-1'));
    const seen = store.sync.inflight();
    seen?.seqs.push(99); // a caller's copy
    expect(store.sync.inflight()?.seqs).toEqual([3, 4]);
    const next = await batch('k-2');
    expect(() =>
      store.transaction(() => {
        store.sync.clearInflight();
        store.sync.setInflight(next);
        throw new Error('rollback');
      }),
    ).toThrow('rollback');
    expect(store.sync.inflight()?.idempotencyKey).toBe('k-1');
    store.transaction(() => store.sync.clearInflight());
    expect(store.sync.inflight()).toBeNull();
  });
});
