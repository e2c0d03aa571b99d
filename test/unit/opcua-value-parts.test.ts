import { describe, expect, it } from 'vitest';
import { valuePartEntries, type VariableValue } from '../../main/collect/opcua/value-browse.js';
import type { BrowseEntry } from '../../main/domain/opcua/browse.js';
import { canBeTag, entryKey, owningVariable, partTagName, type TreeNode } from '../../renderer/src/lib/address-tree.js';
import {
  elementAt,
  listElements,
  locateField,
  opaqueEncodingOf,
  parseFieldPath,
  type StructSchema,
} from '../../main/collect/opcua/value-parts.js';

/** Structures shaped as node-opcua's client decodes them: lower-camel properties, a schema with original names. */
const schema = (name: string, fields: [string, string, boolean?][], base?: StructSchema): StructSchema => ({
  name,
  fields: fields.map(([n, type, isArray]) => ({
    name: n.charAt(0).toLowerCase() + n.slice(1),
    originalName: n,
    fieldType: type,
    ...(isArray ? { isArray } : {}),
  })),
  getBaseSchema: () => base ?? null,
});
const motorT = schema('Motor_t', [
  ['Current', 'Double'],
  ['Serial', 'String'],
]);
const pumpT = schema('Pump_t', [
  ['Speed', 'Double'],
  ['Motor', 'Motor_t'],
  ['Temps', 'Double', true],
]);
const motor = { schema: motorT, current: 12.75, serial: 'M-1' };
const pump = { schema: pumpT, speed: 1450.5, motor, temps: new Float64Array([1, 2, 3]) };

const variable = (value: unknown, dimensions: number[] | null, typeName = 'Double'): VariableValue => ({
  nodeId: 'ns=1;s=X',
  browsePath: '/[urn:plc]X',
  value,
  dimensions,
  typeName,
  dataTypeId: 'ns=1;i=3002',
});
const at = (indexRange = '', field = ''): { indexRange: string; field: string } => ({ indexRange, field });

describe('field paths', () => {
  it('parses names with element indexes and refuses what the tag config refuses', () => {
    expect(parseFieldPath('Items[2].Value')).toEqual([
      { name: 'Items', indexes: [2] },
      { name: 'Value', indexes: [] },
    ]);
    expect(parseFieldPath('')).toEqual([]);
    expect(() => parseFieldPath('Motor..Speed')).toThrow('is not a field path');
  });

  it('follows a path by the server names and says which fields there are when one is missing', () => {
    expect(locateField(pump, 'Motor.Current', 'Pump_t')).toEqual({ value: 12.75, typeName: 'Double' });
    expect(locateField(pump, 'Temps[1]', 'Pump_t')).toEqual({ value: 2, typeName: 'Double' });
    expect(() => locateField(pump, 'Motor.Speedx', 'Pump_t')).toThrow(
      'field Motor.Speedx not in Motor_t (fields: Current, Serial)',
    );
    expect(() => locateField(pump, 'Temps[3]', 'Pump_t')).toThrow('Temps[3]: the array has 3 elements');
    expect(() => locateField(pump, 'Speed.X', 'Pump_t')).toThrow('Speed.X: Double is not a structure with fields');
  });

  it('lists the fields of base structures first', () => {
    const derived = schema('Derived_t', [['Extra', 'Int32']], motorT);
    const v = { schema: derived, current: 1, serial: 's', extra: 3 };
    expect(valuePartEntries(variable(v, null, 'Derived_t'), at(), undefined).map((r) => r.displayName)).toEqual([
      'Current',
      'Serial',
      'Extra',
    ]);
  });
});

