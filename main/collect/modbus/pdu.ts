import { formatModicon } from '../../domain/device/modbus-address.js';
import { areaOfFunction } from './addresses.js';
import { ModbusExceptionError, ModbusFrameError, ModbusRequestError } from './errors.js';

/**
 * Modbus PDU encode/decode for the function codes a data collector and our demo server need:
 * 1/2 read bits, 3/4 read registers, 5/6 write single, 15/16 write multiple, plus exceptions.
 * Limits are the spec's (125 registers / 2000 bits per read, 123 / 1968 per write).
 */

export type ReadFunction = 1 | 2 | 3 | 4;

export type ModbusRequest =
  | { fc: ReadFunction; address: number; quantity: number }
  | { fc: 5; address: number; value: boolean }
  | { fc: 6; address: number; value: number }
  | { fc: 15; address: number; values: boolean[] }
  | { fc: 16; address: number; values: number[] };

export type ModbusResponse =
  | { fc: 1 | 2; bits: boolean[] }
  | { fc: 3 | 4; registers: number[] }
  | { fc: 5; address: number; value: boolean }
  | { fc: 6; address: number; value: number }
  | { fc: 15 | 16; address: number; quantity: number }
  | { fc: number; exception: number };

export const ExceptionCodes = {
  IllegalFunction: 1,
  IllegalDataAddress: 2,
  IllegalDataValue: 3,
  ServerDeviceFailure: 4,
  Acknowledge: 5,
  ServerDeviceBusy: 6,
  GatewayPathUnavailable: 10,
  GatewayTargetFailedToRespond: 11,
} as const;

const exceptionText: Record<number, string> = {
  1: 'illegal function',
  2: 'illegal data address',
  3: 'illegal data value',
  4: 'server device failure',
  5: 'acknowledge (request accepted, still processing)',
  6: 'server device busy',
  8: 'memory parity error',
  10: 'gateway path unavailable',
  11: 'gateway target device failed to respond',
};

/** Plain-language text for an exception, e.g. "illegal data address 40120". */
export const exceptionMessage = (exception: number, request?: ModbusRequest): string => {
  const text = exceptionText[exception] ?? `exception code ${exception}`;
  if (!request) return text;
  const area = areaOfFunction(request.fc);
  if (exception === 2 && area) {
    const count = 'quantity' in request ? request.quantity : 'values' in request ? request.values.length : 1;
    const first = formatModicon(area, request.address);
    return count > 1 ? `${text} ${first} (${count} from there)` : `${text} ${first}`;
  }
  if (exception === 1) return `${text} ${request.fc}`;
  return text;
};

const maxQuantity: Record<ReadFunction | 15 | 16, number> = { 1: 2000, 2: 2000, 3: 125, 4: 125, 15: 1968, 16: 123 };

const checkRange = (fc: ReadFunction | 15 | 16, address: number, quantity: number): void => {
  if (!Number.isInteger(address) || address < 0 || address > 0xffff) {
    throw new ModbusRequestError(`address ${address} is outside 0..65535`);
  }
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > maxQuantity[fc]) {
    throw new ModbusRequestError(`function ${fc} reads/writes 1..${maxQuantity[fc]} items, not ${quantity}`);
  }
  if (address + quantity > 0x10000) throw new ModbusRequestError(`address ${address} + ${quantity} runs past 65535`);
};

const packBits = (bits: boolean[]): Buffer => {
  const out = Buffer.alloc(Math.ceil(bits.length / 8));
  bits.forEach((b, i) => {
    if (b) out[i >> 3]! |= 1 << (i & 7);
  });
  return out;
};

const unpackBits = (buf: Buffer, count: number): boolean[] => {
  const bits: boolean[] = [];
  for (let i = 0; i < count; i++) bits.push(((buf[i >> 3]! >> (i & 7)) & 1) === 1);
  return bits;
};

