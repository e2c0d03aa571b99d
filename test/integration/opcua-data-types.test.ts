import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpcUaCollector } from '../../main/collect/opcua/opcua-collector.js';
import { StatusCodes } from '../../main/domain/sample/status-codes.js';
import { type Sample } from '../../main/domain/sample/sample.js';
import { collectorDevice, Recorder } from '../helpers/device.js';
import { startPlcServer, type PlcServer } from '../helpers/opcua-plc-server.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Every OPC UA data type of the test PLC (test/fixtures/opcua-plc-space.ts) through the collector, checked exactly:
 * text forms, array elements by index range, a matrix element, structure fields (nested, array fields, array of
 * structures) decoded from the server's DataTypeDefinition and, on a second server, from a legacy data type
 * dictionary only; values the app cannot represent are Bad with a reason; field tags of one variable share one
 * monitored item on the server.
 */

/** Generous: other suites load this machine, and a first connect creates certificates. */
const SLOW = 60_000;
const Uncertain = 0x40000000;
const BadTypeMismatch = 0x80740000;
const BadDataTypeIdUnknown = 0x80110000;
const BadIndexRangeNoData = 0x80370000;
const BadIndexRangeInvalid = 0x80360000;
const BadNoMatch = 0x806f0000;

interface Case {
  nodeId: string;
  indexRange?: string;
  field?: string;
  value?: number;
  text?: string;
  quality?: number;
  /** The tag's diagnostics message, exactly. */
  problem?: string;
}

const ok = (nodeId: string, expected: number | string, extra: Partial<Case> = {}): Case => ({
  nodeId,
  ...(typeof expected === 'number' ? { value: expected } : { text: expected }),
  ...extra,
});
const refused = (nodeId: string, quality: number, problem: string, extra: Partial<Case> = {}): Case => ({
  nodeId,
  quality,
  problem,
  ...extra,
});

const S = (name: string) => `ns=1;s=Plc.Scalars.${name}`;
const A = (name: string) => `ns=1;s=Plc.Arrays.${name}`;
const T = (name: string) => `ns=1;s=Plc.Structs.${name}`;

const scalarCases: Record<string, Case> = {
  Boolean: ok(S('Boolean'), 1),
  SByte: ok(S('SByte'), -100),
  Byte: ok(S('Byte'), 200),
  Int16: ok(S('Int16'), -30000),
  UInt16: ok(S('UInt16'), 60000),
  Int32: ok(S('Int32'), -2000000000),
  UInt32: ok(S('UInt32'), 4000000000),
  Int64: ok(S('Int64'), -1234567890123),
  UInt64: ok(S('UInt64'), 1234567890123),
  Int64Big: {
    nodeId: S('Int64Big'),
    value: 9007199254740992,
    quality: Uncertain,
    problem: 'Int64 9007199254740993 is beyond exact numbers (2^53): stored as 9007199254740992',
  },
  Float: ok(S('Float'), 3.25),
  Double: ok(S('Double'), 1234.5678),
  DoubleNaN: refused(S('DoubleNaN'), StatusCodes.BadOutOfRange, 'the server sent NaN (Double): not a usable number'),
  DoubleInf: refused(
    S('DoubleInf'),
    StatusCodes.BadOutOfRange,
    'the server sent Infinity (Double): not a usable number',
  ),
  String: ok(S('String'), 'Pump station 4 — ready'),
  StringEmpty: ok(S('StringEmpty'), ''),
  DateTime: ok(S('DateTime'), '2026-03-01T12:34:56.789Z'),
  Guid: ok(S('Guid'), '72962B91-FA75-4AE6-8D28-B404DC7DAF63'),
  ByteString: ok(S('ByteString'), '0xdeadbeef01'),
  XmlElement: ok(S('XmlElement'), '<a>1</a>'),
  NodeId: ok(S('NodeId'), 'ns=1;s=Plc.Scalars.Double'),
  StatusCode: ok(S('StatusCode'), 'BadSensorFailure'),
  QualifiedName: ok(S('QualifiedName'), '1:Pump'),
  LocalizedText: ok(S('LocalizedText'), 'Running'),
  DoubleWithField: refused(S('Double'), BadTypeMismatch, 'the value is a Double, not a structure: it has no field X', {
    field: 'X',
  }),
};

