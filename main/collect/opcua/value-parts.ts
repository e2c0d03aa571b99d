/**
 * The parts of a variable's value the address-space browser offers as tags: the fields of a decoded structure
 * (nested ones and arrays of them included) and the elements of an array (1-D "3", 2-D "1,0"), listed up to a cap
 * with the rest left to a chosen range. Pure: works on values as node-opcua's client decodes them (structures carry
 * their `schema`, arrays are arrays or typed arrays), so it is tested without a server.
 *
 * Field paths are written with the server's own field names (`originalName`): "Motor.Speed", "Items[2].Value",
 * "Temperatures[1]"; node-opcua holds each field under a lower-camel property name (`name`).
 */

/** What this module needs of node-opcua's StructuredTypeField. */
export interface SchemaField {
  /** node-opcua's property name (first letter lower case). */
  name: string;
  /** The field's name as the server defines it. */
  originalName: string;
  /** The field's data type name (Double, Motor_t...). */
  fieldType: string;
  isArray?: boolean;
}

/** What this module needs of node-opcua's IStructuredTypeSchema. */
export interface StructSchema {
  name: string;
  fields: SchemaField[];
  getBaseSchema?(): StructSchema | null;
}

/** A decoded structure: node-opcua's classes carry their schema. */
export interface StructValue {
  schema: StructSchema;
}

export class ValuePartError extends Error {
  override readonly name = 'ValuePartError';
}

export const isStructValue = (v: unknown): v is StructValue => {
  if (v === null || typeof v !== 'object') return false;
  const schema = (v as { schema?: unknown }).schema;
  return schema !== null && typeof schema === 'object' && Array.isArray((schema as { fields?: unknown }).fields);
};

/** A structure's fields, those of its base structures first (as they are encoded). */
export const fieldsOf = (schema: StructSchema): SchemaField[] => {
  const chain: StructSchema[] = [];
  for (let s: StructSchema | null = schema; s && chain.length < 16; s = s.getBaseSchema?.() ?? null) chain.unshift(s);
  return chain.flatMap((s) => s.fields);
};

/** Arrays and typed arrays (Float64Array for Double[]...), not Buffers (a ByteString is one value). */
export const isArrayValue = (v: unknown): v is ArrayLike<unknown> =>
  Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView) && !Buffer.isBuffer(v));

// ---- field paths ----------------------------------------------------------------------------------

export interface FieldStep {
  name: string;
  /** Element indexes after the name: "Items[2]" -> [2]. */
  indexes: number[];
}

const stepPattern = /^([^.[\]\s][^.[\]]*)((?:\[\d+\])*)$/;

/** "Items[2].Value" -> [{Items, [2]}, {Value, []}]; '' -> []. Refuses what the tag config would refuse. */
export const parseFieldPath = (text: string): FieldStep[] => {
  if (text === '') return [];
  return text.split('.').map((part) => {
    const m = stepPattern.exec(part);
    if (!m) throw new ValuePartError(`"${text}" is not a field path (like Motor.Speed or Items[2].Value)`);
    const indexes = [...(m[2] ?? '').matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1]));
    return { name: m[1]!, indexes };
  });
};

export const childField = (parent: string, name: string): string => (parent ? `${parent}.${name}` : name);
export const elementField = (parent: string, index: number): string => `${parent}[${index}]`;

/** What a field path leads to in a value. */
export interface Located {
  value: unknown;
  /** The data type name of what was found (the field's type; for an element, its element type). */
  typeName: string | null;
}

const fieldList = (schema: StructSchema): string => {
  const names = fieldsOf(schema).map((f) => f.originalName);
  return names.length ? names.join(', ') : 'none';
};

/**
 * Follows a field path through a decoded structure; says plainly where it does not fit
 * ('field Motor.Speedx not in Motor_t (fields: Speed, Current)').
 */
export const locateField = (value: unknown, path: string, typeName: string | null): Located => {
  let here: Located = { value, typeName };
  let walked = '';
  for (const step of parseFieldPath(path)) {
    const v = here.value;
    walked = childField(walked, step.name);
    if (!isStructValue(v)) {
      throw new ValuePartError(`${walked}: ${here.typeName ?? 'the value'} is not a structure with fields`);
    }
    const f = fieldsOf(v.schema).find((x) => x.originalName === step.name);
    if (!f) throw new ValuePartError(`field ${walked} not in ${v.schema.name} (fields: ${fieldList(v.schema)})`);
    here = { value: (v as unknown as Record<string, unknown>)[f.name], typeName: f.fieldType };
    for (const i of step.indexes) {
      walked = elementField(walked, i);
      const arr = here.value;
      if (!isArrayValue(arr)) throw new ValuePartError(`${walked}: the field is not an array`);
      if (i >= arr.length) throw new ValuePartError(`${walked}: the array has ${arr.length} elements`);
      here = { value: arr[i], typeName: here.typeName };
    }
  }
  return here;
};

