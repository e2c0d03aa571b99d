import { DataType, NodeId, Variant, VariantArrayType } from 'node-opcua';
import { fieldsOf as fieldsWithBases, parseFieldPath as parseSteps, type FieldStep } from './value-parts.js';
import { UaCodes, bad, dataTypeNamed, scalarReading, singleElement, type Reading } from './value-kinds.js';

/**
 * A tag's field path inside a structured value ("Motor.Current", "Pumps[1].Motor.Serial", "Temperatures[2]"),
 * followed through node-opcua's decoded ExtensionObjects. Field names are the server's (DataTypeDefinition or
 * dictionary) names; node-opcua keeps them in each schema field's originalName.
 */

export type FieldSegment = FieldStep;

export interface FieldPath {
  text: string;
  segments: FieldSegment[];
}

/** Parses a path the config schema accepted (so it is well formed); '' = the value itself. */
export const parseFieldPath = (text: string): FieldPath => ({ text, segments: parseSteps(text) });

/** The parts of node-opcua's structure schema this module reads. */
interface SchemaField {
  name: string;
  originalName: string;
  fieldType: string;
  isArray?: boolean;
  category: string;
  basicDataType?: number;
}
interface StructureSchema {
  name: string;
  fields: SchemaField[];
  dataTypeNodeId?: { toString(): string };
  getBaseSchema?(): StructureSchema | null;
}

/** A decoded structure (node-opcua ExtensionObject with its schema). */
const schemaOf = (v: unknown): StructureSchema | null => {
  if (typeof v !== 'object' || v === null || !('schema' in v)) return null;
  const s = v.schema;
  return typeof s === 'object' && s !== null && Array.isArray((s as { fields?: unknown }).fields)
    ? (s as StructureSchema)
    : null;
};

/** An ExtensionObject the client could not decode: node-opcua's OpaqueStructure (encoding id and raw body). */
export const opaqueEncodingId = (v: unknown): string | null => {
  if (typeof v !== 'object' || v === null || !('buffer' in v) || !('nodeId' in v)) return null;
  const id = (v as { nodeId: unknown }).nodeId;
  return id instanceof NodeId ? id.toString() : null;
};

// Fields of base structures included: node-opcua keeps inherited fields on the base type's schema.
const allFields = (schema: StructureSchema): SchemaField[] => fieldsWithBases(schema) as SchemaField[];

const byName = new WeakMap<StructureSchema, Map<string, SchemaField>>();
const fieldsOf = (schema: StructureSchema): Map<string, SchemaField> => {
  let m = byName.get(schema);
  if (!m) {
    m = new Map(allFields(schema).map((f) => [f.originalName || f.name, f]));
    byName.set(schema, m);
  }
  return m;
};

const fieldList = (schema: StructureSchema): string =>
  allFields(schema)
    .map((f) => f.originalName || f.name)
    .join(', ');

const fieldDataType = (f: SchemaField): DataType | undefined =>
  f.category === 'enumeration' ? DataType.Int32 : (f.basicDataType ?? dataTypeNamed(f.fieldType));

/** How to say a structure has no definition, given the encoding id of its body (see opaqueEncodingId). */
export type OpaqueNamer = (encodingId: string) => string;

const defaultNamer: OpaqueNamer = (encodingId) => `the structure with encoding ${encodingId}`;

export const noDefinition = (encodingId: string, namer: OpaqueNamer = defaultNamer): Reading =>
  bad(
    UaCodes.BadDataTypeIdUnknown,
    `${namer(encodingId)} has no definition on the server (no DataTypeDefinition and no data type dictionary entry)`,
  );

/**
 * The value at `path` inside `value` (a decoded structure), converted; or Bad saying which part of the path does
 * not fit ("field Motor.Speedx not in Motor_t (fields: Current, Temperature, Serial)").
 */
export const readField = (value: unknown, path: FieldPath, namer?: OpaqueNamer): Reading => {
  let current: unknown = value;
  let done = '';
  for (let i = 0; i < path.segments.length; i++) {
    const seg = path.segments[i]!;
    const encoding = opaqueEncodingId(current);
    if (encoding !== null) return noDefinition(encoding, namer);
    const schema = schemaOf(current);
    if (!schema) {
      const what = done === '' ? 'the value' : done;
      return bad(UaCodes.BadTypeMismatch, `${what} is not a structure: it has no field ${seg.name}`);
    }
    const f = fieldsOf(schema).get(seg.name);
    const here = done === '' ? seg.name : `${done}.${seg.name}`;
    if (!f) return bad(UaCodes.BadNoMatch, `field ${here} not in ${schema.name} (fields: ${fieldList(schema)})`);
    current = (current as Record<string, unknown>)[f.name];
    done = here;
    if (seg.indexes.length > 0) {
      if (!f.isArray) return bad(UaCodes.BadIndexRangeInvalid, `${done} is not an array: remove the [index]`);
      if (seg.indexes.length > 1)
        return bad(UaCodes.BadIndexRangeInvalid, `${done} has one dimension: use one [index]`);
      const items = (current as ArrayLike<unknown> | null) ?? [];
      const k = seg.indexes[0]!;
      if (k >= items.length)
        return bad(UaCodes.BadIndexRangeNoData, `${done}[${k}]: ${done} has ${items.length} elements`);
      current = items[k];
      done = `${done}[${k}]`;
    } else if (f.isArray) {
      const n = (current as ArrayLike<unknown> | null)?.length ?? 0;
      return bad(
        UaCodes.BadTypeMismatch,
        `${done} is an array of ${n} ${f.fieldType}: add its elements as tags (${done}[0]${n > 1 ? ` to ${done}[${n - 1}]` : ''})`,
      );
    }
    if (i === path.segments.length - 1) return leaf(current, f, done, namer);
  }
  return structureValue(value, namer);
};

/** The last field of a path: a scalar of a built-in type, an enumeration value or a Variant. */
const leaf = (v: unknown, f: SchemaField, path: string, namer?: OpaqueNamer): Reading => {
  if (v instanceof Variant) return variantScalar(v, namer);
  const encoding = opaqueEncodingId(v);
  if (encoding !== null) return noDefinition(encoding, namer);
  const inner = schemaOf(v);
  if (inner) {
    return bad(
      UaCodes.BadTypeMismatch,
      `${path} is a ${inner.name} structure: add its fields as tags (${fieldList(inner)})`,
    );
  }
  const t = fieldDataType(f);
  if (t === undefined)
    return bad(UaCodes.BadDataTypeIdUnknown, `${path} has type ${f.fieldType}, which this app cannot read`);
  return scalarReading(v, t);
};

/** A whole structure on a tag without a field path. */
export const structureValue = (v: unknown, namer?: OpaqueNamer): Reading => {
  const encoding = opaqueEncodingId(v);
  if (encoding !== null) return noDefinition(encoding, namer);
  const schema = schemaOf(v);
  if (!schema) return bad(UaCodes.BadDecodingError, 'the server sent a structure this app cannot decode');
  return bad(UaCodes.BadTypeMismatch, `a ${schema.name} structure: add its fields as tags (${fieldList(schema)})`);
};

/** A Variant inside a structure (a BaseDataType field): one scalar, or refused like an array variable. */
const variantScalar = (v: Variant, namer?: OpaqueNamer): Reading => {
  if (v.arrayType !== VariantArrayType.Scalar) {
    const one = singleElement(v, '');
    return one.ok ? scalarReading(one.value, v.dataType) : one.reading;
  }
  return v.dataType === DataType.ExtensionObject ? structureValue(v.value, namer) : scalarReading(v.value, v.dataType);
};
