import { ModbusFrameError } from './errors.js';
import { MAX_PDU } from './mbap.js';
import { decodeResponse, type ModbusRequest, type ModbusResponse } from './pdu.js';

/**
 * Modbus RTU framing: unit id + PDU + CRC-16/MODBUS (low byte first). RTU has no length field and no
 * transaction id, so a reader must know which request it waits for to tell where the answer ends.
 */

/** Unit id + function code + CRC: the smallest frame there is (an exception adds one byte). */
const CRC_BYTES = 2;
const EXCEPTION_FRAME = 5;
const WRITE_ECHO_FRAME = 8;

const crcTable = ((): Uint16Array => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
    t[i] = c;
  }
  return t;
})();

/** CRC-16/MODBUS (poly 0x8005 reflected, init 0xFFFF). */
export const crc16 = (data: Uint8Array): number => {
  let crc = 0xffff;
  for (const b of data) crc = (crc >>> 8) ^ crcTable[(crc ^ b) & 0xff]!;
  return crc;
};

/** A request ADU: unit id, PDU, CRC little-endian. */
export const encodeRtuFrame = (unitId: number, pdu: Buffer): Buffer => {
  if (pdu.length < 1 || pdu.length > MAX_PDU) throw new ModbusFrameError(`PDU of ${pdu.length} bytes`);
  const b = Buffer.alloc(1 + pdu.length + CRC_BYTES);
  b.writeUInt8(unitId & 0xff, 0);
  pdu.copy(b, 1);
  b.writeUInt16LE(crc16(b.subarray(0, 1 + pdu.length)), 1 + pdu.length);
  return b;
};

const hex = (b: Uint8Array): string =>
  Buffer.from(b)
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ');

/**
 * Length of the response frame to `req` that starts with `head`, or null while too few bytes have arrived
 * to tell. Throws ModbusFrameError for a function code that cannot answer `req`.
 */
export const rtuResponseLength = (head: Uint8Array, req: ModbusRequest): number | null => {
  if (head.length < 2) return null;
  const fc = head[1]!;
  if (fc === (req.fc | 0x80)) return EXCEPTION_FRAME;
  if (fc !== req.fc) throw new ModbusFrameError(`response function ${fc} does not match request function ${req.fc}`);
  switch (req.fc) {
    case 1:
    case 2:
    case 3:
    case 4:
      return head.length < 3 ? null : 3 + head[2]! + CRC_BYTES;
    case 5:
    case 6:
    case 15:
    case 16:
      return WRITE_ECHO_FRAME;
  }
};

/**
 * Collects the answer to one request from chunks split anywhere. push() returns the decoded response once
 * the frame is complete, null while more bytes are due; it throws ModbusFrameError for a bad CRC or a frame
 * from another unit, and ModbusExceptionError (from decodeResponse) for an exception answer. Bytes after a
 * complete frame are line noise and are ignored.
 */
export class RtuResponseReader {
  private buf: Buffer = Buffer.alloc(0);
  private done = false;

  constructor(
    readonly unitId: number,
    readonly req: ModbusRequest,
  ) {}

  push(chunk: Buffer): ModbusResponse | null {
    if (this.done) return null;
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const length = rtuResponseLength(this.buf, this.req);
    if (length === null || this.buf.length < length) return null;
    this.done = true;
    const frame = this.buf.subarray(0, length);
    this.buf = Buffer.alloc(0);
    const body = frame.subarray(0, length - CRC_BYTES);
    const sent = frame.readUInt16LE(length - CRC_BYTES);
    const computed = crc16(body);
    if (sent !== computed) {
      throw new ModbusFrameError(
        `CRC error in answer from unit ${this.unitId} (${hex(frame)}): ` +
          `got ${sent.toString(16).padStart(4, '0')}, expected ${computed.toString(16).padStart(4, '0')}`,
      );
    }
    if (frame[0] !== this.unitId) {
      throw new ModbusFrameError(`answer from unit ${frame[0]} while waiting for unit ${this.unitId}`);
    }
    return decodeResponse(Buffer.from(body.subarray(1)), this.req);
  }

  /** Bytes received towards the frame so far. */
  get received(): number {
    return this.buf.length;
  }
}
