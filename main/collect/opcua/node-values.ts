import { AccessLevelFlag, DataType, StatusCodes, VariantArrayType, type Variant } from 'node-opcua';

/**
 * Pure helpers for the address-space browser: OPC UA values as text, access levels as names, status
 * codes as names, and a value typed by an engineer converted to a node's data type (or refused, saying why).
 */

const accessNames: [AccessLevelFlag, string][] = [
  [AccessLevelFlag.CurrentRead, 'CurrentRead'],
  [AccessLevelFlag.CurrentWrite, 'CurrentWrite'],
  [AccessLevelFlag.HistoryRead, 'HistoryRead'],
  [AccessLevelFlag.HistoryWrite, 'HistoryWrite'],
  [AccessLevelFlag.SemanticChange, 'SemanticChange'],
  [AccessLevelFlag.StatusWrite, 'StatusWrite'],
  [AccessLevelFlag.TimestampWrite, 'TimestampWrite'],
];

export const accessLevelNames = (level: number): string[] =>
  accessNames.filter(([flag]) => (level & flag) !== 0).map(([, name]) => name);

export const canWrite = (level: number): boolean => (level & AccessLevelFlag.CurrentWrite) !== 0;

let names: Map<number, string> | null = null;

/** "Good", "BadNodeIdUnknown"...; a code node-opcua does not know is shown in hex. */
export const statusCodeName = (code: number): string => {
  if (!names) {
    names = new Map();
    for (const [name, sc] of Object.entries(StatusCodes as unknown as Record<string, unknown>)) {
      const value = sc && typeof sc === 'object' ? (sc as { value?: unknown }).value : undefined;
      if (typeof value === 'number' && !names.has(value)) names.set(value, name);
    }
  }
  const base = (code & 0xffff0000) >>> 0;
  const name = names.get(code >>> 0) ?? names.get(base);
  return name ?? `0x${(code >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
};

const MAX_ITEMS = 10;
const MAX_TEXT = 240;

const shorten = (s: string): string => (s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT - 1)}…` : s);

const int64Text = (v: [number, number], signed: boolean): string => {
  const u = (BigInt(v[0] >>> 0) << 32n) | BigInt(v[1] >>> 0);
  return (signed ? BigInt.asIntN(64, u) : u).toString();
};

const scalarText = (v: unknown, dataType: DataType): string => {
  if (v === null || v === undefined) return 'null';
  if ((dataType === DataType.Int64 || dataType === DataType.UInt64) && Array.isArray(v) && v.length === 2) {
    return int64Text(v as [number, number], dataType === DataType.Int64);
  }
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (typeof v === 'string') return v;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'invalid date' : v.toISOString();
  if (Buffer.isBuffer(v))
    return `0x${v.subarray(0, 32).toString('hex')}${v.length > 32 ? '…' : ''} (${v.length} bytes)`;
  if (typeof v === 'object' && 'text' in v && 'locale' in v) {
    const text = (v as { text: unknown }).text;
    return typeof text === 'string' ? text : '';
  }
  if (typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    return JSON.stringify(v);
  }
  if (typeof v === 'object' && v.toString !== Object.prototype.toString) {
    return (v as { toString(): string }).toString();
  }
  return JSON.stringify(v);
};

/** A value as an engineer reads it; arrays show their first items and their length. */
export const variantText = (variant: Variant | null | undefined): string | null => {
  if (!variant || variant.dataType === DataType.Null) return null;
  const v: unknown = variant.value;
  if (variant.arrayType !== VariantArrayType.Scalar) {
    const items = Array.from(v as ArrayLike<unknown>);
    const shown = items.slice(0, MAX_ITEMS).map((x) => scalarText(x, variant.dataType));
    return shorten(`[${shown.join(', ')}${items.length > MAX_ITEMS ? ', …' : ''}] (${items.length} items)`);
  }
  return shorten(scalarText(v, variant.dataType));
};

/** A value found inside a structure or array (no Variant around it) as an engineer reads it. */
export const plainValueText = (v: unknown): string => {
  if (ArrayBuffer.isView(v) && !Buffer.isBuffer(v) && !(v instanceof DataView))
    v = Array.from(v as unknown as ArrayLike<unknown>);
  if (Array.isArray(v)) {
    const shown = v.slice(0, MAX_ITEMS).map((x) => scalarText(x, DataType.Null));
    return shorten(`[${shown.join(', ')}${v.length > MAX_ITEMS ? ', …' : ''}] (${v.length} items)`);
  }
  return shorten(scalarText(v, DataType.Null));
};

