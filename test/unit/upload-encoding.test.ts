import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from '../../main/store/store.js';
import type { Inflight } from '../../main/store/sync-repo.js';
import { decodeBody, encodeJson } from '../../main/sync/client/request.js';
import { isoTime } from '../../main/sync/iso-time.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('upload encoding', () => {
  it('formats timestamps exactly as toISOString does', () => {
    const cases = [0, 1, 999, 59_999, 60_000, Date.UTC(2026, 1, 28, 23, 59, 59, 999), Date.UTC(2028, 1, 29, 12)];
    for (let i = 0; i < 5000; i++) cases.push(Math.floor(Math.random() * 253_402_300_799_999));
    cases.push(-1, 253_402_300_800_000, 1.5);
    for (const ms of cases) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
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
