import { describe, expect, it } from 'vitest';
import { csvColumns, describeCsvProblem, parseCsv, toCsv } from '../../main/domain/device/modbus-csv.js';
import {
  ModbusTag,
  modbusDataTypes,
  modbusWordOrders,
  type ModbusDataType,
  type ModbusTag as Tag,
} from '../../main/domain/device/modbus-schema.js';
import { StoragePolicy } from '../../main/domain/storage/storage-policy.js';

const tag = (input: Partial<Tag> & { name: string }): Tag => ModbusTag.parse({ area: 'holding', address: 0, ...input });

/** Every type in every order it can take, at distinct addresses, in both register tables. */
const everyTypeAndOrder = (): Tag[] => {
  const out: Tag[] = [];
  let address = 0;
  for (const area of ['holding', 'input'] as const) {
    for (const dataType of modbusDataTypes) {
      const orders = dataType === 'bool' ? (['ABCD'] as const) : modbusWordOrders;
      for (const wordOrder of orders) {
        out.push(
          tag({
            name: `${area} ${dataType} ${wordOrder}`,
            area,
            address,
            dataType,
            wordOrder,
            bit: dataType === 'bool' ? 7 : null,
            length: dataType === 'string' ? 10 : 1,
            scale: dataType === 'string' ? 1 : 0.1,
            offset: dataType === 'string' ? 0 : -273.15,
            unit: dataType === 'string' ? '' : '°C',
            pollIntervalMs: address % 3 === 0 ? 250 : null,
          }),
        );
        address += 20;
      }
    }
  }
  out.push(tag({ name: 'Pump run', area: 'coil', address: 12, dataType: 'bool' }));
  out.push(tag({ name: 'Trip', area: 'discrete', address: 65_535, dataType: 'bool' }));
  out.push(tag({ name: 'High offset', area: 'holding', address: 20_000, dataType: 'float32' }));
  return out;
};

