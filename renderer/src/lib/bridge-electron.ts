import type { Bridge, PreloadApi } from '../../../main/contract/contract';
import type { CallName, WireResult } from '../../../main/contract/wire';

/** The desktop transport: preload exposes one function per call as window.twinedge. */
export function electronBridge(preload: PreloadApi): Bridge {
  return {
    invoke(name: CallName, input: unknown): Promise<WireResult<unknown>> {
      const fn = preload.calls[name] as ((input: unknown) => Promise<WireResult<unknown>>) | undefined;
      if (typeof fn !== 'function') {
        return Promise.resolve({
          ok: false,
          error: { code: 'unknown_call', message: `the desktop shell does not offer ${name}` },
        });
      }
      return fn(input);
    },
    on(listener) {
      return preload.on(listener);
    },
  };
}
