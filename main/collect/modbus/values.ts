import type { ModbusTag } from '../../config/device-schema.js';

/**
 * Register <-> value conversion. Word order names the byte order on the wire relative to the
 * big-endian value bytes A B C D: ABCD big-endian, CDAB word-swapped (common on PLCs), BADC
 * byte-swapped, DCBA little-endian. 16-bit types only see the byte swap (BADC/DCBA).
 */

export type ModbusDataType = ModbusTag['dataType'];
export type WordOrder = ModbusTag['wordOrder'];

export const registerCount = (dataType: ModbusDataType): 0 | 1 | 2 =>
  dataType === 'bool' ? 0 : dataType === 'int16' || dataType === 'uint16' ? 1 : 2;

/** Wire byte positions (of 4) for big-endian bytes A,B,C,D. */
const order32: Record<WordOrder, [number, number, number, number]> = {
  ABCD: [0, 1, 2, 3],
  CDAB: [2, 3, 0, 1],
  BADC: [1, 0, 3, 2],
  DCBA: [3, 2, 1, 0],
};

const swaps16 = (wo: WordOrder): boolean => wo === 'BADC' || wo === 'DCBA';

/** Raw value from registers (before scale/offset). `regs` holds at least registerCount words. */
export const decodeRegisters = (regs: ArrayLike<number>, dataType: ModbusDataType, wordOrder: WordOrder): number => {
  if (dataType === 'bool') return (regs[0] ?? 0) !== 0 ? 1 : 0;
  if (dataType === 'int16' || dataType === 'uint16') {
    let w = (regs[0] ?? 0) & 0xffff;
    if (swaps16(wordOrder)) w = ((w & 0xff) << 8) | (w >> 8);
    return dataType === 'int16' ? (w << 16) >> 16 : w;
  }
  const wire = Buffer.alloc(4);
  wire.writeUInt16BE((regs[0] ?? 0) & 0xffff, 0);
  wire.writeUInt16BE((regs[1] ?? 0) & 0xffff, 2);
  const be = Buffer.alloc(4);
  order32[wordOrder].forEach((pos, i) => (be[i] = wire[pos]!));
  if (dataType === 'float32') return be.readFloatBE(0);
  if (dataType === 'int32') return be.readInt32BE(0);
  return be.readUInt32BE(0);
};

/** Registers for a raw value (inverse of decodeRegisters); used by servers and tests. */
export const encodeRegisters = (value: number, dataType: ModbusDataType, wordOrder: WordOrder): number[] => {
  if (dataType === 'bool') return [value ? 1 : 0];
  if (dataType === 'int16' || dataType === 'uint16') {
    let w = Math.trunc(value) & 0xffff;
    if (swaps16(wordOrder)) w = ((w & 0xff) << 8) | (w >> 8);
    return [w];
  }
  const be = Buffer.alloc(4);
  if (dataType === 'float32') be.writeFloatBE(value, 0);
  else if (dataType === 'int32') be.writeInt32BE(Math.trunc(value) | 0, 0);
  else be.writeUInt32BE(Math.trunc(value) >>> 0, 0);
  const wire = Buffer.alloc(4);
  order32[wordOrder].forEach((pos, i) => (wire[pos] = be[i]!));
  return [wire.readUInt16BE(0), wire.readUInt16BE(2)];
};

/** Engineering value: raw * scale + offset; non-finite (NaN float patterns) becomes null. */
export const scaleValue = (raw: number, scale: number, offset: number): number | null => {
  const v = raw * scale + offset;
  return Number.isFinite(v) ? v : null;
};