const arrayCases: Record<string, Case> = {
  'Double[2]': ok(A('Double'), 3.5, { indexRange: '2' }),
  'Double[]': refused(
    A('Double'),
    BadTypeMismatch,
    'an array of 5 Double: add its elements as tags (index range 0 to 4)',
  ),
  'Double[9]': refused(A('Double'), BadIndexRangeNoData, 'the server reports BadIndexRangeNoData', { indexRange: '9' }),
  'Int32[5]': ok(A('Int32'), 60, { indexRange: '5' }),
  'Int32[1:2]': refused(
    A('Int32'),
    BadTypeMismatch,
    'index range 1:2 gives 2 elements; a tag holds one value: use a single index',
    { indexRange: '1:2' },
  ),
  'Boolean[1]': ok(A('Boolean'), 0, { indexRange: '1' }),
  'String[2]': ok(A('String'), 'gamma', { indexRange: '2' }),
  'Byte[3]': ok(A('Byte'), 4, { indexRange: '3' }),
  'UInt64[1]': ok(A('UInt64'), 4294967297, { indexRange: '1' }),
  'Matrix[1,2]': ok(A('Matrix'), 12, { indexRange: '1,2' }),
  'Matrix[2,3]': ok(A('Matrix'), 23, { indexRange: '2,3' }),
  'Matrix[]': refused(
    A('Matrix'),
    BadTypeMismatch,
    'a 3×4 matrix of Double: add its elements as tags (index range "row,column", e.g. 0,1)',
  ),
};

/** Structure fields: the same on both servers (DataTypeDefinition or dictionary). */
const structCases: Record<string, Case> = {
  'Pump1.Speed': ok(T('Pump1'), 1450.5, { field: 'Speed' }),
  'Pump1.Running': ok(T('Pump1'), 1, { field: 'Running' }),
  'Pump1.Name': ok(T('Pump1'), 'P-101', { field: 'Name' }),
  'Pump1.Motor.Current': ok(T('Pump1'), 12.75, { field: 'Motor.Current' }),
  'Pump1.Motor.Temperature': ok(T('Pump1'), 61.5, { field: 'Motor.Temperature' }),
  'Pump1.Motor.Serial': ok(T('Pump1'), 'M-9001', { field: 'Motor.Serial' }),
  'Pump1.Temperatures[1]': ok(T('Pump1'), 21.5, { field: 'Temperatures[1]' }),
  'Pump1.Temperatures': refused(
    T('Pump1'),
    BadTypeMismatch,
    'Temperatures is an array of 3 Double: add its elements as tags (Temperatures[0] to Temperatures[2])',
    { field: 'Temperatures' },
  ),
  'Pump1.Temperatures[5]': refused(T('Pump1'), BadIndexRangeNoData, 'Temperatures[5]: Temperatures has 3 elements', {
    field: 'Temperatures[5]',
  }),
  'Pump1.Name[0]': refused(T('Pump1'), BadIndexRangeInvalid, 'Name is not an array: remove the [index]', {
    field: 'Name[0]',
  }),
  'Pump1.Motor': refused(
    T('Pump1'),
    BadTypeMismatch,
    'Motor is a Motor_t structure: add its fields as tags (Current, Temperature, Serial)',
    { field: 'Motor' },
  ),
  'Pump1.Motor.Speedx': refused(
    T('Pump1'),
    BadNoMatch,
    'field Motor.Speedx not in Motor_t (fields: Current, Temperature, Serial)',
    { field: 'Motor.Speedx' },
  ),
  Pump1: refused(
    T('Pump1'),
    BadTypeMismatch,
    'a Pump_t structure: add its fields as tags (Speed, Running, Name, Motor, Temperatures)',
  ),
  'Pumps[2].Motor.Temperature': ok(T('Pumps'), 42, { indexRange: '2', field: 'Motor.Temperature' }),
  'Pumps[2].Name': ok(T('Pumps'), 'P-202', { indexRange: '2', field: 'Name' }),
  'Pumps[1].Running': ok(T('Pumps'), 0, { indexRange: '1', field: 'Running' }),
  'Pumps.Speed': refused(
    T('Pumps'),
    BadTypeMismatch,
    'an array of 3 Pump_t structures: choose one with an index range (0 to 2)',
    { field: 'Speed' },
  ),
  'Line.Name': ok(T('Line'), 'Line A', { field: 'Name' }),
  'Line.Pumps[1].Motor.Serial': ok(T('Line'), 'M-1', { field: 'Pumps[1].Motor.Serial' }),
  'Line.Pumps[0].Temperatures[2]': ok(T('Line'), 0.5, { field: 'Pumps[0].Temperatures[2]' }),
  'Line.Pumps[2].Speed': ok(T('Line'), 300, { field: 'Pumps[2].Speed' }),
  'Opaque.Code': refused(
    T('Opaque'),
    BadDataTypeIdUnknown,
    'structure type ns=1;s=Plc.Types.Opaque_t (Opaque_t) has no definition on the server (no DataTypeDefinition and no data type dictionary entry)',
    { field: 'Code' },
  ),
};

