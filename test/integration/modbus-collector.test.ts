import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ModbusCollector, type ModbusCollectorOptions } from '../../main/collect/modbus/modbus-collector.js';
import { ModbusLines } from '../../main/collect/modbus/line-registry.js';
import { createTransport } from '../../main/collect/modbus/create-transport.js';
import { DemoModbusServer } from '../../main/collect/demo/demo-modbus-server.js';
import { PlantModel } from '../../main/collect/demo/plant-model.js';
import { signals } from '../../main/collect/demo/signals.js';
import { freePort } from '../../main/collect/demo/free-port.js';
import { StatusCodes } from '../../main/domain/sample/status-codes.js';
import type { ModbusTag } from '../../main/domain/device/device-schema.js';
import { startPyModbus, type PyModbus } from '../helpers/pymodbus.js';
import { collectorDevice, Recorder } from '../helpers/device.js';
import { waitFor } from '../helpers/wait.js';

type TagIn = Partial<ModbusTag> & Pick<ModbusTag, 'name' | 'area' | 'address'>;

// Values preloaded by test/fixtures/pymodbus_server.py.
const pyTags: (TagIn & { expect: number | null; quality?: number })[] = [
  { name: 'f_abcd', area: 'holding', address: 0, dataType: 'float32', wordOrder: 'ABCD', expect: 123.456 },
  { name: 'f_cdab', area: 'holding', address: 2, dataType: 'float32', wordOrder: 'CDAB', expect: -42.5 },
  { name: 'i32', area: 'holding', address: 4, dataType: 'int32', expect: -123456789 },
  { name: 'u32_cdab', area: 'holding', address: 6, dataType: 'uint32', wordOrder: 'CDAB', expect: 3_000_000_000 },
  { name: 'i16', area: 'holding', address: 8, dataType: 'int16', expect: -1234 },
  { name: 'u16_scaled', area: 'holding', address: 9, dataType: 'uint16', scale: 0.1, offset: 1, expect: 124.4 },
  { name: 'f_dcba', area: 'holding', address: 10, dataType: 'float32', wordOrder: 'DCBA', expect: 123.456 },
  { name: 'u16_gap', area: 'holding', address: 20, dataType: 'uint16', expect: 777 },
  { name: 'f_end', area: 'holding', address: 98, dataType: 'float32', expect: 1.5 },
  // Runs past the 100 registers the server has: refused, Bad for this tag only.
  {
    name: 'past_end',
    area: 'holding',
    address: 99,
    dataType: 'float32',
    expect: null,
    quality: StatusCodes.BadNodeIdUnknown,
  },
  {
    name: 'far_away',
    area: 'holding',
    address: 150,
    dataType: 'uint16',
    expect: null,
    quality: StatusCodes.BadNodeIdUnknown,
  },
  { name: 'ir_i16', area: 'input', address: 0, dataType: 'int16', expect: -5 },
  { name: 'coil0', area: 'coil', address: 0, dataType: 'bool', expect: 1 },
  { name: 'coil1', area: 'coil', address: 1, dataType: 'bool', expect: 0 },
  { name: 'coil7', area: 'coil', address: 7, dataType: 'bool', expect: 1 },
  { name: 'di3', area: 'discrete', address: 3, dataType: 'bool', expect: 1 },
];

const device = (port: number, tags: TagIn[], pollIntervalMs = 100) =>
  collectorDevice({
    name: 'test plc',
    protocol: 'modbus',
    settings: { host: '127.0.0.1', port, unitId: 1, pollIntervalMs, timeoutMs: 1000 },
    tags,
  });

/** One line registry per test, closed by the test's cleanup. */
const linesFor = (cleanup: (() => Promise<void>)[]): ModbusCollectorOptions => {
  const lines = new ModbusLines(createTransport);
  cleanup.push(() => lines.closeAll());
  return { lines };
};