// ---- writing --------------------------------------------------------------------------------------

export type WritableType =
  | DataType.Boolean
  | DataType.SByte
  | DataType.Byte
  | DataType.Int16
  | DataType.UInt16
  | DataType.Int32
  | DataType.UInt32
  | DataType.Int64
  | DataType.UInt64
  | DataType.Float
  | DataType.Double
  | DataType.String;

const intRanges: Partial<Record<DataType, [bigint, bigint]>> = {
  [DataType.SByte]: [-128n, 127n],
  [DataType.Byte]: [0n, 255n],
  [DataType.Int16]: [-32768n, 32767n],
  [DataType.UInt16]: [0n, 65535n],
  [DataType.Int32]: [-2147483648n, 2147483647n],
  [DataType.UInt32]: [0n, 4294967295n],
  [DataType.Int64]: [-(2n ** 63n), 2n ** 63n - 1n],
  [DataType.UInt64]: [0n, 2n ** 64n - 1n],
};

export const isWritableType = (t: DataType): t is WritableType =>
  t === DataType.Boolean ||
  t === DataType.Float ||
  t === DataType.Double ||
  t === DataType.String ||
  intRanges[t] !== undefined;

export type Coerced = { ok: true; value: unknown; text: string } | { ok: false; reason: string };

const FLOAT_MAX = 3.4028234663852886e38;
const decimal = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** The value as node-opcua sends it for this type, or why it does not fit. */
export const coerceForWrite = (type: WritableType, input: number | boolean | string): Coerced => {
  const typeName = DataType[type];
  if (type === DataType.String) {
    const text = String(input);
    return { ok: true, value: text, text: JSON.stringify(text) };
  }
  if (type === DataType.Boolean) {
    if (typeof input === 'boolean') return { ok: true, value: input, text: String(input) };
    const t = String(input).trim().toLowerCase();
    if (['true', '1', 'on'].includes(t)) return { ok: true, value: true, text: 'true' };
    if (['false', '0', 'off'].includes(t)) return { ok: true, value: false, text: 'false' };
    return { ok: false, reason: `${JSON.stringify(String(input))} is not a Boolean (use true or false)` };
  }
  if (typeof input === 'boolean') {
    return { ok: false, reason: `${typeName} takes a number, not ${String(input)}` };
  }
  const range = intRanges[type];
  if (range) {
    let n: bigint;
    if (typeof input === 'number') {
      if (!Number.isInteger(input)) return { ok: false, reason: `${typeName} takes whole numbers only (${input})` };
      if (!Number.isSafeInteger(input) && (type === DataType.Int64 || type === DataType.UInt64)) {
        return { ok: false, reason: `${input} is beyond exact JavaScript numbers: send it as text` };
      }
      n = BigInt(input);
    } else {
      const t = input.trim();
      if (!/^[+-]?\d+$/.test(t)) {
        return { ok: false, reason: `${JSON.stringify(input)} is not a whole number (${typeName})` };
      }
      n = BigInt(t);
    }
    const [lo, hi] = range;
    if (n < lo || n > hi) return { ok: false, reason: `${typeName} holds ${lo} to ${hi}; ${n} does not fit` };
    if (type === DataType.Int64 || type === DataType.UInt64) {
      const u = BigInt.asUintN(64, n);
      return { ok: true, value: [Number(u >> 32n), Number(u & 0xffffffffn)], text: n.toString() };
    }
    return { ok: true, value: Number(n), text: n.toString() };
  }
  // Float, Double
  let x: number;
  if (typeof input === 'number') x = input;
  else {
    const t = input.trim();
    if (!decimal.test(t)) {
      const hint = /^[+-]?\d+,\d+$/.test(t) ? ' (write decimals with a point)' : '';
      return { ok: false, reason: `${JSON.stringify(input)} is not a number${hint}` };
    }
    x = Number(t);
  }
  if (!Number.isFinite(x)) return { ok: false, reason: `${typeName} takes a finite number` };
  if (type === DataType.Float && Math.abs(x) > FLOAT_MAX) {
    return { ok: false, reason: `${x} is beyond the range of a Float (±3.4e38)` };
  }
  return { ok: true, value: x, text: String(x) };
};
