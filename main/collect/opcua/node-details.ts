// Node details of the address-space browser: a node's attributes, value (or one part of it) and its
// EngineeringUnits/EURange properties, for the details pane.
import {
  AttributeIds,
  BrowseDirection,
  NodeClassMask,
  StatusCodes,
  coerceNodeId,
  type DataValue,
  type NodeId,
} from 'node-opcua';
import type { NodeDetails } from '../../domain/opcua/browse.js';
import { idText, isBad, type BrowseContext } from './browse-context.js';
import { dimensionsOf, readAttributes, readValues } from './node-reads.js';
import { accessLevelNames, canWrite, plainValueText, statusCodeName, variantText } from './node-values.js';
import { OpcUaBrowseError } from './opcua-errors.js';
import { browseAll, HAS_PROPERTY } from './references.js';
import { typeNames } from './type-resolution.js';
import { locatePart, type Position } from './value-browse.js';
import { ValuePartError } from './value-parts.js';

/** A node's attributes and value; with `part`, the value (and its type) is that field's or element's. */
export const readNodeDetails = async (
  ctx: BrowseContext,
  nodeId: NodeId,
  nodeIdText: string,
  part?: Position,
): Promise<NodeDetails> => {
  const attrs = [
    AttributeIds.NodeId,
    AttributeIds.NodeClass,
    AttributeIds.BrowseName,
    AttributeIds.DisplayName,
    AttributeIds.Description,
    AttributeIds.DataType,
    AttributeIds.ValueRank,
    AttributeIds.AccessLevel,
    AttributeIds.UserAccessLevel,
    AttributeIds.Value,
    AttributeIds.MinimumSamplingInterval,
  ] as const;
  const { at, ok, nodeClass } = await readAttributes(ctx, nodeId, nodeIdText, attrs);
  const isVariable = nodeClass === 'Variable' || nodeClass === 'VariableType';
  const typeId = ok(AttributeIds.DataType) as NodeId | null;
  const [dataType] = typeId ? await typeNames(ctx, [typeId]) : [null];
  const access = Number(ok(AttributeIds.AccessLevel) ?? 0);
  const userAccessRaw = ok(AttributeIds.UserAccessLevel);
  const userAccess = userAccessRaw === null ? access : Number(userAccessRaw);
  const value = at(AttributeIds.Value);
  const valueRead = isVariable && value.statusCode.value !== StatusCodes.BadAttributeIdInvalid.value;
  const props = nodeClass === 'Variable' ? await properties(ctx, nodeId) : { eu: null, range: null };
  const browseName = ok(AttributeIds.BrowseName) as { toString(): string } | null;
  const displayName = ok(AttributeIds.DisplayName) as { text?: string | null } | null;
  const description = ok(AttributeIds.Description) as { text?: string | null } | null;
  const msi = ok(AttributeIds.MinimumSamplingInterval);
  const rank = ok(AttributeIds.ValueRank);
  const good = valueRead && !isBad(value.statusCode.value);
  const inside = part && good ? partValue(value, nodeIdText, dataType ?? null, typeId, part) : null;
  return {
    nodeId: idText((ok(AttributeIds.NodeId) as NodeId | null) ?? nodeId),
    browseName: browseName?.toString() ?? '',
    displayName: displayName?.text ?? browseName?.toString() ?? nodeIdText,
    description: description?.text || null,
    nodeClass,
    dataType: inside ? inside.typeName : isVariable ? (dataType ?? null) : null,
    valueRank: inside ? null : typeof rank === 'number' ? rank : null,
    accessLevel: isVariable ? accessLevelNames(access) : [],
    // Writing one field or element is not offered: the whole value would have to be written back.
    writable: !part && nodeClass === 'Variable' && canWrite(access) && canWrite(userAccess),
    value: inside ? inside.text : valueRead ? variantText(value.value) : null,
    part: part ? { indexRange: part.indexRange, field: part.field, more: null } : null,
    statusCode: valueRead ? value.statusCode.value : StatusCodes.Good.value,
    statusText: valueRead ? statusCodeName(value.statusCode.value) : 'Good',
    sourceTimestamp: valueRead ? (value.sourceTimestamp?.getTime() ?? null) : null,
    serverTimestamp: valueRead ? (value.serverTimestamp?.getTime() ?? null) : null,
    engineeringUnits: props.eu,
    euRange: props.range,
    minimumSamplingIntervalMs: typeof msi === 'number' ? msi : null,
  };
};

/** The text and type of one field or element of a read value. */
const partValue = (
  dv: DataValue,
  what: string,
  typeName: string | null,
  typeId: NodeId | null,
  part: Position,
): { text: string; typeName: string | null } => {
  const v = dv.value;
  const dims = dimensionsOf(v);
  try {
    const found = locatePart(
      {
        nodeId: what,
        browsePath: '',
        value: v.value,
        dimensions: dims,
        typeName,
        dataTypeId: typeId ? idText(typeId) : null,
      },
      part,
    );
    return { text: plainValueText(found.target), typeName: found.typeName };
  } catch (e) {
    if (e instanceof ValuePartError) throw new OpcUaBrowseError('refused', `${what}: ${e.message}`);
    throw e;
  }
};

/** EngineeringUnits (its display name) and EURange, when the variable has them as properties. */
const properties = async (
  ctx: BrowseContext,
  nodeId: NodeId,
): Promise<{ eu: string | null; range: { low: number; high: number } | null }> => {
  const refs = await browseAll(ctx, {
    nodeId,
    browseDirection: BrowseDirection.Forward,
    referenceTypeId: HAS_PROPERTY,
    includeSubtypes: true,
    nodeClassMask: NodeClassMask.Variable,
    resultMask: 0x3f,
  });
  const find = (name: string): NodeId | null => {
    const r = refs.find((x) => x.browseName.name === name && x.browseName.namespaceIndex === 0);
    return r ? coerceNodeId(r.nodeId.toString()) : null;
  };
  const euId = find('EngineeringUnits');
  const rangeId = find('EURange');
  const wanted = [euId, rangeId].filter((x): x is NodeId => x !== null);
  if (!wanted.length) return { eu: null, range: null };
  const dvs = await readValues(
    ctx,
    wanted.map((id) => ({ nodeId: id, attributeId: AttributeIds.Value })),
  );
  const valueOf = (id: NodeId | null): unknown => {
    if (!id) return null;
    const dv = dvs[wanted.indexOf(id)];
    return dv && !isBad(dv.statusCode.value) ? dv.value.value : null;
  };
  const eu = valueOf(euId) as { displayName?: { text?: string | null } } | null;
  const range = valueOf(rangeId) as { low?: unknown; high?: unknown } | null;
  return {
    eu: eu?.displayName?.text || null,
    range:
      range && typeof range.low === 'number' && typeof range.high === 'number'
        ? { low: range.low, high: range.high }
        : null,
  };
};
