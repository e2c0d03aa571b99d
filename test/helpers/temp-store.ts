import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { Store } from '../../main/store/store.js';
import { tempDir } from './temp-dir.js';

/** A real store file in a fresh folder for each test of the calling `describe`; `reopen` closes and opens it again. */
export const useTempStore = (): { readonly store: Store; readonly path: string; reopen(): Store } => {
  let dir: ReturnType<typeof tempDir> | undefined;
  let store: Store | undefined;
  const path = (): string => join(dir!.path, 'store.sqlite');
  beforeEach(() => {
    dir = tempDir();
    store = Store.open(path());
  });
  afterEach(() => {
    try {
      store?.close();
    } catch {
      // closed by the test
    }
    dir?.remove();
  });
  return {
    get store() {
      return store!;
    },
    get path() {
      return path();
    },
    reopen() {
      store?.close();
      store = Store.open(path());
      return store;
    },
  };
};
