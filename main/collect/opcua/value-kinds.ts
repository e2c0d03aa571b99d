import { DataType, NodeId, QualifiedName, VariantArrayType, type Variant } from 'node-opcua';
import { StatusCodes } from '../../domain/sample/status-codes.js';

/**
 * An OPC UA value as the historian can keep it: a number (trended), a text (the text column), or Bad with the
 * reason an engineer reads in the device details. Never a silent null with Good quality.
 *
 * Decisions:
 * - Booleans are 0/1, so a run signal can be trended.
 * - Int64/UInt64 are numbers when exact (always within ±2^53). Otherwise the nearest number is stored with Uncertain
 *   quality and the exact value in the reason: a 64-bit counter keeps its trend, and nothing claims a precision
 *   it lost.
 * - NaN and ±Infinity are Bad (BadOutOfRange): a chart and the cloud cannot carry them, and a PLC sends them for
 *   a failed measurement.
 * - Text forms: String/XmlElement as sent, LocalizedText its text, ByteString as 0x-prefixed hex (up to 1 KiB),
 *   Guid in its canonical form, NodeId/ExpandedNodeId/QualifiedName in OPC UA's string notation, StatusCode its name,
 *   DateTime as ISO 8601 in UTC ("2026-03-01T12:34:56.789Z").
 */
export type Reading =
  | { kind: 'number'; value: number }
  /** A number stored with this (Uncertain) quality, saying why. */
  | { kind: 'uncertain'; value: number; quality: number; reason: string }
  | { kind: 'text'; text: string }
  | { kind: 'bad'; quality: number; reason: string };

/** OPC UA codes used here, beside the shared ones in ../types.js. */
export const UaCodes = {
  Uncertain: 0x40000000,
  BadTypeMismatch: 0x80740000,
  BadDataTypeIdUnknown: 0x80110000,
  BadDecodingError: 0x80070000,
  BadIndexRangeInvalid: 0x80360000,
  BadIndexRangeNoData: 0x80370000,
  BadNoMatch: 0x806f0000,
  BadWaitingForInitialData: 0x80320000,
} as const;

export const MAX_BYTESTRING = 1024;

const num = (value: number): Reading => ({ kind: 'number', value });
const text = (t: string): Reading => ({ kind: 'text', text: t });
export const bad = (quality: number, reason: string): Reading => ({ kind: 'bad', quality, reason });

const typeName = (t: DataType): string => DataType[t] ?? `DataType ${t}`;

/** "an Int32", "a UInt32", "a Double". */
const withArticle = (name: string): string => `${/^[AEIO]/.test(name) ? 'an' : 'a'} ${name}`;

const finite = (v: number, t: DataType): Reading =>
  Number.isFinite(v)
    ? num(v)
    : bad(StatusCodes.BadOutOfRange, `the server sent ${v} (${typeName(t)}): not a usable number`);

/** node-opcua carries Int64/UInt64 as [high, low] 32-bit words. */
const int64 = (v: unknown, signed: boolean): Reading => {
  let big: bigint;
  if (typeof v === 'bigint') big = v;
  else if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'number') {
    const u = (BigInt(v[0] >>> 0) << 32n) | BigInt(v[1] >>> 0);
    big = signed ? BigInt.asIntN(64, u) : u;
  } else if (typeof v === 'number') return finite(v, signed ? DataType.Int64 : DataType.UInt64);
  else return mismatch(v, signed ? DataType.Int64 : DataType.UInt64);
  const n = Number(big);
  // 2^60 is exact as a number; 2^53 + 1 is not.
  if (Number.isSafeInteger(n) || BigInt(n) === big) return num(n);
  return {
    kind: 'uncertain',
    value: n,
    quality: UaCodes.Uncertain,
    reason: `${signed ? 'Int64' : 'UInt64'} ${big} is beyond exact numbers (2^53): stored as ${n}`,
  };
};

const mismatch = (v: unknown, t: DataType): Reading =>
  bad(UaCodes.BadTypeMismatch, `the server sent ${describeJs(v)} where ${withArticle(typeName(t))} was expected`);

const describeJs = (v: unknown): string =>
  v === null || v === undefined ? 'no value' : Array.isArray(v) ? 'an array' : `a ${typeof v}`;

const hasText = (v: unknown): v is { text: unknown } => typeof v === 'object' && v !== null && 'text' in v;
const hasName = (v: unknown): v is { name: unknown } => typeof v === 'object' && v !== null && 'name' in v;

const dateText = (v: unknown): Reading => {
  if (!(v instanceof Date)) return mismatch(v, DataType.DateTime);
  return Number.isNaN(v.getTime())
    ? bad(StatusCodes.BadOutOfRange, 'the server sent an invalid DateTime')
    : text(v.toISOString());
};

