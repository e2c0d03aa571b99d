import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from '../../main/store/store.js';
import { tempDir } from '../helpers/temp-dir.js';

/** Settings are held in memory for the write path; the file stays the truth. */
describe('settings held in memory', () => {
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

  it('returns what was set last, deleted keys as undefined, and a fresh copy each time', () => {
    expect(store.settings.get('sync.capBytes')).toBeUndefined();
    store.settings.set('sync.capBytes', 1000);
    expect(store.settings.get('sync.capBytes')).toBe(1000);
    store.settings.set('sync.capBytes', 2000);
    expect(store.settings.get('sync.capBytes')).toBe(2000);
    store.settings.delete('sync.capBytes');
    expect(store.settings.get('sync.capBytes')).toBeUndefined();
    store.settings.set('obj', { a: [1] });
    (store.settings.get('obj') as { a: number[] }).a.push(2);
    expect(store.settings.get('obj')).toEqual({ a: [1] });
  });

  it('a second Store on the same file sees the persisted values', () => {
    store.settings.set('sync.policy', 'drop-newest');
    store.settings.set('gone', true);
    store.settings.delete('gone');
    store.close();
    store = Store.open(path());
    expect(store.settings.get('sync.policy')).toBe('drop-newest');
    expect(store.settings.get('gone')).toBeUndefined();
  });

  it('a write rolled back with its transaction is not remembered', () => {
    store.settings.set('k', 1);
    expect(() =>
      store.transaction(() => {
        store.settings.set('k', 2);
        expect(store.settings.get('k')).toBe(2);
        throw new Error('rollback');
      }),
    ).toThrow('rollback');
    expect(store.settings.get('k')).toBe(1);
    store.transaction(() => store.settings.set('k', 3));
    expect(store.settings.get('k')).toBe(3);
  });

  it('prepares no statement per get, however often a key is asked', () => {
    store.settings.set('k', 1);
    const prepare = store.database.prepare.bind(store.database);
    let prepared = 0;
    store.database.prepare = (sql: string) => ((prepared += 1), prepare(sql));
    for (let i = 0; i < 100; i++) store.settings.get('k');
    for (let i = 0; i < 100; i++) store.settings.get('missing');
    expect(prepared).toBe(0);
    store.database.prepare = prepare;
  });
});