// ---- array elements -------------------------------------------------------------------------------

/** One listed element: its NumericRange text ("3", "1,0") and its indexes. */
export interface Element {
  range: string;
  index: number[];
}

export interface ElementList {
  elements: Element[];
  /** Elements of the selection not listed (beyond the cap). */
  omitted: number;
}

const parseSpan = (text: string, size: number, what: string): [number, number] => {
  const [a, b] = text.split(':').map(Number) as [number, number | undefined];
  const hi = b ?? a;
  if (hi < a) throw new ValuePartError(`${what} ${text}: the end comes before the start`);
  if (a >= size) {
    throw new ValuePartError(`${what} ${text} is outside the array (${size} ${what === 'row' ? 'rows' : 'elements'})`);
  }
  return [a, Math.min(hi, size - 1)];
};

/**
 * The elements of an array with these dimensions, row-major, up to `cap`; `selection` ("100:199", "2:3,0:4",
 * a row range alone for a matrix) chooses which. More than 2 dimensions are listed by their flat positions.
 */
export const listElements = (
  dimensions: readonly number[],
  selection: string | undefined,
  cap: number,
): ElementList => {
  const dims = dimensions.length ? [...dimensions] : [0];
  if (dims.length === 2) {
    const [rows, cols] = dims as [number, number];
    const [rowSel, colSel] = (selection ?? '').split(',');
    const [r0, r1] = rowSel ? parseSpan(rowSel, rows, 'row') : [0, rows - 1];
    const [c0, c1] = colSel ? parseSpan(colSel, cols, 'column') : [0, cols - 1];
    const total = Math.max(0, r1 - r0 + 1) * Math.max(0, c1 - c0 + 1);
    const elements: Element[] = [];
    for (let r = r0; r <= r1 && elements.length < cap; r++) {
      for (let c = c0; c <= c1 && elements.length < cap; c++) elements.push({ range: `${r},${c}`, index: [r, c] });
    }
    return { elements, omitted: total - elements.length };
  }
  const size = dims.reduce((a, b) => a * b, 1);
  if (selection?.includes(',')) {
    throw new ValuePartError(`${selection}: this array has ${dims.length === 1 ? 'one dimension' : `${dims.length}`}`);
  }
  const [a, b] = selection ? parseSpan(selection, size, 'element') : [0, size - 1];
  const total = Math.max(0, b - a + 1);
  const elements: Element[] = [];
  for (let i = a; i <= b && elements.length < cap; i++) elements.push({ range: String(i), index: [i] });
  return { elements, omitted: total - elements.length };
};

/** The element a single-element NumericRange selects in a value of these dimensions (row-major), or null. */
export const elementAt = (value: ArrayLike<unknown>, dimensions: readonly number[], range: string): unknown => {
  const index = range.split(',').map(Number);
  if (index.some((i) => !Number.isInteger(i) || i < 0)) {
    throw new ValuePartError(`${range} is not one element (like 3 or 1,0)`);
  }
  const dims = dimensions.length ? dimensions : [value.length];
  if (index.length !== dims.length && !(dims.length > 2 && index.length === 1)) {
    throw new ValuePartError(`${range}: the array has ${dims.length} dimension${dims.length === 1 ? '' : 's'}`);
  }
  let flat = 0;
  if (index.length === 1) flat = index[0]!;
  else {
    index.forEach((i, k) => {
      if (i >= dims[k]!) throw new ValuePartError(`${range} is outside the array (${dims.join(' × ')})`);
      flat = flat * dims[k]! + i;
    });
  }
  if (flat >= value.length) throw new ValuePartError(`${range} is outside the array (${value.length} elements)`);
  return value[flat];
};

/**
 * node-opcua's client keeps a structure it has no definition for as an OpaqueStructure: the bare ExtensionObject
 * schema (no fields) with the encoded body and its encoding's node id. Returns that node id's text, or null.
 */
export const opaqueEncodingOf = (v: unknown): string | null => {
  if (!isStructValue(v) || v.schema.name !== 'ExtensionObject') return null;
  const o = v as unknown as { buffer?: unknown; nodeId?: { toString(): string } };
  return Buffer.isBuffer(o.buffer) && o.nodeId ? o.nodeId.toString() : null;
};