const tagsOf = (cases: Record<string, Case>) =>
  Object.entries(cases).map(([name, c]) => ({
    name,
    nodeId: c.nodeId,
    indexRange: c.indexRange ?? '',
    field: c.field ?? '',
    samplingIntervalMs: 100,
  }));

const device = (url: string, tags: ReturnType<typeof tagsOf>) =>
  collectorDevice({ name: 'plc', protocol: 'opcua', settings: { endpointUrl: url, publishingIntervalMs: 100 }, tags });

/** Runs a collector on the cases until every tag has its expected value and problem; checks them exactly. */
const expectCases = async (server: PlcServer, pkiDir: string, cases: Record<string, Case>): Promise<void> => {
  const dev = device(server.endpointUrl, tagsOf(cases));
  const rec = new Recorder();
  const c = new OpcUaCollector(dev, rec, { pkiDir });
  const names = Object.keys(cases);
  const actual = (): Record<string, Partial<Case>> => {
    const latest = rec.latest();
    const problems = new Map(c.diagnostics().tagProblems.map((p) => [p.name, p.message]));
    return Object.fromEntries(
      names.map((name, i) => {
        const s: Sample | undefined = latest.get(i + 1);
        const got: Partial<Case> = { quality: s?.quality };
        if (s?.value !== null && s?.value !== undefined) got.value = s.value;
        if (s?.text !== undefined) got.text = s.text;
        const p = problems.get(name);
        if (p !== undefined) got.problem = p;
        return [name, got];
      }),
    );
  };
  const expected = Object.fromEntries(
    Object.entries(cases).map(([name, e]) => {
      const want: Partial<Case> = { quality: e.quality ?? StatusCodes.Good };
      if (e.value !== undefined) want.value = e.value;
      if (e.text !== undefined) want.text = e.text;
      if (e.problem !== undefined) want.problem = e.problem;
      return [name, want];
    }),
  );
  c.start();
  try {
    await waitFor(() => JSON.stringify(actual()) === JSON.stringify(expected), 45_000, 'every tag').catch(() => {
      // Show the difference, tag by tag.
      expect(actual()).toEqual(expected);
    });
    expect(actual()).toEqual(expected);
    const kinds = new Map(c.diagnostics().subscription!.items.map((i) => [i.name, i.valueKind]));
    for (const [name, e] of Object.entries(cases)) {
      const kind = e.text !== undefined ? 'text' : e.value !== undefined ? 'number' : null;
      expect([name, kinds.get(name)]).toEqual([name, kind]);
    }
  } finally {
    await c.stop();
  }
};

