import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpcUaBrowseService } from '../../main/collect/opcua/browse-service.js';
import { OpcUaBrowseError } from '../../main/collect/opcua/opcua-errors.js';
import type { BrowseSessionDevice } from '../../main/collect/opcua/browse-session.js';
import { OpcUaSettings, OpcUaTag } from '../../main/domain/device/opcua-schema.js';
import type { BrowseEntry } from '../../main/domain/opcua/browse.js';
import { startPlcServer, type PlcServer } from '../helpers/opcua-plc-server.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * Browsing inside variables' values on the test PLC (test/fixtures/opcua-plc-space.ts): structure fields from the
 * server's DataTypeDefinition and, on a second server, from only a legacy DataTypeDictionary; nested structures,
 * array fields, arrays of structures, 1-D and 2-D array elements; every row carrying what a tag on it needs.
 */

const dir = tempDir('twinedge-browse-struct-');
const servers: PlcServer[] = [];
const services: OpcUaBrowseService[] = [];

const deviceFor = (endpointUrl: string, id: number): BrowseSessionDevice => ({
  id,
  name: `plc ${id}`,
  settings: OpcUaSettings.parse({ endpointUrl }),
});

let definition: BrowseSessionDevice;
let dictionary: BrowseSessionDevice;
let service: OpcUaBrowseService;
let uri: string;

beforeAll(async () => {
  const [a, b] = await Promise.all([
    startPlcServer(path.join(dir.path, 'a'), { mode: 'definition', updateMs: 0 }),
    startPlcServer(path.join(dir.path, 'b'), { mode: 'dictionary', updateMs: 0 }),
  ]);
  servers.push(a, b);
  uri = a.server.engine.addressSpace!.getOwnNamespace().namespaceUri;
  definition = deviceFor(a.endpointUrl, 1);
  dictionary = deviceFor(b.endpointUrl, 2);
  service = new OpcUaBrowseService({ pkiDir: path.join(dir.path, 'client-pki'), timeoutMs: 10_000 });
  services.push(service);
}, 60_000);

afterAll(async () => {
  await Promise.all(services.map((s) => s.closeAll()));
  await Promise.all(servers.map((s) => s.stop()));
  dir.remove();
});

const byName = (rows: BrowseEntry[], name: string): BrowseEntry => {
  const r = rows.find((x) => x.displayName === name);
  if (!r) throw new Error(`no row ${name} among ${rows.map((x) => x.displayName).join(', ')}`);
  return r;
};

/** Browses a row the way the tree does: with its node id, browse path and place in the value. */
const open = (device: BrowseSessionDevice, row: BrowseEntry, elements?: string): Promise<BrowseEntry[]> =>
  service.browse(device, {
    nodeId: row.nodeId,
    browsePath: row.browsePath,
    ...(row.part ? { indexRange: row.part.indexRange, field: row.part.field } : {}),
    ...(elements ? { elements } : {}),
  });

const folder = async (device: BrowseSessionDevice, name: string): Promise<BrowseEntry[]> => {
  const plc = byName(await service.browse(device), 'Plc');
  return open(device, byName(await open(device, plc), name));
};

const summary = (rows: BrowseEntry[]): [string, string | null, string, string, boolean][] =>
  rows.map((r) => [r.displayName, r.dataType, r.part?.indexRange ?? '-', r.part?.field ?? '-', r.hasChildren]);

describe.each([
  ['DataTypeDefinition', () => definition],
  ['legacy DataTypeDictionary only', () => dictionary],
])('structures described by %s', (_label, device) => {
  it('a structure lists its fields; nested structures and array fields open further', async () => {
    const structs = await folder(device(), 'Structs');
    const pump1 = byName(structs, 'Pump1');
    expect(pump1).toMatchObject({ nodeId: 'ns=1;s=Plc.Structs.Pump1', dataType: 'Pump_t', hasChildren: true });
    expect(pump1.browsePath).toBe(`/[${uri}]Plc/[${uri}]Structs/[${uri}]Pump1`);
    const fields = await open(device(), pump1);
    expect(summary(fields)).toEqual([
      ['Speed', 'Double', '', 'Speed', false],
      ['Running', 'Boolean', '', 'Running', false],
      ['Name', 'String', '', 'Name', false],
      ['Motor', 'Motor_t', '', 'Motor', true],
      ['Temperatures', 'Double[3]', '', 'Temperatures', true],
    ]);
    for (const f of fields) {
      expect(f.nodeId).toBe('ns=1;s=Plc.Structs.Pump1');
      expect(f.browsePath).toBe(pump1.browsePath);
    }
    expect(summary(await open(device(), byName(fields, 'Motor')))).toEqual([
      ['Current', 'Double', '', 'Motor.Current', false],
      ['Temperature', 'Double', '', 'Motor.Temperature', false],
      ['Serial', 'String', '', 'Motor.Serial', false],
    ]);
    expect(summary(await open(device(), byName(fields, 'Temperatures')))).toEqual([
      ['[0]', 'Double', '', 'Temperatures[0]', false],
      ['[1]', 'Double', '', 'Temperatures[1]', false],
      ['[2]', 'Double', '', 'Temperatures[2]', false],
    ]);
  });

  it('an array of structures lists its elements by IndexRange, each with its fields', async () => {
    const structs = await folder(device(), 'Structs');
    const elements = await open(device(), byName(structs, 'Pumps'));
    expect(summary(elements)).toEqual([
      ['[0]', 'Pump_t', '0', '', true],
      ['[1]', 'Pump_t', '1', '', true],
      ['[2]', 'Pump_t', '2', '', true],
    ]);
    const second = await open(device(), elements[1]!);
    expect(byName(second, 'Speed').part).toEqual({ indexRange: '1', field: 'Speed', more: null });
    const motor = await open(device(), byName(second, 'Motor'));
    expect(byName(motor, 'Current').part).toEqual({ indexRange: '1', field: 'Motor.Current', more: null });

    // Inside a structure, an array of structures is addressed by the field path: Pumps[2].Motor.Serial.
    const line = await open(device(), byName(structs, 'Line'));
    expect(byName(line, 'Pumps').dataType).toBe('Pump_t[3]');
    const pumps = await open(device(), byName(line, 'Pumps'));
    expect(pumps.map((p) => p.part?.field)).toEqual(['Pumps[0]', 'Pumps[1]', 'Pumps[2]']);
    const m = await open(device(), byName(await open(device(), pumps[2]!), 'Motor'));
    expect(byName(m, 'Serial').part).toEqual({ indexRange: '', field: 'Pumps[2].Motor.Serial', more: null });
  });
});

