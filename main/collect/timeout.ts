/** Typed timeout, so callers can tell "took too long" from a real failure. */
export class OperationTimeoutError extends Error {
  readonly code = 'timeout';
  constructor(what: string, ms: number) {
    super(`${what} took longer than ${ms} ms`);
    this.name = 'OperationTimeoutError';
  }
}

/** Rejects with OperationTimeoutError after `ms`; the underlying operation is not cancelled. */
export const withTimeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new OperationTimeoutError(what, ms)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });

/** For shutdown steps: wait at most `ms`, ignore failures; stop() must never hang or throw. */
export const settle = async (p: Promise<unknown> | undefined, ms: number): Promise<void> => {
  if (!p) return;
  await withTimeout(p, ms, 'shutdown step').catch(() => undefined);
};
