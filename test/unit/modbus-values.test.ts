import { describe, expect, it } from 'vitest';
import {
  decodeRegisters,
  decodeString,
  encodeRegisters,
  encodeString,
  hexWord,
  scaleValue,
  unscaleValue,
  type ValueSpec,
} from '../../main/collect/modbus/values.js';
import { formatModicon, parseModicon } from '../../main/domain/device/modbus-address.js';
import { ModbusTag, ModbusSettings } from '../../main/domain/device/modbus-schema.js';
import { describeTagAddress } from '../../main/domain/device/tag-address.js';

const spec = (dataType: ValueSpec['dataType'], wordOrder: ValueSpec['wordOrder'] = 'ABCD'): ValueSpec => ({
  dataType,
  wordOrder,
});

describe('Modbus values in every byte and word order', () => {
  // Known wire images, written out by hand from the big-endian bytes.
  // 123.456f = 42 F6 E9 79; -123456789 = F8 A4 32 EB
  const cases32 = [
    { wo: 'ABCD' as const, f: [0x42f6, 0xe979], i: [0xf8a4, 0x32eb] },
    { wo: 'CDAB' as const, f: [0xe979, 0x42f6], i: [0x32eb, 0xf8a4] },
    { wo: 'BADC' as const, f: [0xf642, 0x79e9], i: [0xa4f8, 0xeb32] },
    { wo: 'DCBA' as const, f: [0x79e9, 0xf642], i: [0xeb32, 0xa4f8] },
  ];
  it.each(cases32)('32-bit types in $wo', ({ wo, f, i }) => {
    expect(decodeRegisters(f, spec('float32', wo))).toBeCloseTo(123.456, 4);
    expect(decodeRegisters(i, spec('int32', wo))).toBe(-123456789);
    expect(decodeRegisters(i, spec('uint32', wo))).toBe(0xf8a432eb);
    expect(encodeRegisters(-123456789, spec('int32', wo))).toEqual(i);
    expect(encodeRegisters(123.456, spec('float32', wo))).toEqual(f);
  });

  // 1234567890123.5 (float64) = 42 71 F7 1F B0 4C B8 00; -1234567890123456 (int64) = FF FB 9D 2A C3 75 45 40
  const cases64 = [
    { wo: 'ABCD' as const, d: [0x4271, 0xf71f, 0xb04c, 0xb800], i: [0xfffb, 0x9d2a, 0xc375, 0x4540] },
    { wo: 'CDAB' as const, d: [0xb800, 0xb04c, 0xf71f, 0x4271], i: [0x4540, 0xc375, 0x9d2a, 0xfffb] },
    { wo: 'BADC' as const, d: [0x7142, 0x1ff7, 0x4cb0, 0x00b8], i: [0xfbff, 0x2a9d, 0x75c3, 0x4045] },
    { wo: 'DCBA' as const, d: [0x00b8, 0x4cb0, 0x1ff7, 0x7142], i: [0x4045, 0x75c3, 0x2a9d, 0xfbff] },
  ];
  it.each(cases64)('64-bit types in $wo', ({ wo, d, i }) => {
    expect(decodeRegisters(d, spec('float64', wo))).toBe(1234567890123.5);
    expect(encodeRegisters(1234567890123.5, spec('float64', wo))).toEqual(d);
    expect(decodeRegisters(i, spec('int64', wo))).toBe(-1234567890123456);
    expect(encodeRegisters(-1234567890123456, spec('int64', wo))).toEqual(i);
    expect(decodeRegisters(i, spec('uint64', wo))).toBe(Number(0xfffb9d2ac3754540n));
  });

  it('16-bit types see only the byte swap', () => {
    expect(decodeRegisters([0xfffe], spec('int16'))).toBe(-2);
    expect(decodeRegisters([0xfffe], spec('uint16'))).toBe(65534);
    expect(decodeRegisters([0x3412], spec('uint16', 'BADC'))).toBe(0x1234);
    expect(decodeRegisters([0x3412], spec('uint16', 'DCBA'))).toBe(0x1234);
    expect(decodeRegisters([0x3412], spec('uint16', 'CDAB'))).toBe(0x3412);
    expect(encodeRegisters(0x1234, spec('uint16', 'BADC'))).toEqual([0x3412]);
  });

  it('bits of a register, read and written without touching the others', () => {
    const b = (bit: number, wordOrder: ValueSpec['wordOrder'] = 'ABCD'): ValueSpec => ({
      dataType: 'bool',
      wordOrder,
      bit,
    });
    expect(decodeRegisters([0b1000_0000_0000_0101], b(0))).toBe(1);
    expect(decodeRegisters([0b1000_0000_0000_0101], b(1))).toBe(0);
    expect(decodeRegisters([0b1000_0000_0000_0101], b(15))).toBe(1);
    // byte-swapped device: bit 0 of the value lives in the wire's high byte
    expect(decodeRegisters([0x0100], b(0, 'BADC'))).toBe(1);
    expect(encodeRegisters(1, b(3), 0b0101)).toEqual([0b1101]);
    expect(encodeRegisters(0, b(0), 0b0101)).toEqual([0b0100]);
    expect(encodeRegisters(1, b(0, 'BADC'), 0x0000)).toEqual([0x0100]);
  });

  it('strings: two characters per register, optionally byte-swapped, NUL padded', () => {
    // "PUMP-101" ABCD: 'P''U' 'M''P' '-''1' '0''1'
    const regs = [0x5055, 0x4d50, 0x2d31, 0x3031, 0x0000];
    expect(decodeString(regs, 5, 'ABCD')).toBe('PUMP-101');
    expect(encodeString('PUMP-101', 5, 'ABCD')).toEqual(regs);
    const swapped = regs.map((w) => ((w & 0xff) << 8) | (w >> 8));
    expect(decodeString(swapped, 5, 'BADC')).toBe('PUMP-101');
    expect(encodeString('PUMP-101', 5, 'BADC')).toEqual(swapped);
    expect(decodeString([0x4142, 0x2020], 2, 'ABCD')).toBe('AB');
    expect(() => encodeString('too long for two', 2, 'ABCD')).toThrow(RangeError);
  });

  it('refuses values a type cannot hold instead of truncating them', () => {
    expect(() => encodeRegisters(70000, spec('uint16'))).toThrow(/outside the uint16 range/);
    expect(() => encodeRegisters(-1, spec('uint32'))).toThrow(RangeError);
    expect(() => encodeRegisters(1.5, spec('int16'))).toThrow(/whole number/);
    expect(() => encodeRegisters(-1, spec('uint64'))).toThrow(RangeError);
    expect(encodeRegisters(NaN, spec('float32'))).toEqual([0x7fc0, 0]);
  });

  it('scale and offset both ways; NaN patterns become no value', () => {
    expect(scaleValue(1234, 0.1, -20)).toBeCloseTo(103.4, 10);
    expect(unscaleValue(103.4, 0.1, -20, 'int16')).toBe(1234);
    expect(scaleValue(decodeRegisters([0x7fc0, 0], spec('float32')), 1, 0)).toBeNull();
    expect(hexWord(0x1a)).toBe('0x001A');
  });
});

