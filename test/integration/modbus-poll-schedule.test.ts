import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTransport } from '../../main/collect/modbus/create-transport.js';
import { ModbusLines } from '../../main/collect/modbus/line-registry.js';
import { ModbusCollector } from '../../main/collect/modbus/modbus-collector.js';
import type { Sample } from '../../main/domain/sample/sample.js';
import { collectorDevice, Recorder } from '../helpers/device.js';
import { startPyModbus, type PyModbus } from '../helpers/pymodbus.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Poll timing against pymodbus: polls are due at t0 + k * rate from the first poll after connecting. Asserted as
 * grid positions and counts with a generous tolerance, not as wall-clock speed.
 */

const RATE = 400;

/** Blocks the event loop once, right after the `at`-th batch, as a long rollup pass in the app would. */
class StallingRecorder extends Recorder {
  constructor(
    private readonly at: number,
    private readonly stallMs: number,
  ) {
    super();
  }

  override onSamples(batch: Sample[]): void {
    super.onSamples(batch);
    if (this.batches.length !== this.at) return;
    // Blocks this thread (nothing else runs on it meanwhile) without spinning a CPU the other test files need.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, this.stallMs);
  }
}

describe('Modbus poll schedule', () => {
  let py: PyModbus;
  beforeAll(async () => {
    py = await startPyModbus();
  });
  afterAll(() => py.stop());

  it('polls on the grid from the first connect, makes up a late cycle and stores one row per cycle', async () => {
    const lines = new ModbusLines(createTransport);
    // The 3rd poll's batch blocks the thread for 1.5 cycles: the 4th poll is late; the ones after it are not.
    const rec = new StallingRecorder(3, RATE * 1.5);
    const dev = collectorDevice({
      name: 'grid',
      protocol: 'modbus',
      settings: { host: '127.0.0.1', port: py.port, unitId: 1, pollIntervalMs: RATE, timeoutMs: 1000 },
      tags: [{ name: 'a', area: 'holding', address: 0, dataType: 'float32' }],
    });
    const c = new ModbusCollector(dev, rec, { lines });
    c.start();
    try {
      await waitFor(() => rec.batches.length >= 12, 20_000, 'twelve polls');
    } finally {
      await c.stop();
      await lines.closeAll();
    }
    const ts = rec.batches.map((b) => b[0]!.ts);
    const t0 = ts[0]!;
    const position = (t: number): number => (t - t0) / RATE;
    // The first interval after connecting is one rate, not two (the schedule used to run on while connecting).
    expect(Math.round(position(ts[1]!))).toBe(1);
    // Every poll but the late one is on the grid (within a quarter of a cycle): the slip did not shift the rest.
    const late = 3; // index of the 4th poll
    expect(position(ts[late]!)).toBeGreaterThan(late + 0.25);
    ts.forEach((t, i) => {
      if (i === late) return;
      const p = position(t);
      expect(Math.abs(p - Math.round(p)), `poll ${i} at ${p.toFixed(2)} cycles`).toBeLessThan(0.25);
    });
    // One row per cycle: N cycles from the first poll hold N polls (the late one stands in for its cycle).
    const n = Math.round(position(ts[ts.length - 1]!));
    expect(ts.filter((t) => position(t) < n - 0.5)).toHaveLength(n);
  });
});
