// Browsing of the address-space browser: a node's children (with browse paths and data types) and the parts of a
// variable's value.
import {
  AttributeIds,
  BrowseDirection,
  NodeClass,
  NodeClassMask,
  ObjectIds,
  StatusCodes,
  VariableIds,
  coerceNodeId,
  makeNodeId,
  type NodeId,
  type ReferenceDescription,
} from 'node-opcua';
import type { BrowseEntry } from '../../domain/opcua/browse.js';
import { withTimeout } from '../timeout.js';
import { chunks, idText, isBad, type BrowseContext } from './browse-context.js';
import { appendBrowsePath, OPC_UA_NAMESPACE } from './browse-path.js';
import { checkKnown, dimensionsOf, nodeClassName, parseNodeId, readValues } from './node-reads.js';
import { statusCodeName } from './node-values.js';
import { OpcUaBrowseError } from './opcua-errors.js';
import { browseAll, browseWithMax, HIERARCHICAL } from './references.js';
import { dataTypesOf, typeNames, variableShape } from './type-resolution.js';
import { valuePartEntries, type Position } from './value-browse.js';
import { ValuePartError } from './value-parts.js';

/** What to browse: a node, and optionally a place inside a variable's value (see value-browse.ts). */
export interface BrowseTarget {
  nodeId?: string;
  /** The browsed node's own browse path, so its children get theirs ('' or absent: not known). */
  browsePath?: string;
  indexRange?: string;
  field?: string;
  /** Which elements of an array to list ("100:199"). */
  elements?: string;
}

const OBJECTS = makeNodeId(ObjectIds.ObjectsFolder);
const MAX_BROWSE_CPS = makeNodeId(VariableIds.Server_ServerCapabilities_MaxBrowseContinuationPoints);
const TREE_CLASSES = NodeClassMask.Object | NodeClassMask.Variable | NodeClassMask.Method;
const CHUNK = 250;

/** ReferenceDescription.nodeClass is typed with another copy of the NodeClass enum. */
const isVariable = (r: ReferenceDescription): boolean => Number(r.nodeClass) === Number(NodeClass.Variable);

/** The node a target names (the Objects folder by default); parsed first, so a bad id is refused without connecting. */
export const targetNode = (t: BrowseTarget): NodeId => (t.nodeId === undefined ? OBJECTS : parseNodeId(t.nodeId));

/**
 * Hierarchical children (Objects, Variables, Methods) of a node; Objects folder by default. A variable holding a
 * structure or an array also lists the parts of its value (fields, elements); with `indexRange`/`field`, only the
 * parts inside that place of the value.
 */
