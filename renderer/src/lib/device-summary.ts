import type { DeviceState } from '../../../main/domain/device/device-state.js';

type State = DeviceState['state'];

/** States that need someone to look: the device is not answering, or answering too rarely. */
export const isProblem = (state: State): boolean => state === 'error' || state === 'degraded';

export interface DeviceSummary {
  /** "6 devices: 4 connected, 1 connecting, 1 problem" — every state that has a device is counted. */
  text: string;
  /** The devices with a problem, by name, so the one line never hides which one. */
  problems: string[];
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** One line for the status bar: counts per state, problems last and named separately. */
export function summarizeDevices(devices: readonly { name: string; state: State }[]): DeviceSummary {
  if (devices.length === 0) return { text: 'No devices', problems: [] };
  const count = (s: State): number => devices.filter((d) => d.state === s).length;
  const problems = devices.filter((d) => isProblem(d.state)).map((d) => d.name);
  const parts = [
    `${count('connected')} connected`,
    count('connecting') > 0 ? `${count('connecting')} connecting` : null,
    count('disabled') > 0 ? `${count('disabled')} disabled` : null,
    problems.length > 0 ? plural(problems.length, 'problem') : null,
  ].filter((p): p is string => p !== null);
  return { text: `${plural(devices.length, 'device')}: ${parts.join(', ')}`, problems };
}