export const encodeRequest = (req: ModbusRequest): Buffer => {
  switch (req.fc) {
    case 1:
    case 2:
    case 3:
    case 4: {
      checkRange(req.fc, req.address, req.quantity);
      const b = Buffer.alloc(5);
      b.writeUInt8(req.fc, 0);
      b.writeUInt16BE(req.address, 1);
      b.writeUInt16BE(req.quantity, 3);
      return b;
    }
    case 5: {
      const b = Buffer.alloc(5);
      b.writeUInt8(5, 0);
      b.writeUInt16BE(req.address, 1);
      b.writeUInt16BE(req.value ? 0xff00 : 0x0000, 3);
      return b;
    }
    case 6: {
      const b = Buffer.alloc(5);
      b.writeUInt8(6, 0);
      b.writeUInt16BE(req.address, 1);
      b.writeUInt16BE(req.value & 0xffff, 3);
      return b;
    }
    case 15: {
      checkRange(15, req.address, req.values.length);
      const data = packBits(req.values);
      const b = Buffer.alloc(6 + data.length);
      b.writeUInt8(15, 0);
      b.writeUInt16BE(req.address, 1);
      b.writeUInt16BE(req.values.length, 3);
      b.writeUInt8(data.length, 5);
      data.copy(b, 6);
      return b;
    }
    case 16: {
      checkRange(16, req.address, req.values.length);
      const b = Buffer.alloc(6 + req.values.length * 2);
      b.writeUInt8(16, 0);
      b.writeUInt16BE(req.address, 1);
      b.writeUInt16BE(req.values.length, 3);
      b.writeUInt8(req.values.length * 2, 5);
      req.values.forEach((v, i) => b.writeUInt16BE(v & 0xffff, 6 + i * 2));
      return b;
    }
  }
};

const need = (pdu: Buffer, n: number, what: string): void => {
  if (pdu.length < n) throw new ModbusFrameError(`${what}: ${pdu.length} bytes, expected at least ${n}`);
};

/**
 * Server side: parse a request PDU. Throws ModbusExceptionError with the exception the server
 * should answer (illegal function / illegal data value), so the server can reply instead of dropping.
 */
export const decodeRequest = (pdu: Buffer): ModbusRequest => {
  need(pdu, 1, 'request');
  const fc = pdu.readUInt8(0);
  const bad = (exception: number): ModbusExceptionError =>
    new ModbusExceptionError(fc, exception, exceptionMessage(exception));
  switch (fc) {
    case 1:
    case 2:
    case 3:
    case 4: {
      if (pdu.length !== 5) throw bad(ExceptionCodes.IllegalDataValue);
      const address = pdu.readUInt16BE(1);
      const quantity = pdu.readUInt16BE(3);
      if (quantity < 1 || quantity > maxQuantity[fc]) throw bad(ExceptionCodes.IllegalDataValue);
      return { fc, address, quantity };
    }
    case 5: {
      if (pdu.length !== 5) throw bad(ExceptionCodes.IllegalDataValue);
      const raw = pdu.readUInt16BE(3);
      if (raw !== 0xff00 && raw !== 0) throw bad(ExceptionCodes.IllegalDataValue);
      return { fc, address: pdu.readUInt16BE(1), value: raw === 0xff00 };
    }
    case 6:
      if (pdu.length !== 5) throw bad(ExceptionCodes.IllegalDataValue);
      return { fc, address: pdu.readUInt16BE(1), value: pdu.readUInt16BE(3) };
    case 15:
    case 16: {
      if (pdu.length < 6) throw bad(ExceptionCodes.IllegalDataValue);
      const address = pdu.readUInt16BE(1);
      const quantity = pdu.readUInt16BE(3);
      const byteCount = pdu.readUInt8(5);
      const expected = fc === 15 ? Math.ceil(quantity / 8) : quantity * 2;
      if (quantity < 1 || quantity > maxQuantity[fc] || byteCount !== expected || pdu.length !== 6 + byteCount) {
        throw bad(ExceptionCodes.IllegalDataValue);
      }
      const data = pdu.subarray(6);
      if (fc === 15) return { fc, address, values: unpackBits(data, quantity) };
      const values: number[] = [];
      for (let i = 0; i < quantity; i++) values.push(data.readUInt16BE(i * 2));
      return { fc, address, values };
    }
    default:
      throw bad(ExceptionCodes.IllegalFunction);
  }
};

