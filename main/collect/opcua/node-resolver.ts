import {
  AttributeIds,
  BrowseDirection,
  NodeClassMask,
  ObjectIds,
  ReferenceTypeIds,
  StatusCodes as UaStatusCodes,
  coerceNodeId,
  makeNodeId,
  type BrowsePathLike,
  type ClientSession,
  type NodeId,
} from 'node-opcua';
import { BrowsePathError, formatBrowsePath, parseBrowsePath, type BrowsePathStep } from './browse-path.js';

/**
 * Finds nodes again by their browse path (main/collect/opcua/browse-path.ts) after a PLC download renumbered them, and
 * works out the browse path of a node for tags that were added without one. Server calls only, in batches of the
 * server's operation limits; never throws for one bad path, each answer says what happened to its path.
 */

export type Resolution = { nodeId: string } | { nodeId: null; reason: string };

const ObjectsFolder = makeNodeId(ObjectIds.ObjectsFolder);
const NamespaceArrayNode = 'ns=0;i=2255';
/** Server_ServerCapabilities_OperationLimits_MaxNodesPerTranslateBrowsePathsToNodeIds / ...PerBrowse */
const MaxTranslateNode = 'ns=0;i=11712';
const MaxBrowseNode = 'ns=0;i=11710';
const DEFAULT_PER_CALL = 1000;
/** Deeper than any plant address space seen; stops a loop in a server's references. */
const MAX_DEPTH = 32;

export const readNamespaceArray = async (session: ClientSession): Promise<string[]> => {
  const dv = await session.read({ nodeId: NamespaceArrayNode, attributeId: AttributeIds.Value });
  const v: unknown = dv.value?.value;
  return Array.isArray(v) ? v.map(String) : [];
};

const perCall = async (session: ClientSession, limitNode: string): Promise<number> => {
  try {
    const dv = await session.read({ nodeId: limitNode, attributeId: AttributeIds.Value });
    const n = Number(dv.value?.value);
    return dv.statusCode.value === 0 && Number.isInteger(n) && n > 0 ? Math.min(n, DEFAULT_PER_CALL) : DEFAULT_PER_CALL;
  } catch {
    return DEFAULT_PER_CALL;
  }
};

const chunks = <T>(list: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
};

/** The node id text the tag config uses ("ns=3;i=1001"), the same form for a configured and a resolved id. */
export const nodeIdText = (id: NodeId | string): string => {
  try {
    return coerceNodeId(id).toString();
  } catch {
    return String(id);
  }
};

/**
 * Resolves browse paths (as stored in tags) with TranslateBrowsePathsToNodeIds from the Objects folder; one answer
 * per path, in order. A path that matches several nodes is refused rather than guessed.
 */
export const resolveBrowsePaths = async (
  session: ClientSession,
  paths: readonly string[],
  /** The server's NamespaceArray when the caller has just read it. */
  namespaceArray?: readonly string[],
): Promise<Resolution[]> => {
  const namespaces = namespaceArray ?? (await readNamespaceArray(session));
  const out: Resolution[] = new Array<Resolution>(paths.length);
  const asked: { index: number; path: BrowsePathLike }[] = [];
  paths.forEach((text, index) => {
    let steps: BrowsePathStep[];
    try {
      steps = parseBrowsePath(text);
    } catch (e) {
      out[index] = { nodeId: null, reason: e instanceof BrowsePathError ? e.message : String(e) };
      return;
    }
    if (steps.length === 0) {
      out[index] = { nodeId: null, reason: 'the tag has no browse path' };
      return;
    }
    const missing = steps.find((s) => !namespaces.includes(s.namespaceUri));
    if (missing) {
      out[index] = {
        nodeId: null,
        reason: `browse path ${text} no longer resolves: the server has no namespace ${missing.namespaceUri}`,
      };
      return;
    }
    asked.push({
      index,
      path: {
        startingNode: ObjectsFolder,
        relativePath: {
          elements: steps.map((s) => ({
            referenceTypeId: makeNodeId(ReferenceTypeIds.HierarchicalReferences),
            isInverse: false,
            includeSubtypes: true,
            targetName: { namespaceIndex: namespaces.indexOf(s.namespaceUri), name: s.name },
          })),
        },
      },
    });
  });
  if (asked.length === 0) return out;
  const size = await perCall(session, MaxTranslateNode);
  for (const chunk of chunks(asked, size)) {
    const results = await session.translateBrowsePath(chunk.map((a) => a.path));
    chunk.forEach((a, j) => {
      const text = paths[a.index]!;
      const r = results[j];
      const targets = r?.targets ?? [];
      if (!r || r.statusCode.value !== 0 || targets.length === 0) {
        const why = r ? r.statusCode.name : 'no answer';
        out[a.index] = { nodeId: null, reason: `browse path ${text} no longer resolves (${why})` };
      } else if (targets.length > 1) {
        out[a.index] = { nodeId: null, reason: `browse path ${text} matches ${targets.length} nodes` };
      } else {
        // A target on another server (ExpandedNodeId with a server index) is no node we can monitor.
        const target = targets[0]!.targetId;
        out[a.index] =
          target.serverIndex !== 0
            ? { nodeId: null, reason: `browse path ${text} points to another server` }
            : { nodeId: nodeIdText(makeNodeId(target.value, target.namespace)) };
      }
    });
  }
  return out;
};

