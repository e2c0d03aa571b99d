// Device state changes go to the log once per change, so the log tells a connection's story without repeating it.
import type { AppStatus } from '../domain/app/app-status.js';
import { withoutRetry } from '../collect/retry-text.js';
import type { Logger } from '../log/logger.js';

export interface DeviceStateLogDeps {
  log: Logger;
  /** The device's name, for the line; may throw (the store may be gone), then its id is used. */
  name: (deviceId: number) => string | undefined;
}

/** A function to call with each status's device states; logs only what changed since the last call. */
export const deviceStateLog = (d: DeviceStateLogDeps): ((states: AppStatus['devices']) => void) => {
  const logged = new Map<number, string>();
  return (states) => {
    for (const s of states) {
      // The same problem retried is one line, not one per attempt: the countdown is left out of the comparison.
      const key = `${s.state}|${withoutRetry(s.message ?? '')}`;
      const seen = logged.get(s.deviceId);
      if (seen === key) continue;
      logged.set(s.deviceId, key);
      if (seen === undefined && s.state === 'connecting' && !s.message) continue;
      let name = `device ${s.deviceId}`;
      try {
        name = `"${d.name(s.deviceId) ?? name}"`;
      } catch {
        // The name is a nicety; the state is what the line is for.
      }
      const text = `Device ${name}: ${s.state}${s.message ? ` — ${s.message}` : ''}.`;
      if (s.state === 'error' || s.state === 'degraded') d.log.warn(text);
      else d.log.info(text);
    }
  };
};
