import { DataType, Variant, VariantArrayType, coerceNodeId } from 'node-opcua';
import { describe, expect, it } from 'vitest';
import { readingOf } from '../../main/collect/opcua/item-samples.js';
import { planItems } from '../../main/collect/opcua/monitored-items.js';
import { parseFieldPath, readField } from '../../main/collect/opcua/structure-fields.js';
import { MAX_BYTESTRING, scalarReading, singleElement } from '../../main/collect/opcua/value-kinds.js';
import { OpcUaTag } from '../../main/domain/device/opcua-schema.js';

/** The pure part of OPC UA value conversion: edges the test PLC does not send. */
describe('OPC UA value kinds', () => {
  it('keeps 64-bit integers exact when a number can hold them, Uncertain with the exact value otherwise', () => {
    expect(scalarReading([0xffffffff, 0xffffffff], DataType.Int64)).toEqual({ kind: 'number', value: -1 });
    expect(scalarReading([0x10000000, 0], DataType.UInt64)).toEqual({ kind: 'number', value: 2 ** 60 });
    expect(scalarReading([0xffffffff, 0xffffffff], DataType.UInt64)).toEqual({
      kind: 'uncertain',
      value: 18446744073709552000,
      quality: 0x40000000,
      reason: 'UInt64 18446744073709551615 is beyond exact numbers (2^53): stored as 18446744073709552000',
    });
  });

  it('says what the server sent when the JS value does not fit the data type', () => {
    expect(scalarReading('12', DataType.Double)).toEqual({
      kind: 'bad',
      quality: 0x80740000,
      reason: 'the server sent a string where a Double was expected',
    });
    expect(scalarReading(null, DataType.Int32)).toMatchObject({
      reason: 'the server sent no value where an Int32 was expected',
    });
    expect(scalarReading(new Date(NaN), DataType.DateTime)).toMatchObject({
      kind: 'bad',
      reason: 'the server sent an invalid DateTime',
    });
  });

  it('stores a ByteString up to 1 KiB as hex, refuses a longer one', () => {
    expect(scalarReading(Buffer.alloc(MAX_BYTESTRING, 0xab), DataType.ByteString)).toMatchObject({ kind: 'text' });
    expect(scalarReading(Buffer.alloc(MAX_BYTESTRING + 1), DataType.ByteString)).toEqual({
      kind: 'bad',
      quality: 0x803c0000,
      reason: 'a ByteString of 1025 bytes is too long to store (at most 1024 bytes)',
    });
    expect(scalarReading(null, DataType.ByteString)).toEqual({ kind: 'text', text: '' });
  });

  it('refuses types with no stored form by name', () => {
    expect(scalarReading({}, DataType.DiagnosticInfo)).toMatchObject({
      reason: 'DiagnosticInfo values cannot be stored',
    });
  });

  it('takes the one element an index range left, and refuses an empty array', () => {
    const one = new Variant({ dataType: DataType.Double, arrayType: VariantArrayType.Array, value: [7] });
    expect(singleElement(one, '4')).toEqual({ ok: true, value: 7 });
    const none = new Variant({ dataType: DataType.Double, arrayType: VariantArrayType.Array, value: [] });
    expect(singleElement(none, '4')).toMatchObject({ ok: false, reading: { quality: 0x80370000 } });
    expect(singleElement(none, '')).toMatchObject({
      ok: false,
      reading: { reason: 'an array of 0 Double: add its elements as tags by index range' },
    });
  });

  it('parses field paths with indexes at any level', () => {
    expect(parseFieldPath('Pumps[1].Motor.Temperatures[2]').segments).toEqual([
      { name: 'Pumps', indexes: [1] },
      { name: 'Motor', indexes: [] },
      { name: 'Temperatures', indexes: [2] },
    ]);
    expect(parseFieldPath('').segments).toEqual([]);
    expect(parseFieldPath('Grid[1][2]').segments).toEqual([{ name: 'Grid', indexes: [1, 2] }]);
  });

  it('says a scalar has no fields, and that a number is not a structure', () => {
    expect(readField(5, parseFieldPath('Speed'))).toMatchObject({
      reason: 'the value is not a structure: it has no field Speed',
    });
    const path = parseFieldPath('Speed');
    const v = new Variant({ dataType: DataType.Float, value: 1 });
    expect(readingOf(v, { tagId: 1, indexRange: '', path })).toMatchObject({
      reason: 'the value is a Float, not a structure: it has no field Speed',
    });
    expect(readingOf(null, { tagId: 1, indexRange: '', path: parseFieldPath('') })).toMatchObject({
      quality: 0x80320000,
    });
  });

  it('follows a field a derived structure inherits from its base type (node-opcua keeps it on the base schema)', () => {
    const field = (name: string, fieldType: string) => ({
      name: name[0]!.toLowerCase() + name.slice(1),
      originalName: name,
      fieldType,
      category: 'basic',
    });
    const base = { name: 'Device_t', fields: [field('Serial', 'UInt32')], getBaseSchema: () => null };
    const derived = { name: 'Pump_t', fields: [field('Speed', 'Double')], getBaseSchema: () => base };
    const value = { schema: derived, serial: 4711, speed: 12.5 };
    expect(readField(value, parseFieldPath('Serial'))).toEqual({ kind: 'number', value: 4711 });
    expect(readField(value, parseFieldPath('Speed'))).toEqual({ kind: 'number', value: 12.5 });
    expect(readField(value, parseFieldPath('Flow'))).toMatchObject({
      reason: 'field Flow not in Pump_t (fields: Serial, Speed)',
    });
  });

  it('plans one item per node and index range, apart only where monitoring settings differ', () => {
    const tag = (name: string, nodeId: string, extra: Record<string, unknown> = {}) => ({
      tagId: name.length,
      name,
      nodeId: coerceNodeId(nodeId),
      tag: OpcUaTag.parse({ name, nodeId, ...extra }),
    });
    const items = planItems(
      [
        tag('a', 'ns=1;s=P', { field: 'Speed' }),
        tag('bb', 'ns=1;s=P', { field: 'Motor.Current' }),
        tag('ccc', 'ns=1;s=P', { indexRange: '2', field: 'Speed' }),
        tag('dddd', 'ns=1;s=P', { field: 'Name', samplingIntervalMs: 250 }),
        tag('eeeee', 'ns=1;s=Q'),
      ],
      (t) => String(t.samplingIntervalMs),
    );
    expect(items.map((i) => [i.nodeId.toString(), i.indexRange, i.tags.map((t) => t.name)])).toEqual([
      ['ns=1;s=P', '', ['a', 'bb']],
      ['ns=1;s=P', '2', ['ccc']],
      ['ns=1;s=P', '', ['dddd']],
      ['ns=1;s=Q', '', ['eeeee']],
    ]);
  });
});