describe('details of a field or element', () => {
  it('reads the value at that place, with its type; writing a part is not offered', async () => {
    const read = (nodeId: string, indexRange: string, field: string) =>
      service.readNode(dictionary, nodeId, { indexRange, field });
    expect(await read('ns=1;s=Plc.Structs.Pump1', '', 'Motor.Current')).toMatchObject({
      value: '12.75',
      dataType: 'Double',
      writable: false,
      statusText: 'Good',
      part: { indexRange: '', field: 'Motor.Current', more: null },
    });
    expect(await read('ns=1;s=Plc.Structs.Pumps', '1', 'Name')).toMatchObject({ value: 'P-201', dataType: 'String' });
    expect(await read('ns=1;s=Plc.Structs.Line', '', 'Pumps[2].Temperatures[1]')).toMatchObject({ value: '2.25' });
    expect(await read('ns=1;s=Plc.Arrays.Matrix', '1,2', '')).toMatchObject({ value: '12', dataType: 'Double' });
    expect((await service.readNode(dictionary, 'ns=1;s=Plc.Structs.Pump1')).part).toBeNull();
  });
});

describe('arrays and refusals', () => {
  it('a 1-D array lists its elements, a matrix its "row,column" elements; a range chooses which', async () => {
    const arrays = await folder(definition, 'Arrays');
    const dbl = byName(arrays, 'Double');
    expect(dbl).toMatchObject({ hasChildren: true, dataType: 'Double' });
    expect(summary(await open(definition, dbl))).toEqual(
      [0, 1, 2, 3, 4].map((i) => [`[${i}]`, 'Double', String(i), '', false]),
    );
    const matrix = await open(definition, byName(arrays, 'Matrix'));
    expect(matrix.map((r) => r.part?.indexRange)).toEqual([
      ...['0,0', '0,1', '0,2', '0,3'],
      ...['1,0', '1,1', '1,2', '1,3'],
      ...['2,0', '2,1', '2,2', '2,3'],
    ]);
    expect((await open(definition, byName(arrays, 'Matrix'), '1:2,2:3')).map((r) => r.part?.indexRange)).toEqual([
      '1,2',
      '1,3',
      '2,2',
      '2,3',
    ]);
    expect((await open(definition, dbl, '3:9')).map((r) => r.displayName)).toEqual(['[3]', '[4]']);
    expect(await open(definition, byName(arrays, 'Empty'))).toEqual([]);
    // Every offered row is a valid tag address.
    for (const r of [...matrix, ...(await open(definition, dbl))]) {
      expect(() =>
        OpcUaTag.parse({
          name: r.displayName,
          nodeId: r.nodeId,
          indexRange: r.part!.indexRange,
          field: r.part!.field,
          browsePath: r.browsePath,
        }),
      ).not.toThrow();
    }
  });

  it('says why it cannot list: a structure without a definition, a range outside the array', async () => {
    const structs = await folder(definition, 'Structs');
    const opaque = byName(structs, 'Opaque');
    const e = await open(definition, opaque).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OpcUaBrowseError);
    expect((e as OpcUaBrowseError).message).toMatch(
      /^ns=1;s=Plc\.Structs\.Opaque: structure type ns=1;[is]=.+ has no definition on the server: its fields cannot be listed$/,
    );
    const arrays = await folder(definition, 'Arrays');
    const out = await open(definition, byName(arrays, 'Double'), '7:9').catch((x: unknown) => x);
    expect((out as OpcUaBrowseError).message).toBe(
      'ns=1;s=Plc.Arrays.Double: element 7:9 is outside the array (5 elements)',
    );
    const wrong = await service
      .browse(definition, { nodeId: 'ns=1;s=Plc.Structs.Pump1', field: 'Motor.Speedx' })
      .catch((x: unknown) => x);
    expect((wrong as OpcUaBrowseError).message).toBe(
      'ns=1;s=Plc.Structs.Pump1: field Motor.Speedx not in Motor_t (fields: Current, Temperature, Serial)',
    );
  });
});
