import { describe, expect, it } from 'vitest';
import { useTempStore } from '../helpers/temp-store.js';

/** Settings are held in memory for the write path; the file stays the truth. */
describe('settings held in memory', () => {
  const t = useTempStore();

  it('returns what was set last, deleted keys as undefined, and a fresh copy each time', () => {
    expect(t.store.settings.get('sync.capBytes')).toBeUndefined();
    t.store.settings.set('sync.capBytes', 1000);
    expect(t.store.settings.get('sync.capBytes')).toBe(1000);
    t.store.settings.set('sync.capBytes', 2000);
    expect(t.store.settings.get('sync.capBytes')).toBe(2000);
    t.store.settings.delete('sync.capBytes');
    expect(t.store.settings.get('sync.capBytes')).toBeUndefined();
    t.store.settings.set('obj', { a: [1] });
    (t.store.settings.get('obj') as { a: number[] }).a.push(2);
    expect(t.store.settings.get('obj')).toEqual({ a: [1] });
  });

  it('a second Store on the same file sees the persisted values', () => {
    t.store.settings.set('sync.policy', 'drop-newest');
    t.store.settings.set('gone', true);
    t.store.settings.delete('gone');
    t.reopen();
    expect(t.store.settings.get('sync.policy')).toBe('drop-newest');
    expect(t.store.settings.get('gone')).toBeUndefined();
  });

  it('a write rolled back with its transaction is not remembered', () => {
    t.store.settings.set('k', 1);
    expect(() =>
      t.store.transaction(() => {
        t.store.settings.set('k', 2);
        expect(t.store.settings.get('k')).toBe(2);
        throw new Error('rollback');
      }),
    ).toThrow('rollback');
    expect(t.store.settings.get('k')).toBe(1);
    t.store.transaction(() => t.store.settings.set('k', 3));
    expect(t.store.settings.get('k')).toBe(3);
  });

  it('prepares no statement per get, however often a key is asked', () => {
    t.store.settings.set('k', 1);
    const prepare = t.store.database.prepare.bind(t.store.database);
    let prepared = 0;
    t.store.database.prepare = (sql: string) => ((prepared += 1), prepare(sql));
    for (let i = 0; i < 100; i++) t.store.settings.get('k');
    for (let i = 0; i < 100; i++) t.store.settings.get('missing');
    expect(prepared).toBe(0);
    t.store.database.prepare = prepare;
  });
});