export const encodeException = (fc: number, exception: number): Buffer => Buffer.from([(fc | 0x80) & 0xff, exception]);

/** Server side: encode a response PDU. */
export const encodeResponse = (res: ModbusResponse): Buffer => {
  if ('exception' in res) return encodeException(res.fc, res.exception);
  if ('bits' in res) {
    const data = packBits(res.bits);
    return Buffer.concat([Buffer.from([res.fc, data.length]), data]);
  }
  if ('registers' in res) {
    const b = Buffer.alloc(2 + res.registers.length * 2);
    b.writeUInt8(res.fc, 0);
    b.writeUInt8(res.registers.length * 2, 1);
    res.registers.forEach((v, i) => b.writeUInt16BE(v & 0xffff, 2 + i * 2));
    return b;
  }
  const b = Buffer.alloc(5);
  b.writeUInt8(res.fc, 0);
  b.writeUInt16BE(res.address, 1);
  if (res.fc === 5) b.writeUInt16BE('value' in res && res.value ? 0xff00 : 0, 3);
  else if (res.fc === 6) b.writeUInt16BE('value' in res ? Number(res.value) & 0xffff : 0, 3);
  else b.writeUInt16BE('quantity' in res ? res.quantity : 0, 3);
  return b;
};

/**
 * Client side: parse the response to `req`. Exception responses throw ModbusExceptionError with the
 * address in the message; a response that does not match the request throws ModbusFrameError.
 */
export const decodeResponse = (pdu: Buffer, req: ModbusRequest): ModbusResponse => {
  need(pdu, 2, 'response');
  const fc = pdu.readUInt8(0);
  if (fc === (req.fc | 0x80)) {
    const exception = pdu.readUInt8(1);
    throw new ModbusExceptionError(
      req.fc,
      exception,
      `exception ${exception.toString(16).padStart(2, '0')}: ${exceptionMessage(exception, req)}`,
    );
  }
  if (fc !== req.fc) throw new ModbusFrameError(`response function ${fc} does not match request function ${req.fc}`);
  switch (req.fc) {
    case 1:
    case 2: {
      const byteCount = pdu.readUInt8(1);
      if (byteCount !== Math.ceil(req.quantity / 8) || pdu.length !== 2 + byteCount) {
        throw new ModbusFrameError(`read bits: byte count ${byteCount} does not fit ${req.quantity} bits`);
      }
      return { fc: req.fc, bits: unpackBits(pdu.subarray(2), req.quantity) };
    }
    case 3:
    case 4: {
      const byteCount = pdu.readUInt8(1);
      if (byteCount !== req.quantity * 2 || pdu.length !== 2 + byteCount) {
        throw new ModbusFrameError(`read registers: byte count ${byteCount} does not fit ${req.quantity} registers`);
      }
      const registers: number[] = [];
      for (let i = 0; i < req.quantity; i++) registers.push(pdu.readUInt16BE(2 + i * 2));
      return { fc: req.fc, registers };
    }
    case 5:
      need(pdu, 5, 'write coil response');
      return { fc: 5, address: pdu.readUInt16BE(1), value: pdu.readUInt16BE(3) === 0xff00 };
    case 6:
      need(pdu, 5, 'write register response');
      return { fc: 6, address: pdu.readUInt16BE(1), value: pdu.readUInt16BE(3) };
    case 15:
    case 16:
      need(pdu, 5, 'write multiple response');
      return { fc: req.fc, address: pdu.readUInt16BE(1), quantity: pdu.readUInt16BE(3) };
  }
};