describe('register map CSV', () => {
  it('round-trips every type and order', () => {
    const tags = everyTypeAndOrder();
    const text = toCsv(tags);
    const back = parseCsv(text);
    expect(back.problems).toEqual([]);
    expect(back.tags).toEqual(tags);
  });

  it('writes a header, both address forms and 8-letter orders for 64-bit values', () => {
    const text = toCsv([
      tag({ name: 'P-101 setpoint', address: 10, dataType: 'float32', wordOrder: 'CDAB', unit: 'bar' }),
      tag({ name: 'Energy', area: 'input', address: 100, dataType: 'float64', wordOrder: 'CDAB', unit: 'kWh' }),
    ]);
    const lines = text.split('\r\n');
    expect(lines[0]).toBe(csvColumns.join(','));
    expect(lines[1]).toBe('P-101 setpoint,holding,10,40011,float32,CDAB,,,1,0,bar,,,,,,,');
    expect(lines[2]).toBe('Energy,input,100,30101,float64,GHEFCDAB,,,1,0,kWh,,,,,,,');
    expect(lines[3]).toBe('');
  });

  it('quotes commas, quotes and surrounding spaces (RFC 4180)', () => {
    const tags = [
      tag({ name: 'Pump 1, discharge', unit: 'bar' }),
      tag({ name: 'Valve "FV-101"', address: 1 }),
      tag({ name: 'Tank', address: 2, unit: ' m³' }),
    ];
    const text = toCsv(tags);
    expect(text).toContain('"Pump 1, discharge"');
    expect(text).toContain('"Valve ""FV-101"""');
    const back = parseCsv(text);
    expect(back.problems).toEqual([]);
    expect(back.tags.map((t) => t.name)).toEqual(tags.map((t) => t.name));
  });

  it('reads newlines inside quoted fields (and the schema refuses them in names)', () => {
    const text = 'name,modicon,unit\r\n"Line one\r\nline two",40001,bar\r\n"ok, too",40002,"m³"\r\n';
    const { tags, problems } = parseCsv(text);
    expect(tags.map((t) => [t.name, t.unit])).toEqual([['ok, too', 'm³']]);
    expect(problems).toEqual([{ line: 2, column: 'name', message: 'no control characters' }]);
  });

  it('accepts free column order, any header case, a BOM, blank lines and LF line ends', () => {
    const text =
      '\uFEFFMODICON,Unit,Name,Type,Order\n\n40011,bar,P-101 setpoint,FLOAT32,cdab\n\n00013,,Pump run,bool,\n';
    const { tags, problems } = parseCsv(text);
    expect(problems).toEqual([]);
    expect(tags).toEqual([
      tag({ name: 'P-101 setpoint', address: 10, dataType: 'float32', wordOrder: 'CDAB', unit: 'bar' }),
      tag({ name: 'Pump run', area: 'coil', address: 12, dataType: 'bool' }),
    ]);
  });

  it('takes table + zero-based address, six-digit Modicon and table aliases', () => {
    const text = [
      'name,table,address,modicon,type,length',
      'a,4x,0,,uint16,',
      'b,Input Registers,5,,int32,',
      'c,,,465536,uint16,',
      'd,holding,9999,410000,string,',
      'e,hr,100,,string,8',
    ].join('\r\n');
    const { tags, problems } = parseCsv(text);
    expect(problems).toEqual([]);
    expect(tags.map((t) => [t.name, t.area, t.address, t.dataType, t.length])).toEqual([
      ['a', 'holding', 0, 'uint16', 1],
      ['b', 'input', 5, 'int32', 1],
      ['c', 'holding', 65_535, 'uint16', 1],
      ['d', 'holding', 9999, 'string', 1],
      ['e', 'holding', 100, 'string', 8],
    ]);
  });

  it('accepts the 64-bit order spellings and gives them back in the same spelling', () => {
    for (const [order, canonical] of [
      ['ABCDEFGH', 'ABCD'],
      ['GHEFCDAB', 'CDAB'],
      ['BADCFEHG', 'BADC'],
      ['HGFEDCBA', 'DCBA'],
    ] as const) {
      for (const type of ['int64', 'uint64', 'float64'] as ModbusDataType[]) {
        const { tags, problems } = parseCsv(`name,modicon,type,order\nx,40001,${type},${order}\n`);
        expect(problems).toEqual([]);
        expect(tags[0]!.wordOrder).toBe(canonical);
        expect(toCsv(tags)).toContain(`,${type},${order},`);
      }
    }
  });

  it('names line and column of every problem', () => {
    const text = [
      'name,table,address,type,order,bit,scale,colour', // line 1: unknown column
      'ok,holding,0,uint16,,,1,red', // 2
      'bad type,holding,1,int24,,,1,', // 3
      'comma decimal,holding,2,float32,,,"1,5",', // 4
      'no bit,holding,3,bool,,,1,', // 5
      'bad table,5x,4,uint16,,,1,', // 6
      'coil float,coil,5,float32,,,1,', // 7
      'ok,holding,6,uint16,,,1,', // 8: duplicate name
      'short,holding', // 9
      'bad order,holding,8,float32,ABDC,,1,', // 10
      'too far,holding,65535,float32,,,1,', // 11
    ].join('\n');
    const { tags, problems } = parseCsv(text);
    expect(tags.map((t) => t.name)).toEqual(['ok']);
    const where = problems.map((p) => [p.line, p.column]);
    expect(where).toEqual([
      [1, 'colour'],
      [3, 'type'],
      [4, 'scale'],
      [5, 'bit'],
      [6, 'table'],
      [7, 'type'],
      [8, 'name'],
      [9, ''],
      [10, 'order'],
      [11, 'address'],
    ]);
    expect(problems[0]!.message).toMatch(/unknown column "colour"/);
    expect(problems[2]!.message).toMatch(/decimals with a point/);
    expect(problems[3]!.message).toMatch(/needs a bit number/);
    expect(problems[6]!.message).toMatch(/duplicate name "ok" \(first on line 2\)/);
    expect(problems[7]!.message).toMatch(/2 fields, but the header has 8/);
    expect(problems[9]!.message).toMatch(/past the last address/);
    expect(describeCsvProblem(problems[1]!)).toMatch(/^line 3, column type: /);
  });

  it('lists the allowed values of a type or order it does not know, and the value it was given', () => {
    const { problems } = parseCsv('name,modicon,type,order\nb,40003,floaty,\nc,40004,float32,XYZW\n');
    expect(problems).toEqual([
      {
        line: 2,
        column: 'type',
        message: `"floaty" is not one of the allowed values: ${modbusDataTypes.join(', ')}`,
      },
      {
        line: 3,
        column: 'order',
        message:
          '"XYZW" is not one of the allowed values: ABCD, CDAB, BADC, DCBA, ABCDEFGH, GHEFCDAB, BADCFEHG, HGFEDCBA',
      },
    ]);
  });

  it('says a name is required when the name is empty or blank (one problem, not "no control characters")', () => {
    const { tags, problems } = parseCsv('name,modicon\n,40001\n   ,40002\nok,40003\n');
    expect(tags.map((t) => t.name)).toEqual(['ok']);
    expect(problems).toEqual([
      { line: 2, column: 'name', message: 'a name is required' },
      { line: 3, column: 'name', message: 'a name is required' },
    ]);
  });

  it('keeps plain words for number limits', () => {
    const { problems } = parseCsv('name,modicon,type,length\ns,40001,string,0\n');
    expect(problems).toEqual([{ line: 2, column: 'length', message: 'at least 1' }]);
  });

  it('counts lines inside quoted fields so later problems point at the right line', () => {
    const text = 'name,modicon,unit,type\nok,40001,"two\nlines",uint16\nbad,40002,,nope\n';
    const { tags, problems } = parseCsv(text);
    expect(tags.map((t) => t.unit)).toEqual(['two\nlines']);
    expect(problems).toEqual([{ line: 4, column: 'type', message: expect.any(String) as string }]);
  });

  it('reports Modicon addresses that disagree with table or address', () => {
    const { problems } = parseCsv('name,table,address,modicon\na,input,0,40001\nb,holding,3,40001\nc,,,50001\n');
    expect(problems.map((p) => [p.line, p.column])).toEqual([
      [2, 'modicon'],
      [3, 'modicon'],
      [4, 'modicon'],
    ]);
  });

  it('reports quoting mistakes and a missing header', () => {
    expect(parseCsv('').problems).toEqual([
      { line: 1, column: '', message: expect.stringMatching(/header/) as string },
    ]);
    expect(parseCsv('name,unit\nx,bar\n').problems[0]).toMatchObject({ line: 1, column: 'address' });
    const unclosed = parseCsv('name,modicon\n"open,40001\n');
    expect(unclosed.problems[0]).toMatchObject({ line: 2, message: expect.stringMatching(/not closed/) as string });
    const stray = parseCsv('name,modicon\nsay "hi",40001\n');
    expect(stray.problems[0]).toMatchObject({ line: 2, message: expect.stringMatching(/quote inside/) as string });
  });

  it('round-trips storage overrides and spans, and tags on the device default', () => {
    const tags = [
      tag({ name: 'default', address: 0 }),
      tag({ name: 'every', address: 1, storage: StoragePolicy.parse({ mode: 'every', maxIntervalS: 60 }) }),
      tag({
        name: 'deadband',
        address: 2,
        dataType: 'float32',
        storage: StoragePolicy.parse({ deadband: 0.5, compression: 0.1 }),
      }),
      tag({
        name: 'percent',
        address: 4,
        dataType: 'float32',
        storage: StoragePolicy.parse({ deadband: 2, band: 'percent', compression: 0.25, maxIntervalS: 3600 }),
        spanLow: -50,
        spanHigh: 150,
      }),
      tag({ name: 'percent lossless', address: 6, storage: StoragePolicy.parse({ band: 'percent' }), spanLow: 0 }),
    ];
    const text = toCsv(tags);
    const lines = text.split('\r\n');
    expect(lines[1]!.endsWith(',,,,,,,')).toBe(true);
    expect(lines[4]).toContain(',change,2%,3600,0.25%,-50,150');
    const back = parseCsv(text);
    expect(back.problems).toEqual([]);
    expect(back.tags).toEqual(tags);
    expect(back.tags.map((t) => t.storage === null)).toEqual([true, false, false, false, false]);
  });

  it('imports an old CSV without storage or span columns: device default, no span', () => {
    const { tags, problems } = parseCsv(
      'name,table,address,modicon,type,order,bit,length,scale,offset,unit,poll_ms\nT,holding,0,40001,uint16,,,,1,0,,\n',
    );
    expect(problems).toEqual([]);
    expect(tags[0]).toMatchObject({ storage: null, spanLow: null, spanHigh: null });
  });

  it('reads a storage override with only some columns given (defaults for the rest)', () => {
    const { tags, problems } = parseCsv('name,modicon,store,deadband\na,40001,change,1.5\nb,40002,EVERY,\n');
    expect(problems).toEqual([]);
    expect(tags.map((t) => t.storage)).toEqual([
      StoragePolicy.parse({ deadband: 1.5 }),
      StoragePolicy.parse({ mode: 'every' }),
    ]);
  });

  it('names line and column of every storage and span problem', () => {
    const text = [
      'name,modicon,store,deadband,max_interval_s,compression,span_low,span_high',
      'ok,40001,change,2%,60,0.5%,0,100', // 2
      'mode,40002,sometimes,,,,,', // 3
      'no store,40003,,0.5,,,,', // 4
      'bad deadband,40004,change,half,,,,', // 5
      'comma,40005,change,"0,5",,,,', // 6
      'mixed bands,40006,change,2%,,0.5,,', // 7
      'max,40007,change,,0,,,', // 8
      'max text,40008,change,,1.5,,,', // 9
      'every lossy,40009,every,0.5,,,,', // 10
      'percent no span,40010,change,2%,,,,', // 11
      'bad span,40011,,,,,low,', // 12
      'negative,40012,change,-1,,,,', // 13
      'percent over,40013,change,150%,,,0,10', // 14
    ].join('\n');
    const { tags, problems } = parseCsv(text);
    expect(tags.map((t) => t.name)).toEqual(['ok']);
    expect(problems.map((p) => [p.line, p.column])).toEqual([
      [3, 'store'],
      [4, 'deadband'],
      [5, 'deadband'],
      [6, 'deadband'],
      [7, 'compression'],
      [8, 'max_interval_s'],
      [9, 'max_interval_s'],
      [10, 'store'],
      [11, 'span_low'],
      [12, 'span_low'],
      [13, 'deadband'],
      [14, 'deadband'],
    ]);
    const message = (line: number): string => problems.find((p) => p.line === line)!.message;
    expect(message(3)).toMatch(/"sometimes" is not a storage mode; use every or change/);
    expect(message(4)).toMatch(/set "store" to change/);
    expect(message(5)).toMatch(/"half" is not a deadband/);
    expect(message(6)).toMatch(/decimals with a point/);
    expect(message(7)).toMatch(/both in % of span or both in engineering units/);
    expect(message(8)).toBe('at least 1 s');
    expect(message(9)).toMatch(/whole number of seconds/);
    expect(message(10)).toMatch(/choose "on change"/);
    expect(message(11)).toBe("a percent deadband or deviation needs the tag's span (low below high)");
    expect(message(12)).toMatch(/"low" is not a number/);
    expect(message(14)).toBe('a percent deadband is 0 to 100');
  });
});
