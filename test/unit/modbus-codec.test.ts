import { describe, expect, it } from 'vitest';
import { FrameReader, encodeFrame } from '../../main/collect/modbus/mbap.js';
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  exceptionMessage,
} from '../../main/collect/modbus/pdu.js';
import { ModbusExceptionError, ModbusFrameError, ModbusRequestError } from '../../main/collect/modbus/errors.js';
import { planReads, splitBlock, type PlanItem } from '../../main/collect/modbus/plan.js';
import { formatModicon } from '../../main/domain/device/modbus-address.js';

const hex = (b: Buffer): string => b.toString('hex');

describe('Modbus PDU', () => {
  it('encodes read requests as in the spec examples', () => {
    expect(hex(encodeRequest({ fc: 3, address: 107, quantity: 3 }))).toBe('03006b0003');
    expect(hex(encodeRequest({ fc: 1, address: 19, quantity: 19 }))).toBe('0100130013');
    expect(hex(encodeRequest({ fc: 5, address: 172, value: true }))).toBe('0500acff00');
    expect(hex(encodeRequest({ fc: 6, address: 1, value: 3 }))).toBe('0600010003');
    expect(
      hex(
        encodeRequest({
          fc: 15,
          address: 19,
          values: [true, false, true, true, false, false, true, true, true, false],
        }),
      ),
    ).toBe('0f0013000a02cd01');
    expect(hex(encodeRequest({ fc: 16, address: 1, values: [0x000a, 0x0102] }))).toBe('100001000204000a0102');
  });

  it('refuses out-of-range requests with a typed error', () => {
    expect(() => encodeRequest({ fc: 3, address: 0, quantity: 126 })).toThrow(ModbusRequestError);
    expect(() => encodeRequest({ fc: 1, address: 0, quantity: 2001 })).toThrow(ModbusRequestError);
    expect(() => encodeRequest({ fc: 3, address: 65530, quantity: 10 })).toThrow(ModbusRequestError);
  });

  it('round-trips requests through the server-side decoder', () => {
    const reqs = [
      { fc: 4 as const, address: 8, quantity: 1 },
      { fc: 5 as const, address: 3, value: false },
      { fc: 15 as const, address: 19, values: [true, false, true] },
      { fc: 16 as const, address: 100, values: [1, 65535, 0] },
    ];
    for (const r of reqs) expect(decodeRequest(encodeRequest(r))).toEqual(r);
    expect(() => decodeRequest(Buffer.from([0x2b, 0x0e]))).toThrow(ModbusExceptionError);
  });

  it('decodes responses and matches them to the request', () => {
    const read = { fc: 3 as const, address: 107, quantity: 3 };
    expect(decodeResponse(Buffer.from('0306022b00000064', 'hex'), read)).toEqual({
      fc: 3,
      registers: [0x022b, 0, 0x64],
    });
    const bits = { fc: 1 as const, address: 19, quantity: 19 };
    const r = decodeResponse(Buffer.from('0103cd6b05', 'hex'), bits);
    expect('bits' in r && r.bits.map(Number).join('')).toBe('1011001111010110101');
    expect(() => decodeResponse(Buffer.from('0304022b0000', 'hex'), read)).toThrow(ModbusFrameError);
    expect(hex(encodeResponse({ fc: 3, registers: [0x022b, 0, 0x64] }))).toBe('0306022b00000064');
    expect(hex(encodeResponse({ fc: 1, bits: [true, false, true] }))).toBe('010105');
  });

  it('turns exception responses into plain-language errors with the address', () => {
    const req = { fc: 3 as const, address: 119, quantity: 1 };
    let err: unknown;
    try {
      decodeResponse(Buffer.from([0x83, 0x02]), req);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ModbusExceptionError);
    expect((err as ModbusExceptionError).code).toBe('exception');
    expect((err as ModbusExceptionError).exceptionCode).toBe(2);
    expect((err as Error).message).toBe('exception 02: illegal data address 40120');
    expect(exceptionMessage(2, { fc: 1, address: 0, quantity: 8 })).toBe('illegal data address 00001 (8 from there)');
    expect(exceptionMessage(1, { fc: 4, address: 0, quantity: 1 })).toBe('illegal function 4');
    expect(exceptionMessage(11)).toBe('gateway target device failed to respond');
    expect(hex(encodeResponse({ fc: 3, exception: 2 }))).toBe('8302');
    expect(formatModicon('input', 0)).toBe('30001');
    expect(formatModicon('holding', 20000)).toBe('420001');
  });
});