export const browseChildren = async (ctx: BrowseContext, t: BrowseTarget, nodeId: NodeId): Promise<BrowseEntry[]> => {
  const nodeIdText = t.nodeId;
  const inValue = t.indexRange !== undefined || t.field !== undefined || t.elements !== undefined;
  // Children of the Objects folder start the path; below a node whose path is not known, theirs is not either.
  const basePath = nodeId.namespace === 0 && nodeId.value === ObjectIds.ObjectsFolder ? '' : (t.browsePath ?? null);
  const here: Position = { indexRange: t.indexRange ?? '', field: t.field ?? '' };
  if (inValue) return valueParts(ctx, nodeId, t.browsePath ?? '', here, t.elements);
  const refs = await browseAll(ctx, {
    nodeId,
    browseDirection: BrowseDirection.Forward,
    referenceTypeId: HIERARCHICAL,
    includeSubtypes: true,
    nodeClassMask: TREE_CLASSES,
    resultMask: 0x3f,
  });
  const seen = new Set<string>();
  const children = refs.filter((r) => {
    const id = idText(r.nodeId);
    if (!r.isForward || seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  const ids = children.map((r) => coerceNodeId(r.nodeId.toString()));
  const [hasChildren, dataTypes, namespaces, own] = await Promise.all([
    childrenExist(ctx, ids),
    dataTypesOf(
      ctx,
      ids.filter((_, i) => isVariable(children[i]!)),
    ),
    basePath === null ? Promise.resolve([]) : namespaceArray(ctx),
    // A variable's own value parts come after its child nodes.
    nodeIdText === undefined ? Promise.resolve(null) : variableShape(ctx, [nodeId]),
  ]);
  const rows = children.map((r, i): BrowseEntry => {
    const id = idText(r.nodeId);
    const type = isVariable(r) ? dataTypes.get(id) : undefined;
    const uri = namespaces[r.browseName.namespaceIndex ?? 0];
    return {
      nodeId: id,
      browseName: r.browseName.toString(),
      displayName: r.displayName.text ?? r.browseName.name ?? id,
      nodeClass: nodeClassName(r.nodeClass),
      hasChildren: (hasChildren[i] ?? true) || (type?.hasParts ?? false),
      dataType: type?.name ?? null,
      browsePath:
        basePath === null || uri === undefined || !r.browseName.name
          ? ''
          : appendBrowsePath(basePath, { namespaceUri: uri, name: r.browseName.name }),
      part: null,
    };
  });
  if (own?.[0]?.hasParts) {
    rows.push(...(await valueParts(ctx, nodeId, t.browsePath ?? '', here, undefined)));
  }
  return rows;
};

/** The server's NamespaceArray, once per session: browse paths name namespaces by URI. */
const namespaceArray = async (ctx: BrowseContext): Promise<string[]> => {
  if (!ctx.cache.namespaces) {
    const list = await withTimeout(ctx.session.readNamespaceArray(), ctx.timeoutMs, 'read namespace array');
    ctx.cache.namespaces = list.length ? list : [OPC_UA_NAMESPACE];
  }
  return ctx.cache.namespaces;
};

/** The parts inside one place of a variable's value, read now (structures decoded with the server's definitions). */
const valueParts = async (
  ctx: BrowseContext,
  nodeId: NodeId,
  browsePath: string,
  at: Position,
  elements: string | undefined,
): Promise<BrowseEntry[]> => {
  const what = idText(nodeId);
  const [dvType, dvValue] = await readValues(ctx, [
    { nodeId, attributeId: AttributeIds.DataType },
    { nodeId, attributeId: AttributeIds.Value },
  ]);
  checkKnown(dvType!, what);
  const value = dvValue!;
  if (isBad(value.statusCode.value)) {
    throw new OpcUaBrowseError(
      'server_error',
      `the server gave no value of ${what} to list its parts: ${statusCodeName(value.statusCode.value)}`,
    );
  }
  const typeId = isBad(dvType!.statusCode.value) ? null : (dvType!.value.value as NodeId | null);
  const [typeName] = typeId ? await typeNames(ctx, [typeId]) : [null];
  const v = value.value;
  const dims = dimensionsOf(v);
  try {
    return valuePartEntries(
      {
        nodeId: what,
        browsePath,
        value: v.value,
        dimensions: dims,
        typeName: typeName ?? null,
        dataTypeId: typeId ? idText(typeId) : null,
      },
      at,
      elements,
    );
  } catch (e) {
    if (e instanceof ValuePartError) throw new OpcUaBrowseError('refused', `${what}: ${e.message}`);
    throw e;
  }
};

/**
 * Cheap: one reference per node is enough to know, asked for in groups no larger than the server's
 * continuation points per session; the continuation points an answer leaves are released at once.
 * Nodes the server had no continuation point left for (another request held them) are asked again.
 */
const childrenExist = async (ctx: BrowseContext, ids: NodeId[]): Promise<boolean[]> => {
  const maxCps = await maxContinuationPoints(ctx);
  const size = maxCps > 0 ? Math.min(CHUNK, maxCps) : CHUNK;
  const out = new Array<boolean>(ids.length).fill(true);
  let pending = ids.map((_, i) => i);
  for (let round = 0; round < 5 && pending.length > 0; round++) {
    const again: number[] = [];
    for (const part of chunks(pending, size)) {
      const results = await browseWithMax(
        ctx,
        part.map((i) => ({
          nodeId: ids[i],
          browseDirection: BrowseDirection.Forward,
          referenceTypeId: HIERARCHICAL,
          includeSubtypes: true,
          nodeClassMask: TREE_CLASSES,
          resultMask: 0,
        })),
        1,
      );
      const cps: Buffer[] = [];
      results.forEach((r, k) => {
        const i = part[k]!;
        if (r.continuationPoint && r.continuationPoint.length > 0) cps.push(r.continuationPoint);
        const code = r.statusCode.value;
        if (code === StatusCodes.BadNoContinuationPoints.value) again.push(i);
        // A node the server cannot browse is shown as a leaf; one it can, by what it has.
        else out[i] = !isBad(code) && (r.references?.length ?? 0) > 0;
      });
      if (cps.length) {
        await withTimeout(ctx.session.browseNext(cps, true), ctx.timeoutMs, 'release continuation points').catch(
          () => undefined,
        );
      }
    }
    pending = again;
  }
  return out;
};

/** Server_ServerCapabilities_MaxBrowseContinuationPoints; 0 = no limit (or not said). */
const maxContinuationPoints = async (ctx: BrowseContext): Promise<number> => {
  if (ctx.cache.maxContinuationPoints === null) {
    const [dv] = await readValues(ctx, [{ nodeId: MAX_BROWSE_CPS, attributeId: AttributeIds.Value }]).catch(() => [
      null,
    ]);
    const n = dv && !isBad(dv.statusCode.value) ? Number(dv.value.value) : 0;
    ctx.cache.maxContinuationPoints = Number.isInteger(n) && n > 0 ? n : 0;
  }
  return ctx.cache.maxContinuationPoints;
};