describe('ModbusCollector against pymodbus', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanup.length) await cleanup.pop()!();
  });

  it('decodes the exact preloaded values, one batch per poll, Bad only for refused tags', async () => {
    const py = await startPyModbus();
    cleanup.push(() => py.stop());
    const dev = device(py.port, pyTags);
    const rec = new Recorder();
    const c = new ModbusCollector(dev, rec, linesFor(cleanup));
    cleanup.push(() => c.stop());
    // HR 0-21 (gap of 8 bridged), HR 98-101, HR 150, IR 0, coils 0-7, discrete 3
    expect(c.requestsPerCycle).toBe(6);
    c.start();
    await waitFor(() => rec.batches.length >= 3, 15_000, 'three poll batches');
    // One timestamp per poll cycle. The first batch carries every tag; later ones only the good tags, since a
    // bad quality is stored when it starts, not every cycle.
    const bad = pyTags.filter((t) => t.expect === null).length;
    rec.batches.forEach((b, i) => {
      expect(b).toHaveLength(i === 0 ? pyTags.length : pyTags.length - bad);
      expect(new Set(b.map((s) => s.ts)).size).toBe(1);
    });
    // HR 98-101 was refused (100+ does not exist) and split for good: f_end reads, past_end alone is bad.
    const d = c.diagnostics();
    expect(d.splitBlocks).toBe(1);
    expect(c.requestsPerCycle).toBe(7);
    expect(d.tagProblems.map((p) => [p.name, p.message])).toEqual([
      ['past_end', expect.stringMatching(/^exception 02: illegal data address 40100/)],
      ['far_away', expect.stringMatching(/^exception 02: illegal data address 40151/)],
    ]);
    const latest = rec.latest();
    pyTags.forEach((t, i) => {
      const s = latest.get(i + 1)!;
      if (t.expect === null) {
        expect(s.value, t.name).toBeNull();
        expect(s.quality, t.name).toBe(t.quality);
      } else {
        expect(s.quality, t.name).toBe(StatusCodes.Good);
        if (t.dataType === 'float32' || t.scale) expect(s.value!, t.name).toBeCloseTo(t.expect, 4);
        else expect(s.value, t.name).toBe(t.expect);
      }
    });
    expect(rec.state).toEqual({ state: 'connected', message: null, requestsPerCycle: 7 });
  });

  it('reports a refused connection in plain words, then connects once the server is up', async () => {
    const port = await freePort();
    const rec = new Recorder();
    const c = new ModbusCollector(device(port, pyTags.slice(0, 2)), rec, linesFor(cleanup));
    cleanup.push(() => c.stop());
    c.start();
    await waitFor(() => rec.state?.state === 'error', 10_000, 'error state');
    expect(rec.state?.message).toMatch(
      new RegExp(`^cannot connect to 127\\.0\\.0\\.1:${port}: connection refused — retrying in [\\d.]+ s$`),
    );
    expect(rec.batches).toHaveLength(0);
    const py: PyModbus = await startPyModbus(port);
    cleanup.unshift(() => py.stop());
    await waitFor(() => rec.batches.length > 0, 15_000, 'samples after server start');
    expect(rec.state?.state).toBe('connected');
    expect(rec.latest().get(2)?.value).toBeCloseTo(-42.5, 5);

    // Server goes away: the collector notices, retries, and resumes when it is back.
    await py.stop();
    await waitFor(() => rec.state?.state === 'error', 10_000, 'error after server stop');
    const before = rec.batches.length;
    const py2 = await startPyModbus(port);
    cleanup.unshift(() => py2.stop());
    await waitFor(() => rec.batches.length > before && rec.state?.state === 'connected', 15_000, 'resume');
    expect(rec.states.some((s) => s.state === 'connecting' && /lost/.test(s.message ?? ''))).toBe(true);
  });
});

describe('ModbusCollector against the DemoModbusServer', () => {
  const server = new DemoModbusServer();
  const model = new PlantModel({ seed: 3 });
  afterAll(() => server.close());

  it('reads every demo signal with the values the model has, in few requests', async () => {
    model.step(1000);
    server.update(model.values());
    const port = await server.listen(0);
    const tags = signals.map((s) => ({
      name: s.key,
      area: s.modbus.area,
      address: s.modbus.address,
      dataType: s.modbus.dataType,
    }));
    const rec = new Recorder();
    const cleanup: (() => Promise<void>)[] = [];
    const c = new ModbusCollector(device(port, tags, 50), rec, linesFor(cleanup));
    expect(c.requestsPerCycle).toBe(2); // one holding block, one coil block
    c.start();
    try {
      await waitFor(() => rec.batches.length >= 2, 10_000, 'batches');
    } finally {
      await c.stop();
    }
    const latest = rec.latest();
    const expected = model.values();
    signals.forEach((s, i) => {
      const v = latest.get(i + 1)!;
      expect(v.quality).toBe(StatusCodes.Good);
      // float32 on the wire: compare at float32 precision.
      expect(v.value).toBe(s.kind === 'bool' ? expected[i] : Math.fround(expected[i]!));
    });
    // Out-of-range read answers the exception, seen as Bad for that tag.
    const rec2 = new Recorder();
    const c2 = new ModbusCollector(
      device(port, [{ name: 'nope', area: 'holding', address: 1000, dataType: 'uint16' }], 50),
      rec2,
      linesFor(cleanup),
    );
    c2.start();
    try {
      await waitFor(() => rec2.batches.length >= 1, 10_000, 'bad batch');
    } finally {
      await c2.stop();
      while (cleanup.length) await cleanup.pop()!();
    }
    expect(rec2.batches[0]![0]).toMatchObject({ value: null, quality: StatusCodes.BadNodeIdUnknown });
  });
});

describe('ModbusCollector with a silent device', () => {
  it('reports missing answers as an error with Bad samples, and stop() closes cleanly', async () => {
    const sockets: Socket[] = [];
    let closed = 0;
    // Accepts and reads requests, never answers.
    const silent = createServer((s) => {
      sockets.push(s);
      s.resume();
      s.on('close', () => closed++);
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as AddressInfo).port;
    const rec = new Recorder();
    const dev = collectorDevice({
      name: 'silent plc',
      protocol: 'modbus',
      settings: { host: '127.0.0.1', port, unitId: 7, pollIntervalMs: 100, timeoutMs: 300, retries: 1 },
      tags: [{ name: 'a', area: 'holding', address: 0, dataType: 'uint16' }],
    });
    const lines = new ModbusLines(createTransport);
    const c = new ModbusCollector(dev, rec, { lines });
    c.start();
    try {
      await waitFor(() => rec.state?.state === 'error', 10_000, 'timeout error');
      expect(rec.state?.message).toBe(
        `no answer from 127.0.0.1:${port} (unit 7) within 300 ms (2 tries) — still trying`,
      );
      expect(rec.batches[0]).toHaveLength(1);
      expect(rec.batches[0]?.[0]).toMatchObject({ tagId: 1, value: null, quality: StatusCodes.BadTimeout });
    } finally {
      await c.stop();
    }
    expect(lines.size).toBe(0); // the last user closed the line
    await waitFor(() => sockets.length > 0 && closed === sockets.length, 5_000, 'socket closed by collector');
    expect(sockets).toHaveLength(1); // timeouts do not cause reconnects
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
  });
});
