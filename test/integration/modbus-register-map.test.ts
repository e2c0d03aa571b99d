import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTransport } from '../../main/collect/modbus/create-transport.js';
import { ModbusLines } from '../../main/collect/modbus/line-registry.js';
import { ModbusCollector } from '../../main/collect/modbus/modbus-collector.js';
import { ModbusService } from '../../main/collect/modbus/modbus-service.js';
import { StatusCodes } from '../../main/domain/sample/status-codes.js';
import { ModbusSettings, ModbusTag, modbusWordOrders } from '../../main/domain/device/modbus-schema.js';
import { collectorDevice, Recorder } from '../helpers/device.js';
import { startPyModbus, type PyModbus } from '../helpers/pymodbus.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Every type in every byte/word order, encoded by pymodbus's side with Python's struct (an independent
 * encoder) into unit 3 and decoded by our collector. Values are chosen to be exact in a double.
 */
interface MapEntry {
  name: string;
  address: number;
  type: string;
  order: (typeof modbusWordOrders)[number];
  value: number | string | number[];
  length?: number;
  tag: Record<string, unknown>;
  expect: number | string;
}

const numeric: { type: string; value: number; regs: number }[] = [
  { type: 'int16', value: -1234, regs: 1 },
  { type: 'uint16', value: 0xbeef, regs: 1 },
  { type: 'int32', value: -123456789, regs: 2 },
  { type: 'uint32', value: 3_000_000_000, regs: 2 },
  { type: 'float32', value: Math.fround(123.456), regs: 2 },
  { type: 'int64', value: -1234567890123456, regs: 4 },
  { type: 'uint64', value: 2 ** 63 + 2 ** 20, regs: 4 },
  { type: 'float64', value: 1234567890123.5, regs: 4 },
];

const entries: MapEntry[] = [];
let next = 0;
for (const order of modbusWordOrders) {
  for (const n of numeric) {
    entries.push({
      name: `${n.type}_${order}`,
      address: next,
      type: n.type,
      order,
      value: n.value,
      tag: { dataType: n.type, wordOrder: order },
      expect: n.value,
    });
    next += n.regs;
  }
  entries.push({
    name: `string_${order}`,
    address: next,
    type: 'string',
    order,
    value: 'PUMP-101 MAIN',
    length: 8,
    tag: { dataType: 'string', wordOrder: order, length: 8 },
    expect: 'PUMP-101 MAIN',
  });
  next += 8;
}
// Bits 0, 2 and 15 set in one register; read as bools, plus a scaled value.
entries.push({ name: 'bits', address: next, type: 'bits', order: 'ABCD', value: [0, 2, 15], tag: {}, expect: 0 });
const bitsAt = next;
const bitTags = [0, 1, 2, 15].map((bit) => ({
  name: `bit${bit}`,
  area: 'holding' as const,
  address: bitsAt,
  dataType: 'bool' as const,
  bit,
  expect: bit === 1 ? 0 : 1,
}));
next += 1;
entries.push({
  name: 'scaled',
  address: next,
  type: 'int16',
  order: 'ABCD',
  value: -1234,
  tag: { dataType: 'int16', scale: 0.1, offset: 20 },
  expect: -103.4,
});

const tags = [
  ...entries
    .filter((e) => e.type !== 'bits')
    .map((e) => ({ name: e.name, area: 'holding' as const, address: e.address, ...e.tag })),
  ...bitTags.map(({ expect: _e, ...t }) => t),
];
const expected = new Map<string, number | string>([
  ...entries.filter((e) => e.type !== 'bits').map((e) => [e.name, e.expect] as const),
  ...bitTags.map((t) => [t.name, t.expect] as const),
]);