describe('OPC UA data types against the test PLC', () => {
  const dir = tempDir('twinedge-types-');
  let current: PlcServer;
  let legacy: PlcServer;

  beforeAll(async () => {
    [current, legacy] = await Promise.all([
      startPlcServer(`${dir.path}/server-pki`, { mode: 'definition' }),
      startPlcServer(`${dir.path}/legacy-pki`, { mode: 'dictionary' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([current?.stop(), legacy?.stop()]);
    dir.remove();
  });

  it(
    'stores every built-in scalar type as its number or text, and refuses what it cannot represent',
    async () => {
      await expectCases(current, `${dir.path}/client-pki`, scalarCases);
    },
    SLOW,
  );

  it(
    'reads array elements and a matrix element by index range; whole arrays are refused with what to do',
    async () => {
      await expectCases(current, `${dir.path}/client-pki`, arrayCases);
    },
    SLOW,
  );

  it(
    'follows structure fields decoded from the DataTypeDefinition: nested, array fields, array of structures',
    async () => {
      await expectCases(current, `${dir.path}/client-pki`, structCases);
    },
    SLOW,
  );

  it(
    'decodes the same structures from a legacy data type dictionary (server without DataTypeDefinition)',
    async () => {
      await expectCases(legacy, `${dir.path}/client-pki`, structCases);
    },
    SLOW,
  );

  it(
    'gives the field tags of one variable one monitored item, and fans every notification out to all of them',
    async () => {
      const fields = ['Speed', 'Running', 'Name', 'Motor.Current', 'Motor.Temperature', 'Motor.Serial'];
      const temps = [0, 1, 2].map((i) => `Temperatures[${i}]`);
      const tags = [...fields, ...temps].map((field) => ({
        name: `Pump.${field}`,
        nodeId: 'ns=1;s=Plc.Dynamic.Pump',
        indexRange: '',
        field,
        samplingIntervalMs: 100,
      }));
      tags.push({
        name: 'Counter',
        nodeId: 'ns=1;s=Plc.Dynamic.Counter',
        indexRange: '',
        field: '',
        samplingIntervalMs: 100,
      });
      const dev = device(current.endpointUrl, tags);
      const rec = new Recorder();
      const before = current.stats().items;
      const c = new OpcUaCollector(dev, rec, { pkiDir: `${dir.path}/client-pki` });
      c.start();
      try {
        await waitFor(() => rec.batches.flat().filter((s) => s.tagId === 1).length >= 5, 45_000, 'five pump updates');
        // 9 field tags on the pump and the counter: two items on the server.
        expect(current.stats().items - before).toBe(2);
        const byTag = (id: number) => rec.batches.flat().filter((s) => s.tagId === id);
        const speeds = byTag(1);
        expect(speeds.every((s) => s.quality === 0)).toBe(true);
        // Every notification reached every field tag, each with the value of that same notification.
        for (let i = 2; i <= 9; i++) expect(byTag(i).length).toBeGreaterThanOrEqual(speeds.length - 1);
        for (const s of speeds.slice(-3)) {
          const at = (id: number) => byTag(id).find((x) => x.ts === s.ts);
          const tick = s.value!;
          expect(at(2)?.value).toBe(tick % 2 === 0 ? 1 : 0);
          expect(at(3)?.text).toBe(`tick ${tick}`);
          expect(at(4)?.value).toBe(tick / 2);
          expect(at(6)?.text).toBe('M-1');
          expect([at(7)?.value, at(8)?.value, at(9)?.value]).toEqual([tick, tick + 1, tick + 2]);
        }
      } finally {
        await c.stop();
      }
    },
    SLOW,
  );
});
