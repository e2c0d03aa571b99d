import type { z } from 'zod';
import type { DeviceInput } from './device-schema.js';
import type { DeviceState } from './device-state.js';

// A configured device with its tags and state, as lists and forms show it.

export interface TagInfo {
  id: number;
  deviceId: number;
  name: string;
  unit: string;
  /** Protocol address as an engineer reads it: a node id, or e.g. "HR 40001 float32 ABCD". */
  address: string;
}

export interface DeviceView {
  id: number;
  config: z.infer<typeof DeviceInput> & { id: number };
  tags: TagInfo[];
  state: DeviceState;
  /** Whether a password is stored in the OS keychain for this device (never the password itself). */
  passwordSet: boolean;
  /** Set when the device points at a port on this computer the demo plant used before and no longer uses. */
  demoPortWarning: string | null;
}