describe('every Modbus type and byte order against pymodbus', () => {
  const dir = tempDir();
  let py: PyModbus;
  const lines = new ModbusLines(createTransport);
  beforeAll(async () => {
    const mapFile = join(dir.path, 'map.json');
    writeFileSync(
      mapFile,
      JSON.stringify(
        entries.map((e) => ({ address: e.address, type: e.type, order: e.order, value: e.value, length: e.length })),
      ),
    );
    py = await startPyModbus(0, { mapFile, ignoreMissing: true });
  });
  afterAll(async () => {
    await lines.closeAll();
    await py.stop();
    dir.remove();
  });

  it('decodes each value exactly, in few merged reads', async () => {
    const dev = collectorDevice({
      name: 'map',
      protocol: 'modbus',
      settings: { host: '127.0.0.1', port: py.port, unitId: 3, pollIntervalMs: 100 },
      tags,
    });
    const rec = new Recorder();
    const c = new ModbusCollector(dev, rec, { lines });
    // 4 orders x (20 + 8) registers + 2 = 114 contiguous registers: one read.
    expect(c.requestsPerCycle).toBe(1);
    c.start();
    try {
      await waitFor(() => rec.batches.length >= 2, 15_000, 'two cycles');
    } finally {
      await c.stop();
    }
    const byName = new Map(dev.config.tags.map((t) => [dev.tagIds.get(t.name)!, t.name]));
    const got = new Map([...rec.latest().entries()].map(([id, s]) => [byName.get(id)!, s]));
    expect(got.size).toBe(expected.size);
    for (const [name, want] of expected) {
      const s = got.get(name)!;
      expect(s.quality, name).toBe(StatusCodes.Good);
      if (typeof want === 'string') expect(s.text, name).toBe(want);
      else if (name === 'scaled') expect(s.value!, name).toBeCloseTo(want, 10);
      else expect(s.value, name).toBe(want);
    }
  });

  it('test read shows the raw registers next to the decoded value', async () => {
    const svc = new ModbusService(lines);
    const settings = ModbusSettings.parse({ host: '127.0.0.1', port: py.port, unitId: 3 });
    const f = entries.find((e) => e.name === 'float32_CDAB')!;
    const r = await svc.testRead(
      settings,
      ModbusTag.parse({ name: 'x', area: 'holding', address: f.address, ...f.tag }),
    );
    expect(r.error).toBeNull();
    // 123.456f = 42 F6 E9 79, word-swapped
    expect(r.raw).toEqual(['0xE979', '0x42F6']);
    expect(r.value).toBe(Math.fround(123.456));
    expect(r.request).toBe(
      `FC 3 read holding registers ${40001 + f.address}-${40002 + f.address} (offset ${f.address}, 2 registers), unit 3`,
    );
    const bad = await svc.testRead(
      settings,
      ModbusTag.parse({ name: 'y', area: 'holding', address: 999, dataType: 'float32' }),
    );
    expect(bad).toMatchObject({ value: null, quality: StatusCodes.BadNodeIdUnknown, raw: [] });
    expect(bad.error).toMatch(/^exception 02: illegal data address 41000/);
    expect(lines.size).toBe(0);
  });

  it('writes every kind of tag with FC 5, 6, 15 and 16, and reads back what was written', async () => {
    const svc = new ModbusService(lines);
    const settings = ModbusSettings.parse({ host: '127.0.0.1', port: py.port, unitId: 3 });
    const multiOnly = ModbusSettings.parse({ ...settings, singleWriteFunctions: false });
    const t = (x: Record<string, unknown>) => ModbusTag.parse({ name: 'w', area: 'holding', address: 900, ...x });
    const roundTrip = async (s: typeof settings, tag: ModbusTag, value: number | boolean | string) => {
      const w = await svc.write(s, tag, value);
      const r = await svc.testRead(s, tag);
      return { request: w.request, value: r.value, text: r.text, raw: r.raw };
    };
    expect(await roundTrip(settings, t({ dataType: 'float64', wordOrder: 'HGFEDCBA' }), -2.5)).toMatchObject({
      request: 'FC 16 write holding registers 40901-40904 (offset 900, 4 registers), unit 3',
      value: -2.5,
    });
    expect(await roundTrip(settings, t({ dataType: 'int16', scale: 0.1 }), -12.3)).toMatchObject({
      request: 'FC 6 write holding register 40901 (offset 900, 1 register), unit 3',
      value: expect.closeTo(-12.3, 10) as number,
      raw: ['0xFF85'],
    });
    expect((await roundTrip(multiOnly, t({ dataType: 'uint16' }), 7)).request).toMatch(
      /^FC 16 write holding register 40901/,
    );
    expect(await roundTrip(settings, t({ dataType: 'string', length: 4, wordOrder: 'BADC' }), 'AB12')).toMatchObject({
      text: 'AB12',
      raw: ['0x4241', '0x3231', '0x0000', '0x0000'],
    });
    // One bit of a register: the others stay as they were.
    await svc.write(settings, t({ dataType: 'uint16' }), 0b1010);
    await svc.write(settings, t({ dataType: 'bool', bit: 0 }), true);
    expect((await svc.testRead(settings, t({ dataType: 'uint16' }))).value).toBe(0b1011);
    const coil = ModbusTag.parse({ name: 'c', area: 'coil', address: 5, dataType: 'bool' });
    expect(await roundTrip(settings, coil, true)).toMatchObject({
      request: 'FC 5 write coil 00006 (offset 5, 1 bit), unit 3',
      value: 1,
    });
    expect(await roundTrip(multiOnly, coil, false)).toMatchObject({
      request: expect.stringMatching(/^FC 15 /) as string,
      value: 0,
    });
    // Refused before anything is sent.
    await expect(svc.write(settings, t({ dataType: 'uint16' }), 70000)).rejects.toThrow(/outside the uint16 range/);
    await expect(
      svc.write(settings, ModbusTag.parse({ name: 'i', area: 'input', address: 0, dataType: 'uint16' }), 1),
    ).rejects.toThrow(/read-only/);
    // The device refuses: its exception comes back.
    await expect(svc.write(settings, t({ address: 999, dataType: 'float32' }), 1)).rejects.toThrow(/exception 02/);
  });

  it('a unit that never answers does not stall the unit next to it on the same connection', async () => {
    const common = { host: '127.0.0.1', port: py.port, pollIntervalMs: 100 };
    const live = collectorDevice({
      name: 'live',
      protocol: 'modbus',
      settings: { ...common, unitId: 3 },
      tags: [{ name: 'v', area: 'holding', address: 0, dataType: 'int16' }],
    });
    const dead = collectorDevice({
      name: 'dead',
      protocol: 'modbus',
      settings: {
        ...common,
        unitId: 2,
        timeoutMs: 1000,
        retries: 0,
        degradeAfterFailures: 3,
        degradedIntervalMs: 5000,
      },
      tags: [{ name: 'v', area: 'holding', address: 0, dataType: 'int16' }],
    });
    const liveRec = new Recorder();
    const deadRec = new Recorder();
    const a = new ModbusCollector(live, liveRec, { lines });
    const b = new ModbusCollector(dead, deadRec, { lines });
    a.start();
    b.start();
    try {
      expect(lines.size).toBe(1); // one shared connection
      await waitFor(() => deadRec.state?.state === 'degraded', 15_000, 'dead unit degraded');
      expect(deadRec.state?.message).toBe(
        `no answer from unit 2 at 127.0.0.1:${py.port} for 3 poll cycles — polling every 5 s until it answers`,
      );
      expect(deadRec.states.some((s) => s.state === 'error' && /within 1000 ms/.test(s.message ?? ''))).toBe(true);
      // While the dead unit timed out three times (>= 3 s), the live one kept polling. Had the live unit
      // waited behind the dead one, it would have had one cycle per timeout (5 at most, measured with one request in flight); at its 100 ms
      // rate it has about 30, and still well over 7 on a loaded machine (a CI run under load saw one
      // cycle per 300 ms).
      const liveCycles = liveRec.batches.length;
      expect(liveCycles).toBeGreaterThanOrEqual(8);
      expect(liveRec.state?.state).toBe('connected');
      // Degraded: asked once per 5 s instead of every cycle.
      const failuresBefore = b.diagnostics().consecutiveFailures;
      await waitFor(() => liveRec.batches.length >= liveCycles + 15, 15_000, 'more live cycles');
      expect(b.diagnostics().consecutiveFailures - failuresBefore).toBeLessThanOrEqual(1);
      expect(deadRec.batches).toHaveLength(1); // bad quality stored once, when it started
      expect(deadRec.batches[0]![0]).toMatchObject({ value: null, quality: StatusCodes.BadTimeout });
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