const bytesText = (v: unknown): Reading => {
  if (v === null || v === undefined) return text('');
  if (!(v instanceof Uint8Array)) return mismatch(v, DataType.ByteString);
  if (v.length > MAX_BYTESTRING)
    return bad(
      StatusCodes.BadOutOfRange,
      `a ByteString of ${v.length} bytes is too long to store (at most ${MAX_BYTESTRING} bytes)`,
    );
  return text(`0x${Buffer.from(v.buffer, v.byteOffset, v.length).toString('hex')}`);
};

/** One scalar value of a known built-in type. Structures are for structure-fields.ts. */
export const scalarReading = (v: unknown, t: DataType): Reading => {
  switch (t) {
    case DataType.Boolean:
      return typeof v === 'boolean' ? num(v ? 1 : 0) : mismatch(v, t);
    case DataType.SByte:
    case DataType.Byte:
    case DataType.Int16:
    case DataType.UInt16:
    case DataType.Int32:
    case DataType.UInt32:
    case DataType.Float:
    case DataType.Double:
      return typeof v === 'number' ? finite(v, t) : mismatch(v, t);
    case DataType.Int64:
      return int64(v, true);
    case DataType.UInt64:
      return int64(v, false);
    case DataType.String:
    case DataType.XmlElement:
      return v === null || v === undefined ? text('') : typeof v === 'string' ? text(v) : mismatch(v, t);
    case DataType.LocalizedText:
      if (v === null || v === undefined) return text('');
      return hasText(v) ? text(typeof v.text === 'string' ? v.text : '') : mismatch(v, t);
    case DataType.ByteString:
      return bytesText(v);
    case DataType.Guid:
      return typeof v === 'string' ? text(v.toUpperCase()) : mismatch(v, t);
    case DataType.NodeId:
    case DataType.ExpandedNodeId:
      // ExpandedNodeId extends NodeId; both print in OPC UA's notation (ns=1;s=..., nsu=...;i=...).
      return v instanceof NodeId ? text(v.toString()) : mismatch(v, t);
    case DataType.QualifiedName:
      return v instanceof QualifiedName ? text(v.toString()) : mismatch(v, t);
    case DataType.StatusCode:
      return hasName(v) && typeof v.name === 'string' ? text(v.name) : mismatch(v, t);
    case DataType.DateTime:
      return dateText(v);
    case DataType.Null:
      return bad(UaCodes.BadWaitingForInitialData, 'the server sent no value (Null)');
    case DataType.ExtensionObject:
      return bad(UaCodes.BadTypeMismatch, 'a structure: add its fields as tags');
    case DataType.DataValue:
    case DataType.DiagnosticInfo:
    case DataType.Variant:
      return bad(StatusCodes.BadNotSupported, `${typeName(t)} values cannot be stored`);
  }
};

/** DataType of a structure field from node-opcua's schema (fieldType is the type's name, e.g. "Double"). */
export const dataTypeNamed = (name: string): DataType | undefined => {
  const t = (DataType as unknown as Record<string, unknown>)[name];
  return typeof t === 'number' ? t : undefined;
};

export const isArrayVariant = (v: Variant): boolean => v.arrayType !== VariantArrayType.Scalar;

/** "an array of 5 Double", "a 3×4 matrix of Double". */
export const describeArray = (v: Variant): string => {
  const n = (v.value as ArrayLike<unknown> | null)?.length ?? 0;
  if (v.arrayType === VariantArrayType.Matrix && v.dimensions?.length) {
    return `a ${v.dimensions.join('×')} matrix of ${typeName(v.dataType)}`;
  }
  return `an array of ${n} ${typeName(v.dataType)}`;
};

/**
 * The one element a tag reads from an array variant: the server already applied the tag's index range, so one
 * element remains, or the value is refused saying what to do.
 */
export const singleElement = (
  v: Variant,
  indexRange: string,
): { ok: true; value: unknown } | { ok: false; reading: Reading } => {
  const items = (v.value as ArrayLike<unknown> | null) ?? [];
  if (indexRange === '') {
    const hint =
      v.arrayType === VariantArrayType.Matrix
        ? 'add its elements as tags (index range "row,column", e.g. 0,1)'
        : items.length > 0
          ? `add its elements as tags (index range 0 to ${items.length - 1})`
          : 'add its elements as tags by index range';
    return { ok: false, reading: bad(UaCodes.BadTypeMismatch, `${describeArray(v)}: ${hint}`) };
  }
  if (items.length === 0)
    return { ok: false, reading: bad(UaCodes.BadIndexRangeNoData, `index range ${indexRange}: no element there`) };
  if (items.length > 1)
    return {
      ok: false,
      reading: bad(
        UaCodes.BadTypeMismatch,
        `index range ${indexRange} gives ${items.length} elements; a tag holds one value: use a single index`,
      ),
    };
  return { ok: true, value: items[0] };
};
