// Attribute reads of the address-space browser: node id parsing, timed reads, the "does the server know it" check
// and a read value's array shape.
import {
  AttributeIds,
  NodeClass,
  StatusCodes,
  VariantArrayType,
  coerceNodeId,
  type DataValue,
  type NodeId,
  type Variant,
} from 'node-opcua';
import type { BrowseEntry } from '../../domain/opcua/browse.js';
import { withTimeout } from '../timeout.js';
import { isBad, type BrowseContext } from './browse-context.js';
import { statusCodeName } from './node-values.js';
import { OpcUaBrowseError } from './opcua-errors.js';

export const nodeClassName = (c: number): BrowseEntry['nodeClass'] =>
  (NodeClass[c] as BrowseEntry['nodeClass'] | undefined) ?? 'Object';

/** A value's array dimensions ([rows, cols] of a matrix, [length] of an array), null for a scalar. */
export const dimensionsOf = (v: Variant): number[] | null =>
  v.arrayType === VariantArrayType.Matrix
    ? [...(v.dimensions ?? [])]
    : v.arrayType === VariantArrayType.Array
      ? [(v.value as ArrayLike<unknown> | null)?.length ?? 0]
      : null;

export const parseNodeId = (text: string): NodeId => {
  try {
    return coerceNodeId(text.trim());
  } catch {
    throw new OpcUaBrowseError('node_unknown', `"${text}" is not a node id (like ns=2;s=Pump.Flow or i=85)`);
  }
};

export const readValues = (
  ctx: BrowseContext,
  nodes: { nodeId: NodeId; attributeId: AttributeIds }[],
): Promise<DataValue[]> => withTimeout(ctx.session.read(nodes), ctx.timeoutMs, 'read');

export const checkKnown = (nodeClass: DataValue, what: string): void => {
  const code = nodeClass.statusCode.value;
  if (code === StatusCodes.BadNodeIdUnknown.value || code === StatusCodes.BadNodeIdInvalid.value) {
    throw new OpcUaBrowseError('node_unknown', `the server does not know node ${what}`);
  }
  if (isBad(code)) {
    throw new OpcUaBrowseError('server_error', `the server refused to read ${what}: ${statusCodeName(code)}`);
  }
};

/**
 * Reads attributes of one node (NodeClass among them) in one call; refuses a node the server does not know.
 * `ok` gives an attribute's value, or null when the server answered bad for it.
 */
export const readAttributes = async <A extends AttributeIds>(
  ctx: BrowseContext,
  nodeId: NodeId,
  nodeIdText: string,
  attrs: readonly A[],
): Promise<{ at: (a: A) => DataValue; ok: (a: A) => unknown; nodeClass: ReturnType<typeof nodeClassName> }> => {
  const dvs = await readValues(
    ctx,
    attrs.map((attributeId) => ({ nodeId, attributeId })),
  );
  const at = (a: A): DataValue => dvs[attrs.indexOf(a)]!;
  const ok = (a: A): unknown => {
    const dv = at(a);
    return isBad(dv.statusCode.value) ? null : dv.value.value;
  };
  const nodeClassValue = at(AttributeIds.NodeClass as A);
  checkKnown(nodeClassValue, nodeIdText);
  return { at, ok, nodeClass: nodeClassName(Number(ok(AttributeIds.NodeClass as A))) };
};
