import { registerCount, type ModbusDataType, type WordOrder } from '../../domain/device/modbus-schema.js';

/**
 * Register <-> value conversion for every supported type and byte order. A value's big-endian bytes
 * (A B C D ...) are laid on the wire as N registers; CDAB reverses the word order, BADC swaps the two
 * bytes of each register, DCBA does both. The same rule covers 16-, 32- and 64-bit values and strings.
 */

export { registerCount };
export type { ModbusDataType, WordOrder };

export interface ValueSpec {
  dataType: ModbusDataType;
  wordOrder: WordOrder;
  /** Bit number for a bool held in a register. */
  bit?: number | null;
  /** Registers of a string. */
  length?: number;
}

const swapsBytes = (o: WordOrder): boolean => o === 'BADC' || o === 'DCBA';
const swapsWords = (o: WordOrder): boolean => o === 'CDAB' || o === 'DCBA';
const swap16 = (w: number): number => ((w & 0xff) << 8) | ((w >> 8) & 0xff);

/** Big-endian value bytes from wire registers. */
const toBigEndian = (regs: ArrayLike<number>, n: number, order: WordOrder, wordSwap: boolean): Buffer => {
  const out = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) {
    let w = (regs[wordSwap && swapsWords(order) ? n - 1 - i : i] ?? 0) & 0xffff;
    if (swapsBytes(order)) w = swap16(w);
    out.writeUInt16BE(w, i * 2);
  }
  return out;
};

/** Wire registers from big-endian value bytes (inverse of toBigEndian). */
const fromBigEndian = (be: Buffer, order: WordOrder, wordSwap: boolean): number[] => {
  const n = be.length / 2;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let w = be.readUInt16BE(i * 2);
    if (swapsBytes(order)) w = swap16(w);
    out[wordSwap && swapsWords(order) ? n - 1 - i : i] = w;
  }
  return out;
};

/**
 * Raw numeric value (before scale/offset) from a tag's registers. 64-bit integers beyond 2^53 lose their
 * lowest digits: samples are stored as doubles. Strings have no numeric value (see decodeString).
 */
export const decodeRegisters = (regs: ArrayLike<number>, spec: ValueSpec): number => {
  const { dataType, wordOrder } = spec;
  if (dataType === 'string') return NaN;
  if (dataType === 'bool') {
    let w = (regs[0] ?? 0) & 0xffff;
    if (swapsBytes(wordOrder)) w = swap16(w);
    return (w >> (spec.bit ?? 0)) & 1;
  }
  const be = toBigEndian(regs, registerCount(dataType), wordOrder, true);
  switch (dataType) {
    case 'int16':
      return be.readInt16BE(0);
    case 'uint16':
      return be.readUInt16BE(0);
    case 'int32':
      return be.readInt32BE(0);
    case 'uint32':
      return be.readUInt32BE(0);
    case 'float32':
      return be.readFloatBE(0);
    case 'int64':
      return Number(be.readBigInt64BE(0));
    case 'uint64':
      return Number(be.readBigUInt64BE(0));
    case 'float64':
      return be.readDoubleBE(0);
  }
};

/** Text of a string tag: two characters per register, up to the first NUL, trailing spaces removed. */
export const decodeString = (regs: ArrayLike<number>, length: number, wordOrder: WordOrder): string => {
  const bytes = toBigEndian(regs, length, wordOrder, false);
  const nul = bytes.indexOf(0);
  return bytes
    .subarray(0, nul === -1 ? bytes.length : nul)
    .toString('latin1')
    .replace(/ +$/, '');
};

/** Registers holding a string (NUL padded); throws a RangeError if it does not fit. */
export const encodeString = (text: string, length: number, wordOrder: WordOrder): number[] => {
  const bytes = Buffer.alloc(length * 2);
  const src = Buffer.from(text, 'latin1');
  if (src.length > bytes.length) throw new RangeError(`"${text}" is longer than ${bytes.length} characters`);
  src.copy(bytes);
  return fromBigEndian(bytes, wordOrder, false);
};

const intRange: Partial<Record<ModbusDataType, [number, number]>> = {
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
};

/**
 * Registers for a raw value (inverse of decodeRegisters). Integer types reject values out of range or with
 * a fraction (RangeError), so a write never silently truncates. bool in a register needs the register's
 * current content: pass it as `current`.
 */
export const encodeRegisters = (value: number, spec: ValueSpec, current = 0): number[] => {
  const { dataType, wordOrder } = spec;
  if (dataType === 'string') throw new RangeError('a string tag takes text, not a number');
  if (dataType === 'bool') {
    let w = current & 0xffff;
    if (swapsBytes(wordOrder)) w = swap16(w);
    const mask = 1 << (spec.bit ?? 0);
    w = value ? w | mask : w & ~mask;
    return [swapsBytes(wordOrder) ? swap16(w) : w];
  }
  if (!Number.isFinite(value) && dataType !== 'float32' && dataType !== 'float64') {
    throw new RangeError(`${value} is not a number a ${dataType} can hold`);
  }
  const range = intRange[dataType];
  if (range || dataType === 'int64' || dataType === 'uint64') {
    if (!Number.isInteger(value)) throw new RangeError(`${value} is not a whole number (${dataType})`);
    if (range && (value < range[0] || value > range[1])) {
      throw new RangeError(`${value} is outside the ${dataType} range ${range[0]} to ${range[1]}`);
    }
  }
  const be = Buffer.alloc(registerCount(dataType) * 2);
  switch (dataType) {
    case 'int16':
      be.writeInt16BE(value);
      break;
    case 'uint16':
      be.writeUInt16BE(value);
      break;
    case 'int32':
      be.writeInt32BE(value);
      break;
    case 'uint32':
      be.writeUInt32BE(value);
      break;
    case 'float32':
      be.writeFloatBE(value);
      break;
    case 'int64':
      be.writeBigInt64BE(BigInt(value));
      break;
    case 'uint64':
      if (value < 0) throw new RangeError(`${value} is below 0 (uint64)`);
      be.writeBigUInt64BE(BigInt(value));
      break;
    case 'float64':
      be.writeDoubleBE(value);
      break;
  }
  return fromBigEndian(be, wordOrder, true);
};

/** Engineering value: raw * scale + offset; non-finite (NaN float patterns) becomes null. */
export const scaleValue = (raw: number, scale: number, offset: number): number | null => {
  const v = raw * scale + offset;
  return Number.isFinite(v) ? v : null;
};

/** Raw value for an engineering value (inverse of scaleValue), rounded for integer types. */
export const unscaleValue = (value: number, scale: number, offset: number, dataType: ModbusDataType): number => {
  const raw = (value - offset) / scale;
  return dataType === 'float32' || dataType === 'float64' ? raw : Math.round(raw * 1e9) / 1e9;
};

/** Registers as an engineer reads them in a register dump: 0x1A2B. */
export const hexWord = (w: number): string => `0x${(w & 0xffff).toString(16).toUpperCase().padStart(4, '0')}`;