describe('MBAP framing', () => {
  it('encodes a frame header', () => {
    expect(hex(encodeFrame(0x1234, 17, Buffer.from('03006b0003', 'hex')))).toBe('1234000000061103006b0003');
  });

  it('reassembles partial frames and splits multiple frames per chunk', () => {
    const a = encodeFrame(1, 1, Buffer.from('0304000a0014', 'hex'));
    const b = encodeFrame(2, 1, Buffer.from('8302', 'hex'));
    const c = encodeFrame(3, 1, Buffer.from('0101ff', 'hex'));
    const stream = Buffer.concat([a, b, c]);
    const reader = new FrameReader();
    // Feed byte by byte, then all at once: same frames either way.
    const oneByOne = [...stream].flatMap((byte) => reader.push(Buffer.from([byte])));
    expect(oneByOne.map((f) => f.transactionId)).toEqual([1, 2, 3]);
    expect(hex(oneByOne[1]!.pdu)).toBe('8302');
    const all = new FrameReader().push(stream);
    expect(all.map((f) => hex(f.pdu))).toEqual(['0304000a0014', '8302', '0101ff']);
    const split = new FrameReader();
    expect(split.push(stream.subarray(0, 10))).toHaveLength(0);
    expect(split.push(stream.subarray(10, 22)).map((f) => f.transactionId)).toEqual([1, 2]);
    expect(split.pending).toBe(22 - a.length - b.length);
    expect(split.push(stream.subarray(22)).map((f) => f.transactionId)).toEqual([3]);
  });

  it('rejects a non-Modbus stream, saying which header field is wrong', () => {
    // "GET / HTTP/1.1": bytes 2-3 ("T ") as the protocol id.
    expect(() => new FrameReader().push(Buffer.from('474554202f20485454502f312e310d0a', 'hex'))).toThrow(
      new ModbusFrameError('protocol id 21536 (Modbus TCP sends 0)'),
    );
    const tooLong = encodeFrame(1, 1, Buffer.from('0302002a', 'hex'));
    tooLong.writeUInt16BE(300, 4);
    expect(() => new FrameReader().push(tooLong)).toThrow(
      new ModbusFrameError('a frame length of 300 (Modbus TCP allows 2 to 254)'),
    );
  });
});

describe('read planning', () => {
  const item = (
    area: PlanItem<string>['area'],
    address: number,
    dataType: PlanItem<string>['dataType'],
    tag = `${area}${address}`,
  ): PlanItem<string> => ({ tag, area, address, dataType });

  it('merges neighbours and small gaps per area into few reads', () => {
    const blocks = planReads([
      item('holding', 0, 'float32'),
      item('holding', 2, 'float32'),
      item('holding', 10, 'uint16'),
      item('holding', 200, 'int32'),
      item('coil', 0, 'bool'),
      item('coil', 5, 'bool'),
      item('input', 4, 'int16'),
    ]);
    expect(blocks.map((b) => [b.fc, b.address, b.quantity, b.items.length])).toEqual([
      [1, 0, 6, 2],
      [4, 4, 1, 1],
      [3, 0, 11, 3],
      [3, 200, 2, 1],
    ]);
    expect(blocks[2]!.items.map((i) => i.offset)).toEqual([0, 2, 10]);
  });

  it('respects the 125 register and 2000 bit limits', () => {
    const regs = Array.from({ length: 100 }, (_, i) => item('holding', i * 2, 'float32'));
    const rb = planReads(regs);
    expect(rb.map((b) => b.quantity)).toEqual([124, 76]);
    expect(rb.every((b) => b.quantity <= 125)).toBe(true);
    const bits = Array.from({ length: 4500 }, (_, i) => item('discrete', i, 'bool'));
    expect(planReads(bits).map((b) => b.quantity)).toEqual([2000, 2000, 500]);
    expect(planReads(regs, { maxRegisterGap: 0 }).length).toBe(2);
  });

  it('does not bridge large gaps; a refused block splits into tight halves down to one tag', () => {
    const blocks = planReads([item('holding', 0, 'uint16'), item('holding', 50, 'uint16')]);
    expect(blocks).toHaveLength(2);
    const merged = planReads([
      item('holding', 0, 'uint16'),
      item('holding', 5, 'float32'),
      item('holding', 9, 'float64'),
    ]);
    expect(merged.map((b) => [b.address, b.quantity])).toEqual([[0, 13]]);
    const [left, right] = splitBlock(merged[0]!)!;
    expect([left.address, left.quantity, left.items.map((i) => i.offset)]).toEqual([0, 7, [0, 5]]);
    expect([right.address, right.quantity, right.items.map((i) => i.offset)]).toEqual([9, 4, [0]]);
    const [a, b] = splitBlock(left)!;
    expect([a.address, a.quantity, b.address, b.quantity]).toEqual([0, 1, 5, 2]);
    expect(splitBlock(a)).toBeNull();
  });

  it('strings take their length in registers; every block stays within the device limit', () => {
    const blocks = planReads(
      [{ tag: 's', area: 'holding', address: 0, dataType: 'string', length: 20 }, item('holding', 20, 'uint16')],
      { maxRegisters: 16 },
    );
    expect(blocks.map((b) => [b.address, b.quantity])).toEqual([
      [0, 20],
      [20, 1],
    ]);
  });
});
