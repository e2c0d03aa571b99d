import { beforeEach, describe, expect, it } from 'vitest';
import { ModbusDeviceInput } from '../../main/domain/device/device-schema.js';
import type { Db } from '../../main/store/database.js';
import { OutboxRepo } from '../../main/store/outbox-repo.js';
import { useTempStore } from '../helpers/temp-store.js';

/** The connection, with every row a statement hands to JS counted (all(), get() and iterate()). */
const countingRows = (db: Db): { db: Db; rows: () => number } => {
  let rows = 0;
  const counted = (stmt: object): object =>
    new Proxy(stmt, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (typeof v !== 'function') return v;
        const call = (...a: unknown[]): unknown => (v as (...a: unknown[]) => unknown).apply(target, a);
        if (prop === 'all')
          return (...a: unknown[]) => ((r: unknown[]) => ((rows += r.length), r))(call(...a) as unknown[]);
        if (prop === 'get') return (...a: unknown[]) => ((r: unknown) => ((rows += r ? 1 : 0), r))(call(...a));
        if (prop === 'iterate') {
          return function* (...a: unknown[]) {
            for (const r of call(...a) as Iterable<unknown>) {
              rows += 1;
              yield r;
            }
          };
        }
        return call;
      },
    });
  const proxy = new Proxy(db, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (prop === 'prepare') return (sql: string) => counted(target.prepare(sql));
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { db: proxy, rows: () => rows };
};

describe('outbox at outage scale', () => {
  const t = useTempStore();
  let device: number;
  beforeEach(() => {
    const d = t.store.devices.save(
      ModbusDeviceInput.parse({
        name: 'A',
        protocol: 'modbus',
        settings: { host: '10.0.0.5' },
        tags: [{ name: 'T', area: 'holding', address: 0, dataType: 'uint16' }],
      }),
    );
    device = d.id;
    const tag = d.tags[0]?.id ?? 0;
    // 200 chunks of 1,000 samples: twenty batches of backlog.
    for (let b = 0; b < 20; b++) {
      const batch = Array.from({ length: 10_000 }, (_, i) => ({
        tagId: tag,
        ts: b * 10_000 + i,
        value: i,
        quality: 0,
      }));
      t.store.writeSamples(batch, (inserted, outbox) => void outbox.enqueue(inserted));
    }
  });

  it('take reads no more rows than the budget can use, from either end', () => {
    const counting = countingRows(t.store.database);
    const outbox = new OutboxRepo(counting.db);
    const smallest = 1000;
    for (const [from, budget] of [
      ['oldest', 10_000],
      ['newest', 10_000],
      ['oldest', 9_500],
      ['newest', 1],
    ] as const) {
      const before = counting.rows();
      const chunks = outbox.take(from, budget, new Set());
      const read = counting.rows() - before;
      expect(read).toBeLessThanOrEqual(Math.ceil(budget / smallest));
      expect(chunks.reduce((n, c) => n + c.samples.length, 0)).toBe(
        Math.max(smallest, Math.floor(budget / smallest) * smallest),
      );
    }
    // The statement was closed: the connection can write at once.
    expect(t.store.outbox.delete(outbox.take('oldest', 10, new Set()).map((c) => c.seq))).toBe(1000);
    expect(outbox.take('oldest', 10_000, new Set([device]))).toEqual([]);
  });

  it('finds the oldest queued sample through an index, not a scan', () => {
    const plan = t.store.database.prepare('EXPLAIN QUERY PLAN SELECT min(first_ts) AS t FROM sync_outbox').all() as {
      detail: string;
    }[];
    const details = plan.map((p) => p.detail);
    expect(details.some((d) => /^SEARCH sync_outbox USING (COVERING )?INDEX sync_outbox_first_ts/.test(d))).toBe(true);
    expect(details.some((d) => d.startsWith('SCAN'))).toBe(false);
    expect(t.store.outbox.oldestTs()).toBe(0);
  });
});
