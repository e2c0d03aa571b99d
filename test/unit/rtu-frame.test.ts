import { describe, expect, it } from 'vitest';
import { ModbusExceptionError, ModbusFrameError } from '../../main/collect/modbus/errors.js';
import { encodeRequest, type ModbusRequest } from '../../main/collect/modbus/pdu.js';
import { RtuResponseReader, crc16, encodeRtuFrame, rtuResponseLength } from '../../main/collect/modbus/rtu-frame.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** Appends the CRC the way a device would. */
const withCrc = (s: string): Buffer => {
  const body = hex(s);
  const crc = Buffer.alloc(2);
  crc.writeUInt16LE(crc16(body));
  return Buffer.concat([body, crc]);
};

const read10: ModbusRequest = { fc: 3, address: 0, quantity: 10 };
// The answer pymodbus gives to read10 when HR 0..9 hold 0..9 (captured from the real server).
const read10Answer = hex('01 03 14 0000 0001 0002 0003 0004 0005 0006 0007 0008 0009 cd 51');

describe('CRC-16/MODBUS', () => {
  it('matches published vectors', () => {
    expect(crc16(hex('01 03 00 00 00 0A'))).toBe(0xcdc5);
    expect(crc16(Buffer.from('123456789'))).toBe(0x4b37); // the CRC catalogue's check value
    expect(crc16(hex('11 03 00 6B 00 03'))).toBe(0x8776); // the spec's example request, sent 76 87
  });
});

describe('encodeRtuFrame', () => {
  it('puts unit id, PDU and the CRC low byte first', () => {
    expect(encodeRtuFrame(1, encodeRequest(read10))).toEqual(hex('01 03 00 00 00 0A C5 CD'));
    expect(encodeRtuFrame(0x11, encodeRequest({ fc: 3, address: 0x6b, quantity: 3 }))).toEqual(
      hex('11 03 00 6B 00 03 76 87'),
    );
  });

  it('refuses an empty PDU', () => {
    expect(() => encodeRtuFrame(1, Buffer.alloc(0))).toThrow(ModbusFrameError);
  });
});

describe('rtuResponseLength', () => {
  it('knows each function code', () => {
    expect(rtuResponseLength(hex('01'), read10)).toBeNull();
    expect(rtuResponseLength(hex('01 03'), read10)).toBeNull();
    expect(rtuResponseLength(hex('01 03 14'), read10)).toBe(25);
    expect(rtuResponseLength(hex('01 83'), read10)).toBe(5);
    expect(rtuResponseLength(hex('01 01 02'), { fc: 1, address: 0, quantity: 10 })).toBe(7);
    expect(rtuResponseLength(hex('01 05'), { fc: 5, address: 0, value: true })).toBe(8);
    expect(rtuResponseLength(hex('01 10'), { fc: 16, address: 0, values: [1] })).toBe(8);
  });

  it('rejects a function code that cannot answer the request', () => {
    expect(() => rtuResponseLength(hex('01 04'), read10)).toThrow(ModbusFrameError);
  });
});

describe('RtuResponseReader', () => {
  it('decodes a whole frame', () => {
    const r = new RtuResponseReader(1, read10);
    expect(r.push(read10Answer)).toEqual({ fc: 3, registers: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] });
  });

  it('reassembles a frame split at every possible point, and byte by byte', () => {
    for (let cut = 1; cut < read10Answer.length; cut++) {
      const r = new RtuResponseReader(1, read10);
      expect(r.push(read10Answer.subarray(0, cut))).toBeNull();
      expect(r.received).toBe(cut);
      expect(r.push(read10Answer.subarray(cut))).toEqual({ fc: 3, registers: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] });
    }
    const r = new RtuResponseReader(1, read10);
    const results = [...read10Answer].map((b) => r.push(Buffer.from([b])));
    expect(results.slice(0, -1).every((x) => x === null)).toBe(true);
    expect(results.at(-1)).toEqual({ fc: 3, registers: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] });
  });

  it('ignores bytes after the frame', () => {
    const r = new RtuResponseReader(1, read10);
    expect(r.push(Buffer.concat([read10Answer, hex('ff ff')]))).not.toBeNull();
    expect(r.push(hex('01 03'))).toBeNull();
  });

  it('throws ModbusFrameError on a bad CRC', () => {
    const bad = Buffer.from(read10Answer);
    bad[5] = bad[5]! ^ 0x01;
    const r = new RtuResponseReader(1, read10);
    expect(() => r.push(bad)).toThrow(ModbusFrameError);
    expect(() => new RtuResponseReader(1, read10).push(bad)).toThrow(/CRC error/);
  });

  it('rejects a frame from another unit', () => {
    const other = withCrc('02 03 14' + '0000'.repeat(10));
    expect(() => new RtuResponseReader(1, read10).push(other)).toThrow(ModbusFrameError);
    expect(() => new RtuResponseReader(1, read10).push(other)).toThrow(/unit 2 while waiting for unit 1/);
  });

  it('turns a 5-byte exception frame into ModbusExceptionError, split or not', () => {
    const frame = withCrc('01 83 02');
    expect(frame).toEqual(hex('01 83 02 C0 F1'));
    const r = new RtuResponseReader(1, { fc: 3, address: 150, quantity: 1 });
    expect(r.push(frame.subarray(0, 2))).toBeNull();
    let caught: unknown;
    try {
      r.push(frame.subarray(2));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ModbusExceptionError);
    expect(caught).toMatchObject({ functionCode: 3, exceptionCode: 2 });
  });

  it('decodes bit reads and write echoes', () => {
    const coils = new RtuResponseReader(1, { fc: 1, address: 0, quantity: 8 });
    expect(coils.push(withCrc('01 01 01 8D'))).toEqual({
      fc: 1,
      bits: [true, false, true, true, false, false, false, true],
    });
    const single = new RtuResponseReader(1, { fc: 5, address: 3, value: true });
    expect(single.push(withCrc('01 05 00 03 FF 00'))).toEqual({ fc: 5, address: 3, value: true });
    const many = new RtuResponseReader(7, { fc: 16, address: 10, values: [1, 2, 3] });
    expect(many.push(withCrc('07 10 00 0A 00 03'))).toEqual({ fc: 16, address: 10, quantity: 3 });
  });

  it('rejects a byte count that does not fit the request', () => {
    // A well-formed frame with CRC, but 2 registers where 10 were asked for.
    const short = withCrc('01 03 04 0000 0001');
    expect(() => new RtuResponseReader(1, read10).push(short)).toThrow(ModbusFrameError);
  });
});