describe('Modicon addresses', () => {
  it('reads and writes 5- and 6-digit forms for every table', () => {
    expect(parseModicon('40001')).toEqual({ ok: true, area: 'holding', address: 0 });
    expect(parseModicon('30011')).toEqual({ ok: true, area: 'input', address: 10 });
    expect(parseModicon('00001')).toEqual({ ok: true, area: 'coil', address: 0 });
    expect(parseModicon('10017')).toEqual({ ok: true, area: 'discrete', address: 16 });
    expect(parseModicon('465536')).toEqual({ ok: true, area: 'holding', address: 65535 });
    expect(parseModicon('4x0005')).toEqual({ ok: true, area: 'holding', address: 4 });
    expect(formatModicon('holding', 0)).toBe('40001');
    expect(formatModicon('holding', 9999)).toBe('410000');
    expect(formatModicon('coil', 5)).toBe('00006');
  });

  it('says what is wrong with a bad address', () => {
    expect(parseModicon('40000')).toMatchObject({ ok: false, message: expect.stringMatching(/start at 1/) as string });
    expect(parseModicon('20001')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/not a Modicon/) as string,
    });
    expect(parseModicon('465537')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/past the last/) as string,
    });
  });
});

describe('Modbus tag and settings validation', () => {
  const tag = (t: Record<string, unknown>) => ModbusTag.safeParse({ name: 't', area: 'holding', address: 0, ...t });

  it('accepts every type, the 64-bit order spellings, and fills defaults', () => {
    const r = tag({ dataType: 'float64', wordOrder: 'GHEFCDAB' });
    expect(r.success && r.data.wordOrder).toBe('CDAB');
    expect(tag({ dataType: 'string', length: 10 }).success).toBe(true);
    expect(tag({ dataType: 'bool', bit: 15 }).success).toBe(true);
    expect(tag({ area: 'coil', dataType: 'bool' }).success).toBe(true);
  });

  it('names the bad field', () => {
    const path = (r: ReturnType<typeof tag>) => (r.success ? null : r.error.issues.map((i) => i.path.join('.')));
    expect(path(tag({ dataType: 'bool' }))).toEqual(['bit']);
    expect(path(tag({ area: 'coil', dataType: 'uint16' }))).toEqual(['dataType']);
    expect(path(tag({ dataType: 'uint16', bit: 3 }))).toEqual(['bit']);
    expect(path(tag({ address: 65535, dataType: 'float32' }))).toEqual(['address']);
    expect(path(tag({ dataType: 'string', length: 2, scale: 2 }))).toEqual(['scale']);
    expect(path(tag({ dataType: 'float32', wordOrder: 'XYZW' }))).toEqual(['wordOrder']);
  });

  it('requires the fields of the chosen transport', () => {
    const issues = (s: Record<string, unknown>) => {
      const r = ModbusSettings.safeParse(s);
      return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
    };
    expect(issues({ host: '10.0.0.5' })).toEqual([]);
    expect(issues({})).toEqual(['host']);
    expect(issues({ transport: 'rtu' })).toEqual(['serial.path']);
    expect(issues({ transport: 'rtu', serial: { path: '/dev/ttyUSB0' }, unitId: 250 })).toEqual(['unitId']);
    expect(issues({ transport: 'rtu', serial: { path: 'COM3', baudRate: 12345 } })).toEqual(['serial.baudRate']);
  });

  it('describes addresses as engineers read them', () => {
    const t = (x: Record<string, unknown>) => ModbusTag.parse({ name: 't', area: 'holding', address: 10, ...x });
    expect(describeTagAddress('modbus', t({ dataType: 'float64', wordOrder: 'DCBA' }))).toBe(
      'HR 10 (40011) float64 HGFEDCBA',
    );
    expect(describeTagAddress('modbus', t({ dataType: 'bool', bit: 4 }))).toBe('HR 10 (40011) bit 4');
    expect(describeTagAddress('modbus', t({ dataType: 'string', length: 8, wordOrder: 'BADC' }))).toBe(
      'HR 10 (40011) string[16] byte-swapped',
    );
    expect(describeTagAddress('modbus', t({ area: 'coil', dataType: 'bool' }))).toBe('Coil 10 (00011)');
  });
});