describe('array elements', () => {
  it('lists up to the cap, then says how many more; a range chooses which', () => {
    expect(listElements([250], undefined, 100)).toMatchObject({ omitted: 150 });
    expect(listElements([250], '240:260', 100).elements.map((e) => e.range)).toEqual(
      Array.from({ length: 10 }, (_, i) => String(240 + i)),
    );
    expect(listElements([3, 4], '2', 100).elements.map((e) => e.range)).toEqual(['2,0', '2,1', '2,2', '2,3']);
    expect(() => listElements([5], '1,2', 100)).toThrow('this array has one dimension');
    expect(() => listElements([5], '4:2', 100)).toThrow('the end comes before the start');
    expect(() => listElements([3, 4], '3', 100)).toThrow('row 3 is outside the array (3 rows)');
  });

  it('finds an element by its NumericRange, row-major in a matrix', () => {
    const m = Float64Array.from({ length: 12 }, (_, i) => Math.floor(i / 4) * 10 + (i % 4));
    expect(elementAt(m, [3, 4], '1,2')).toBe(12);
    expect(() => elementAt(m, [3, 4], '3,0')).toThrow('3,0 is outside the array (3 × 4)');
    expect(() => elementAt(m, [3, 4], '2')).toThrow('2: the array has 2 dimensions');
  });

  it('the stand-in row of a long array carries the count and dimensions', () => {
    const rows = valuePartEntries(variable(new Float64Array(250), [250]), at(), undefined, 100);
    expect(rows).toHaveLength(101);
    expect(rows[100]).toMatchObject({
      displayName: '150 more elements',
      hasChildren: false,
      part: { indexRange: '', field: '', more: { count: 150, dimensions: [250] } },
    });
    expect(rows[99]!.part).toEqual({ indexRange: '99', field: '', more: null });
  });

  it('elements of an array field are addressed by the field path, inside an element of an array of structures', () => {
    const rows = valuePartEntries(variable([pump, pump], [2], 'Pump_t'), at('1', 'Temps'), undefined);
    expect(rows.map((r) => r.part)).toEqual(
      [0, 1, 2].map((i) => ({ indexRange: '1', field: `Temps[${i}]`, more: null })),
    );
    expect(rows.every((r) => r.nodeId === 'ns=1;s=X' && r.browsePath === '/[urn:plc]X')).toBe(true);
  });
});

describe('structures without a definition', () => {
  it('an opaque structure is named, not listed as empty', () => {
    const opaque = {
      schema: { name: 'ExtensionObject', fields: [] },
      buffer: Buffer.from([7, 0, 0, 0]),
      nodeId: { toString: () => 'ns=1;i=5005' },
    };
    expect(opaqueEncodingOf(opaque)).toBe('ns=1;i=5005');
    expect(opaqueEncodingOf(pump)).toBeNull();
    expect(() => valuePartEntries(variable(opaque, null, 'Opaque_t'), at(), undefined)).toThrow(
      'structure type ns=1;i=3002 has no definition on the server: its fields cannot be listed',
    );
  });
});

describe('parts in the address tree', () => {
  const pumps = valuePartEntries(variable([pump, pump], [2], 'Pump_t'), at(), undefined);
  const fields = valuePartEntries(variable([pump, pump], [2], 'Pump_t'), at('1'), undefined);
  const variableRow: BrowseEntry = { ...pumps[0]!, displayName: 'Pumps', browseName: '1:Pumps', part: null };

  it('keys parts by their place in the value, apart from their variable and from each other', () => {
    const keys = [variableRow, ...pumps, ...fields].map(entryKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(entryKey(variableRow)).toBe('ns=1;s=X');
  });

  it('offers as tags only rows holding one value', () => {
    expect(canBeTag(variableRow)).toBe(true); // a whole variable, as before
    expect(pumps.map(canBeTag)).toEqual([false, false]); // a structure element: its fields are the tags
    expect(fields.map((f) => [f.displayName, canBeTag(f)])).toEqual([
      ['Speed', true],
      ['Motor', false],
      ['Temps', false],
    ]);
    const long = valuePartEntries(variable(new Float64Array(5), [5]), at(), undefined, 2);
    expect(long.map(canBeTag)).toEqual([true, true, false]); // the "3 more elements" row
  });

  it('names a part after its variable and its place', () => {
    const nodes = new Map<string, TreeNode>([
      [entryKey(variableRow), { entry: variableRow, children: null, parent: null, loading: false, error: null }],
      [
        entryKey(pumps[1]!),
        { entry: pumps[1]!, children: null, parent: entryKey(variableRow), loading: false, error: null },
      ],
      [
        entryKey(fields[0]!),
        { entry: fields[0]!, children: null, parent: entryKey(pumps[1]!), loading: false, error: null },
      ],
    ]);
    const owner = owningVariable(nodes, entryKey(fields[0]!));
    expect(owner?.displayName).toBe('Pumps');
    expect(partTagName(owner!.displayName, fields[0]!.part!)).toBe('Pumps[1].Speed');
    expect(partTagName('Pump1', { indexRange: '', field: 'Motor.Current' })).toBe('Pump1.Motor.Current');
    expect(partTagName('Matrix', { indexRange: '1,0', field: '' })).toBe('Matrix[1,0]');
  });
});
