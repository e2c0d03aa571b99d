// Reference browsing of the address-space browser: Browse with a per-request limit, and BrowseNext to the end.
import {
  ReferenceTypeIds,
  StatusCodes,
  makeNodeId,
  type BrowseDescriptionOptions,
  type BrowseResult,
  type ReferenceDescription,
} from 'node-opcua';
import { withTimeout } from '../timeout.js';
import { idText, isBad, type BrowseContext } from './browse-context.js';
import { statusCodeName } from './node-values.js';
import { OpcUaBrowseError } from './opcua-errors.js';

export const HIERARCHICAL = makeNodeId(ReferenceTypeIds.HierarchicalReferences);
export const HAS_PROPERTY = makeNodeId(ReferenceTypeIds.HasProperty);
export const HAS_SUBTYPE = makeNodeId(ReferenceTypeIds.HasSubtype);
/** A server that keeps handing out continuation points forever is cut off here. */
const MAX_REFERENCES = 500_000;

/**
 * node-opcua puts the session's requestedMaxReferencesPerNode into the request when browse() is
 * called (synchronously), so setting it around the call gives this request its own limit.
 */
export const browseWithMax = (
  ctx: BrowseContext,
  nodes: BrowseDescriptionOptions[],
  max: number,
): Promise<BrowseResult[]> => {
  const { session } = ctx;
  const before = session.requestedMaxReferencesPerNode;
  session.requestedMaxReferencesPerNode = max;
  try {
    return withTimeout(session.browse(nodes), ctx.timeoutMs, 'browse');
  } finally {
    session.requestedMaxReferencesPerNode = before;
  }
};

const checkBrowseStatus = (r: BrowseResult, what: string): void => {
  const code = r.statusCode.value;
  if (code === StatusCodes.BadNodeIdUnknown.value || code === StatusCodes.BadNodeIdInvalid.value) {
    throw new OpcUaBrowseError('node_unknown', `the server does not know node ${what}`);
  }
  if (isBad(code)) {
    throw new OpcUaBrowseError('server_error', `the server refused to browse ${what}: ${statusCodeName(code)}`);
  }
};

/** Browse plus every BrowseNext until the server has no continuation point left. */
export const browseAll = async (
  ctx: BrowseContext,
  description: BrowseDescriptionOptions,
): Promise<ReferenceDescription[]> => {
  const { session } = ctx;
  const [first] = await browseWithMax(ctx, [description], ctx.maxRefs);
  const what = description.nodeId ? idText(description.nodeId) : '';
  if (!first) throw new OpcUaBrowseError('server_error', `the server gave no browse result for ${what}`);
  checkBrowseStatus(first, what);
  const refs = [...(first.references ?? [])];
  let cp = first.continuationPoint;
  while (cp && cp.length > 0) {
    if (refs.length > MAX_REFERENCES) {
      await session.browseNext([cp], true).catch(() => undefined);
      throw new OpcUaBrowseError('server_error', `${what} has more than ${MAX_REFERENCES} children; not shown`);
    }
    const next = await withTimeout(session.browseNext([cp], false), ctx.timeoutMs, 'browse next');
    const r = next[0];
    if (!r) throw new OpcUaBrowseError('server_error', `the server gave no BrowseNext result for ${what}`);
    checkBrowseStatus(r, what);
    refs.push(...(r.references ?? []));
    cp = r.continuationPoint;
  }
  return refs;
};
