// Data type resolution of the address-space browser: type names, the built-in type a data type derives from, and
// whether a variable's value has parts (array or structure) to list.
import { AttributeIds, BrowseDirection, DataType, NodeClassMask, coerceNodeId, type NodeId } from 'node-opcua';
import { chunks, idText, isBad, type BrowseContext } from './browse-context.js';
import { readValues } from './node-reads.js';
import { browseAll, HAS_SUBTYPE } from './references.js';

export interface VariableShape {
  name: string | null;
  hasParts: boolean;
}

/** The built-in type a data type derives from (Duration -> Double, an enumeration -> Int32). */
export const builtinType = async (ctx: BrowseContext, typeId: NodeId): Promise<DataType | null> => {
  let current: NodeId = typeId;
  for (let depth = 0; depth < 8; depth++) {
    if (current.namespace === 0 && typeof current.value === 'number') {
      if (current.value >= 1 && current.value <= 25) return current.value;
      if (current.value === 29) return DataType.Int32; // Enumeration
    }
    const refs = await browseAll(ctx, {
      nodeId: current,
      browseDirection: BrowseDirection.Inverse,
      referenceTypeId: HAS_SUBTYPE,
      includeSubtypes: false,
      nodeClassMask: NodeClassMask.DataType,
      resultMask: 0x3f,
    });
    const parent = refs[0];
    if (!parent) return null;
    current = coerceNodeId(parent.nodeId.toString());
  }
  return null;
};

/** builtinType, remembered per data type for the session (a folder of 1,000 Pump_t variables asks once). */
const builtinOf = async (ctx: BrowseContext, typeId: NodeId): Promise<DataType | null> => {
  const key = typeId.toString();
  const { builtins } = ctx.cache;
  if (!builtins.has(key)) builtins.set(key, await builtinType(ctx, typeId).catch(() => null));
  return builtins.get(key) ?? null;
};

/** DataType names (Double, Boolean, or the data type node's BrowseName), remembered per session. */
export const typeNames = async (ctx: BrowseContext, typeIds: (NodeId | null)[]): Promise<(string | null)[]> => {
  const names = ctx.cache.typeNames;
  const missing = new Map<string, NodeId>();
  for (const t of typeIds) {
    if (!t) continue;
    const key = t.toString();
    if (names.has(key)) continue;
    if (t.namespace === 0 && typeof t.value === 'number' && t.value >= 1 && t.value <= 25) {
      names.set(key, DataType[t.value] ?? key);
    } else missing.set(key, t);
  }
  if (missing.size) {
    const list = [...missing.values()];
    const dvs = await readValues(
      ctx,
      list.map((nodeId) => ({ nodeId, attributeId: AttributeIds.BrowseName })),
    );
    list.forEach((t, i) => {
      const dv = dvs[i];
      const qn = dv && !isBad(dv.statusCode.value) ? (dv.value.value as { name?: string } | null) : null;
      names.set(t.toString(), qn?.name ?? t.toString());
    });
  }
  return typeIds.map((t) => (t ? (names.get(t.toString()) ?? null) : null));
};

/** Each variable's data type name, and whether its value has parts: an array (ValueRank 0 or more) or a structure. */
export const variableShape = async (ctx: BrowseContext, ids: NodeId[]): Promise<VariableShape[]> => {
  const out: VariableShape[] = [];
  for (const part of chunks(ids, 500)) {
    const dvs = await readValues(
      ctx,
      part.flatMap((nodeId) => [
        { nodeId, attributeId: AttributeIds.DataType },
        { nodeId, attributeId: AttributeIds.ValueRank },
      ]),
    );
    const typeIds = part.map((_, i) => {
      const dv = dvs[2 * i]!;
      return isBad(dv.statusCode.value) ? null : (dv.value.value as NodeId | null);
    });
    const names = await typeNames(ctx, typeIds);
    for (let i = 0; i < part.length; i++) {
      const rankDv = dvs[2 * i + 1]!;
      const rank = isBad(rankDv.statusCode.value) ? null : Number(rankDv.value.value);
      const typeId = typeIds[i] ?? null;
      const structure = typeId ? (await builtinOf(ctx, typeId)) === DataType.ExtensionObject : false;
      out.push({ name: names[i] ?? null, hasParts: (rank !== null && rank >= 0) || structure });
    }
  }
  return out;
};

/** variableShape keyed by node id text. */
export const dataTypesOf = async (ctx: BrowseContext, ids: NodeId[]): Promise<Map<string, VariableShape>> => {
  const shapes = await variableShape(ctx, ids);
  return new Map(ids.map((id, i) => [idText(id), shapes[i]!]));
};
