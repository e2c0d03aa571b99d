import { DeviceInput, type DeviceConfig, type DeviceConfigInput } from '../../main/domain/device/device-schema.js';
import type { CollectorDevice, CollectorEvents, CollectorState } from '../../main/collect/types.js';
import type { Sample } from '../../main/domain/sample/sample.js';

/** Parses a device like the app does and gives its tags store ids 1..n in order. */
export const collectorDevice = <P extends DeviceConfig['protocol']>(
  input: DeviceConfigInput & { protocol: P },
  id = 1,
): CollectorDevice<Extract<DeviceConfig, { protocol: P }>> => {
  const config = DeviceInput.parse(input) as Extract<DeviceConfig, { protocol: P }>;
  return { id, config, tagIds: new Map(config.tags.map((t, i) => [t.name, i + 1])) };
};

/** Records what a collector reports. */
export class Recorder implements CollectorEvents {
  batches: Sample[][] = [];
  states: CollectorState[] = [];

  onSamples(batch: Sample[]): void {
    this.batches.push(batch);
  }

  onState(state: CollectorState): void {
    this.states.push(state);
  }

  get state(): CollectorState | undefined {
    return this.states[this.states.length - 1];
  }

  /** Latest sample per tag id. */
  latest(): Map<number, Sample> {
    const m = new Map<number, Sample>();
    for (const b of this.batches) for (const s of b) m.set(s.tagId, s);
    return m;
  }

  samples(): number {
    return this.batches.reduce((n, b) => n + b.length, 0);
  }
}

/**
 * Modbus float32 holding-register tags, two registers apart: the given names, or T0..Tn-1 for a count.
 */
export const holdingFloats = (
  names: readonly string[] | number,
  unit?: string,
): { name: string; unit?: string; area: 'holding'; address: number; dataType: 'float32' }[] =>
  (typeof names === 'number' ? Array.from({ length: names }, (_, i) => `T${i}`) : names).map((name, i) => ({
    name,
    ...(unit !== undefined ? { unit } : {}),
    area: 'holding',
    address: i * 2,
    dataType: 'float32',
  }));
