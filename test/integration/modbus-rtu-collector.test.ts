import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTransport } from '../../main/collect/modbus/create-transport.js';
import { ModbusLines } from '../../main/collect/modbus/line-registry.js';
import { ModbusCollector } from '../../main/collect/modbus/modbus-collector.js';
import { StatusCodes } from '../../main/domain/sample/status-codes.js';
import { collectorDevice, Recorder } from '../helpers/device.js';
import { startPyModbusSerial } from '../helpers/pymodbus.js';
import { startPtyPair } from '../helpers/pty-pair.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Two devices on one RS-485 line (a socat pty pair to pymodbus's RTU serial server, which serves unit 1
 * only): one serial port shared by both collectors, unit 1 read exactly, unit 2 degraded without taking the
 * line from unit 1.
 */
describe('Modbus collectors on a shared RTU serial line against pymodbus', () => {
  const dir = tempDir('twinedge-rtu-');
  const stops: (() => Promise<void>)[] = [];
  let path = '';
  const serial = { baudRate: 19200, dataBits: 8, parity: 'none', stopBits: 1 } as const;

  beforeAll(async () => {
    const pty = await startPtyPair(dir.path);
    stops.push(() => pty.stop());
    path = pty.b;
    const py = await startPyModbusSerial(pty.a, { ...serial, units: [1] });
    stops.push(() => py.stop());
  });

  afterAll(async () => {
    const results = await Promise.allSettled(stops.reverse().map((s) => s()));
    dir.remove();
    for (const r of results) if (r.status === 'rejected') throw r.reason;
  });

  it('reads unit 1 exactly while unit 2 never answers, over one port', async () => {
    const lines = new ModbusLines(createTransport);
    const settings = { transport: 'rtu' as const, serial: { ...serial, path }, pollIntervalMs: 200 };
    const live = collectorDevice({
      name: 'unit 1',
      protocol: 'modbus',
      settings: { ...settings, unitId: 1, timeoutMs: 1000 },
      tags: [
        { name: 'f_cdab', area: 'holding', address: 2, dataType: 'float32', wordOrder: 'CDAB' },
        { name: 'i16', area: 'holding', address: 8, dataType: 'int16' },
        { name: 'coil7', area: 'coil', address: 7, dataType: 'bool' },
      ],
    });
    const dead = collectorDevice({
      name: 'unit 2',
      protocol: 'modbus',
      settings: { ...settings, unitId: 2, timeoutMs: 300, retries: 0, degradeAfterFailures: 2 },
      tags: [{ name: 'x', area: 'holding', address: 0, dataType: 'uint16' }],
    });
    const liveRec = new Recorder();
    const deadRec = new Recorder();
    const a = new ModbusCollector(live, liveRec, { lines });
    const b = new ModbusCollector(dead, deadRec, { lines });
    a.start();
    b.start();
    try {
      expect(lines.size).toBe(1);
      await waitFor(() => deadRec.state?.state === 'degraded', 20_000, 'unit 2 degraded');
      await waitFor(() => liveRec.batches.length >= 5, 20_000, 'unit 1 cycles');
      const latest = liveRec.latest();
      expect(latest.get(1)).toMatchObject({ value: -42.5, quality: StatusCodes.Good });
      expect(latest.get(2)).toMatchObject({ value: -1234, quality: StatusCodes.Good });
      expect(latest.get(3)).toMatchObject({ value: 1, quality: StatusCodes.Good });
      expect(liveRec.state?.state).toBe('connected');
      expect(deadRec.batches[0]![0]).toMatchObject({ value: null, quality: StatusCodes.BadTimeout });
    } finally {
      await a.stop();
      await b.stop();
      await lines.closeAll();
    }
  });
});
