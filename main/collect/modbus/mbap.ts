import { ModbusFrameError } from './errors.js';

/**
 * Modbus TCP framing: 7-byte MBAP header (transaction id, protocol id 0, length, unit id) + PDU.
 * TCP is a byte stream, so FrameReader reassembles frames split across chunks and splits chunks
 * that carry several frames.
 */

export interface MbapFrame {
  transactionId: number;
  unitId: number;
  pdu: Buffer;
}

export const MBAP_HEADER = 7;
/** Largest PDU allowed by the spec (253 bytes). */
export const MAX_PDU = 253;

export const encodeFrame = (transactionId: number, unitId: number, pdu: Buffer): Buffer => {
  if (pdu.length < 1 || pdu.length > MAX_PDU) throw new ModbusFrameError(`PDU of ${pdu.length} bytes`);
  const b = Buffer.alloc(MBAP_HEADER + pdu.length);
  b.writeUInt16BE(transactionId & 0xffff, 0);
  b.writeUInt16BE(0, 2);
  b.writeUInt16BE(pdu.length + 1, 4);
  b.writeUInt8(unitId & 0xff, 6);
  pdu.copy(b, MBAP_HEADER);
  return b;
};

export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);

  /** Feed received bytes; returns every complete frame. Throws ModbusFrameError on garbage. */
  push(chunk: Buffer): MbapFrame[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const frames: MbapFrame[] = [];
    while (this.buf.length >= MBAP_HEADER) {
      const protocol = this.buf.readUInt16BE(2);
      const length = this.buf.readUInt16BE(4);
      if (protocol !== 0) throw new ModbusFrameError(`protocol id ${protocol} (Modbus TCP sends 0)`);
      if (length < 2 || length > MAX_PDU + 1) {
        throw new ModbusFrameError(`a frame length of ${length} (Modbus TCP allows 2 to ${MAX_PDU + 1})`);
      }
      const total = MBAP_HEADER - 1 + length;
      if (this.buf.length < total) break;
      frames.push({
        transactionId: this.buf.readUInt16BE(0),
        unitId: this.buf.readUInt8(6),
        pdu: Buffer.from(this.buf.subarray(MBAP_HEADER, total)),
      });
      this.buf = this.buf.subarray(total);
    }
    return frames;
  }

  /** Bytes waiting for the rest of a frame. */
  get pending(): number {
    return this.buf.length;
  }

  reset(): void {
    this.buf = Buffer.alloc(0);
  }
}
