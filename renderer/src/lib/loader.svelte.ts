import { errorText } from './api';

/**
 * Something a view fetches from the service and shows: the last good result, why the last fetch failed (null: it
 * did not) and whether a fetch is under way. A failed fetch keeps the last good result.
 */
export class Loader<T, A extends unknown[]> {
  data = $state.raw<T | null>(null);
  error = $state<string | null>(null);
  loading = $state(false);

  constructor(private readonly fetcher: (...args: A) => Promise<T>) {}

  /**
   * Fetch (again). Called from an `$effect`, that effect re-runs when anything `fetcher` reads before its first
   * `await` changes. Reads no state of its own, so an effect calling it does not depend on `loading`.
   */
  refresh = async (...args: A): Promise<void> => {
    this.loading = true;
    try {
      this.data = await this.fetcher(...args);
      this.error = null;
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.loading = false;
    }
  };
}

/** A reactive `{ data, error, loading, refresh }` around `fetcher`. */
export function createLoader<T, A extends unknown[] = []>(fetcher: (...args: A) => Promise<T>): Loader<T, A> {
  return new Loader(fetcher);
}