/**
 * The browse path of each node ('' where it cannot be told): up the hierarchical references to the Objects folder,
 * one Browse call per level for all nodes together, then checked by resolving it back to the same node (a node with
 * two parents gets the path the server itself resolves, never a guess).
 */
export const browsePathsOf = async (session: ClientSession, nodeIds: readonly string[]): Promise<string[]> => {
  const namespaces = await readNamespaceArray(session);
  const size = await perCall(session, MaxBrowseNode);
  const objects = ObjectsFolder.toString();
  // Steps collected from the node upwards; null once the walk failed.
  const steps: (BrowsePathStep[] | null)[] = nodeIds.map(() => []);
  const current: (string | null)[] = nodeIds.map((id) => nodeIdText(id));
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const open = current.flatMap((id, i) => (id !== null && id !== objects && steps[i] !== null ? [i] : []));
    if (open.length === 0) break;
    for (const chunk of chunks(open, size)) {
      const [names, parents] = await Promise.all([
        session.read(chunk.map((i) => ({ nodeId: current[i]!, attributeId: AttributeIds.BrowseName }))),
        session.browse(
          chunk.map((i) => ({
            nodeId: current[i]!,
            browseDirection: BrowseDirection.Inverse,
            referenceTypeId: makeNodeId(ReferenceTypeIds.HierarchicalReferences),
            includeSubtypes: true,
            nodeClassMask: NodeClassMask.Object | NodeClassMask.Variable,
            resultMask: 0x3f,
          })),
        ),
      ]);
      chunk.forEach((i, j) => {
        const name: unknown = names[j]?.value?.value;
        const parent = parents[j]?.references?.[0]?.nodeId;
        const q = name as { name?: unknown; namespaceIndex?: unknown } | undefined;
        const uri = typeof q?.namespaceIndex === 'number' ? namespaces[q.namespaceIndex] : undefined;
        if (
          names[j]?.statusCode.value !== UaStatusCodes.Good.value ||
          typeof q?.name !== 'string' ||
          uri === undefined ||
          !parent
        ) {
          steps[i] = null;
          current[i] = null;
          return;
        }
        steps[i]!.unshift({ namespaceUri: uri, name: q.name });
        current[i] = nodeIdText(parent);
      });
    }
  }
  const texts = steps.map((s, i) => (s && s.length > 0 && current[i] === objects ? formatBrowsePath(s) : ''));
  const wanted = texts.flatMap((t, i) => (t ? [i] : []));
  const back = await resolveBrowsePaths(
    session,
    wanted.map((i) => texts[i]!),
  );
  wanted.forEach((i, j) => {
    if (back[j]?.nodeId !== nodeIdText(nodeIds[i]!)) texts[i] = '';
  });
  return texts;
};
