import type { BrowseEntry, ValuePart } from '../../domain/opcua/browse.js';
import {
  childField,
  elementAt,
  elementField,
  fieldsOf,
  isArrayValue,
  isStructValue,
  listElements,
  locateField,
  opaqueEncodingOf,
  ValuePartError,
} from './value-parts.js';

/**
 * The rows the address-space tree shows inside a variable's value: a structure's fields, an array's elements (up to
 * a cap, then one "N more" row to choose a range from), and inside those again. Each row carries what a tag on it
 * needs (the variable's node id and browse path, the element's IndexRange, the field path). Pure; the browse
 * service reads the value and hands it here.
 */

/** Elements listed per array before the "N more" row. */
export const ELEMENT_CAP = 100;

export interface VariableValue {
  nodeId: string;
  browsePath: string;
  /** The Variant's value as node-opcua decoded it (structures promoted with the server's definitions). */
  value: unknown;
  /** The variable's array dimensions when its value is an array, else null. */
  dimensions: number[] | null;
  /** The variable's DataType name and node id (for messages about structures without a definition). */
  typeName: string | null;
  dataTypeId: string | null;
}

export interface Position {
  indexRange: string;
  field: string;
}

const noDefinition = (dataTypeId: string | null, encoding: string): ValuePartError =>
  new ValuePartError(
    `structure type ${dataTypeId ?? `with encoding ${encoding}`} has no definition on the server: its fields cannot be listed`,
  );

const entry = (
  v: VariableValue,
  name: string,
  part: ValuePart,
  dataType: string | null,
  hasChildren: boolean,
): BrowseEntry => ({
  nodeId: v.nodeId,
  browseName: name,
  displayName: name,
  nodeClass: 'Variable',
  hasChildren,
  dataType,
  browsePath: v.browsePath,
  part,
});

/** True when a value (or element) has parts of its own to list: an array, or a structure. */
export const hasParts = (value: unknown): boolean => isArrayValue(value) || isStructValue(value);

const arrayType = (typeName: string | null, length: number): string => `${typeName ?? 'value'}[${length}]`;

/** What sits at a place in the variable's value: the value there, its type name, its dimensions if an array. */
export const locatePart = (
  v: VariableValue,
  at: Position,
): { target: unknown; typeName: string | null; dims: number[] | null } => {
  let target: unknown = v.value;
  let typeName = v.typeName;
  let dims = v.dimensions;
  if (at.indexRange !== '') {
    if (!dims || !isArrayValue(target)) throw new ValuePartError(`${at.indexRange}: the value is not an array`);
    target = elementAt(target, dims, at.indexRange);
    dims = null;
  }
  if (at.field !== '') {
    const enc = opaqueEncodingOf(target);
    if (enc) throw noDefinition(v.dataTypeId, enc);
    const found = locateField(target, at.field, typeName);
    target = found.value;
    typeName = found.typeName;
    dims = isArrayValue(target) ? [target.length] : null;
  }
  return { target, typeName, dims };
};

/** The rows inside `at` of the variable's value; `elements` chooses which elements of an array to list. */
export const valuePartEntries = (
  v: VariableValue,
  at: Position,
  elements: string | undefined,
  cap = ELEMENT_CAP,
): BrowseEntry[] => {
  const { target, typeName, dims } = locatePart(v, at);
  if (dims && isArrayValue(target)) {
    const arr = target;
    const list = listElements(dims, elements, cap);
    const topLevel = at.indexRange === '' && at.field === '';
    const rows = list.elements.map((el) => {
      const item = dims.length === 2 ? arr[el.index[0]! * dims[1]! + el.index[1]!] : arr[el.index[0]!];
      const part: ValuePart = topLevel
        ? { indexRange: el.range, field: '', more: null }
        : { indexRange: at.indexRange, field: elementField(at.field, el.index[0]!), more: null };
      return entry(v, `[${el.range}]`, part, typeName, hasParts(item) && opaqueEncodingOf(item) === null);
    });
    if (list.omitted > 0) {
      const more: ValuePart = {
        indexRange: at.indexRange,
        field: at.field,
        more: { count: list.omitted, dimensions: dims },
      };
      rows.push(entry(v, `${list.omitted} more elements`, more, typeName, false));
    }
    return rows;
  }
  if (elements !== undefined) throw new ValuePartError('only an array has elements to choose');
  const enc = opaqueEncodingOf(target);
  if (enc) throw noDefinition(at.field ? null : v.dataTypeId, enc);
  if (!isStructValue(target)) return [];
  const struct = target as unknown as Record<string, unknown> & { schema: { name: string } };
  return fieldsOf(target.schema).map((f) => {
    const value = struct[f.name];
    const isArr = isArrayValue(value);
    return entry(
      v,
      f.originalName,
      { indexRange: at.indexRange, field: childField(at.field, f.originalName), more: null },
      isArr ? arrayType(f.fieldType, value.length) : f.fieldType,
      isArr || (isStructValue(value) && opaqueEncodingOf(value) === null),
    );
  });
};
