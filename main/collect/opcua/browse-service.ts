import type { SecretStore } from '../../secrets/secret-store.js';
import {
  AttributeIds,
  BrowseDirection,
  DataType,
  NodeClass,
  NodeClassMask,
  ObjectIds,
  ReferenceTypeIds,
  StatusCodes,
  VariableIds,
  VariantArrayType,
  type Variant,
  coerceNodeId,
  makeNodeId,
  type BrowseDescriptionOptions,
  type BrowseResult,
  type ClientSession,
  type DataValue,
  type NodeId,
  type ReferenceDescription,
} from 'node-opcua';
import type { BrowseEntry, NodeDetails } from '../../domain/opcua/browse.js';
import { withTimeout } from '../timeout.js';
import { openBrowseSession, type BrowseSession, type BrowseSessionDevice } from './browse-session.js';
import { describeOpcUaError } from './messages.js';
import {
  accessLevelNames,
  canWrite,
  coerceForWrite,
  isWritableType,
  plainValueText,
  statusCodeName,
  variantText,
} from './node-values.js';
import { quietOpcUaLogs } from './quiet-logs.js';
import { OpcUaBrowseError } from './opcua-errors.js';
import { appendBrowsePath, OPC_UA_NAMESPACE } from './browse-path.js';
import { locatePart, valuePartEntries, type Position } from './value-browse.js';
import { ValuePartError } from './value-parts.js';

/**
 * The address-space browser behind the "Address space" panel: one session per device, opened on
 * demand with the device's settings and closed after a few idle minutes, when the device is deleted
 * or its connection settings change, and on app stop. Independent of the collector's connection, so
 * browsing works whether or not the device is being collected.
 */

export interface OpcUaBrowseServiceOptions {
  pkiDir: string;
  /** Device passwords for user name logins. */
  secrets?: SecretStore;
  /** Close a session unused this long (default 3 minutes). */
  idleMs?: number;
  /** References per Browse/BrowseNext answer we ask for; more come through continuation points. */
  maxReferencesPerNode?: number;
  /** Per request; the connect gets the same. */
  timeoutMs?: number;
  /** Replaceable for tests (and for the shared client options once merged). */
  open?: (
    device: BrowseSessionDevice,
    opts: { pkiDir: string; secrets?: SecretStore; timeoutMs?: number },
  ) => Promise<BrowseSession>;
}

interface Entry {
  key: string;
  opening: Promise<BrowseSession>;
  session: BrowseSession | null;
  idle: NodeJS.Timeout | null;
  busy: number;
  /** DataType node id -> name, per session (namespace indexes are per server). */
  typeNames: Map<string, string>;
  /** DataType node id -> the built-in type it derives from (ExtensionObject for structures). */
  builtins: Map<string, DataType | null>;
  namespaces: string[] | null;
  maxContinuationPoints: number | null;
}

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

const HIERARCHICAL = makeNodeId(ReferenceTypeIds.HierarchicalReferences);
const HAS_PROPERTY = makeNodeId(ReferenceTypeIds.HasProperty);
const HAS_SUBTYPE = makeNodeId(ReferenceTypeIds.HasSubtype);
const OBJECTS = makeNodeId(ObjectIds.ObjectsFolder);
const MAX_BROWSE_CPS = makeNodeId(VariableIds.Server_ServerCapabilities_MaxBrowseContinuationPoints);
const TREE_CLASSES = NodeClassMask.Object | NodeClassMask.Variable | NodeClassMask.Method;
const CHUNK = 250;
/** A server that keeps handing out continuation points forever is cut off here. */
const MAX_REFERENCES = 500_000;

const isBad = (code: number): boolean => code >>> 30 >= 2;

/** The settings a browse session depends on; a change means a new session. */
const sessionKey = (d: BrowseSessionDevice): string =>
  JSON.stringify([d.settings.endpointUrl, d.settings.securityMode, d.settings.securityPolicy, d.settings.identity]);

/** ReferenceDescription.nodeClass is typed with another copy of the NodeClass enum. */
const isVariable = (r: ReferenceDescription): boolean => Number(r.nodeClass) === Number(NodeClass.Variable);

const nodeClassName = (c: number): BrowseEntry['nodeClass'] =>
  (NodeClass[c] as BrowseEntry['nodeClass'] | undefined) ?? 'Object';

/** "i=2253" rather than node-opcua's "ns=0;i=2253": how engineers write node ids of namespace 0. */
const idText = (id: { toString(): string }): string => id.toString().replace(/^ns=0;/, '');

const chunks = <T>(items: T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

/** A value's array dimensions ([rows, cols] of a matrix, [length] of an array), null for a scalar. */
const dimensionsOf = (v: Variant): number[] | null =>
  v.arrayType === VariantArrayType.Matrix
    ? [...(v.dimensions ?? [])]
    : v.arrayType === VariantArrayType.Array
      ? [(v.value as ArrayLike<unknown> | null)?.length ?? 0]
      : null;

export class OpcUaBrowseService {
  private readonly sessions = new Map<number, Entry>();
  private readonly idleMs: number;
  private readonly maxRefs: number;
  private readonly timeoutMs: number;
  private closed = false;

  constructor(private readonly opts: OpcUaBrowseServiceOptions) {
    quietOpcUaLogs();
    this.idleMs = opts.idleMs ?? 3 * 60_000;
    this.maxRefs = opts.maxReferencesPerNode ?? 1000;
    this.timeoutMs = opts.timeoutMs ?? 15_000;
  }

  /** Devices with an open (or opening) browse session. */
  openSessions(): number[] {
    return [...this.sessions.keys()];
  }

  // ---- browse ----------------------------------------------------------------------------------

  /**
   * Hierarchical children (Objects, Variables, Methods) of a node; Objects folder by default. A variable holding a
   * structure or an array also lists the parts of its value (fields, elements); with `indexRange`/`field`, only the
   * parts inside that place of the value.
   */
  async browse(device: BrowseSessionDevice, target: BrowseTarget | string = {}): Promise<BrowseEntry[]> {
    const t: BrowseTarget = typeof target === 'string' ? { nodeId: target } : target;
    const nodeIdText = t.nodeId;
    const nodeId = nodeIdText === undefined ? OBJECTS : this.parseNodeId(nodeIdText);
    const inValue = t.indexRange !== undefined || t.field !== undefined || t.elements !== undefined;
    // Children of the Objects folder start the path; below a node whose path is not known, theirs is not either.
    const basePath = nodeId.namespace === 0 && nodeId.value === ObjectIds.ObjectsFolder ? '' : (t.browsePath ?? null);
    return this.use(device, true, async (session, entry) => {
      const here: Position = { indexRange: t.indexRange ?? '', field: t.field ?? '' };
      if (inValue) return this.valueParts(session, entry, nodeId, t.browsePath ?? '', here, t.elements);
      const refs = await this.browseAll(session, {
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
        this.hasChildren(session, entry, ids),
        this.dataTypesOf(
          session,
          entry,
          ids.filter((_, i) => isVariable(children[i]!)),
        ),
        basePath === null ? Promise.resolve([]) : this.namespaces(session, entry),
        // A variable's own value parts come after its child nodes.
        nodeIdText === undefined ? Promise.resolve(null) : this.variableShape(session, entry, [nodeId]),
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
        rows.push(...(await this.valueParts(session, entry, nodeId, t.browsePath ?? '', here, undefined)));
      }
      return rows;
    });
  }

  /** The server's NamespaceArray, once per session: browse paths name namespaces by URI. */
  private async namespaces(session: ClientSession, entry: Entry): Promise<string[]> {
    if (!entry.namespaces) {
      const list = await withTimeout(session.readNamespaceArray(), this.timeoutMs, 'read namespace array');
      entry.namespaces = list.length ? list : [OPC_UA_NAMESPACE];
    }
    return entry.namespaces;
  }

  /** The parts inside one place of a variable's value, read now (structures decoded with the server's definitions). */
  private async valueParts(
    session: ClientSession,
    entry: Entry,
    nodeId: NodeId,
    browsePath: string,
    at: Position,
    elements: string | undefined,
  ): Promise<BrowseEntry[]> {
    const what = idText(nodeId);
    const [dvType, dvValue] = await this.read(session, [
      { nodeId, attributeId: AttributeIds.DataType },
      { nodeId, attributeId: AttributeIds.Value },
    ]);
    this.checkKnown(dvType!, what);
    const value = dvValue!;
    if (isBad(value.statusCode.value)) {
      throw new OpcUaBrowseError(
        'server_error',
        `the server gave no value of ${what} to list its parts: ${statusCodeName(value.statusCode.value)}`,
      );
    }
    const typeId = isBad(dvType!.statusCode.value) ? null : (dvType!.value.value as NodeId | null);
    const [typeName] = typeId ? await this.typeNames(session, entry, [typeId]) : [null];
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
  }

  /** Browse plus every BrowseNext until the server has no continuation point left. */
  private async browseAll(
    session: ClientSession,
    description: BrowseDescriptionOptions,
  ): Promise<ReferenceDescription[]> {
    const [first] = await this.browseWithMax(session, [description], this.maxRefs);
    const what = description.nodeId ? idText(description.nodeId) : '';
    if (!first) throw new OpcUaBrowseError('server_error', `the server gave no browse result for ${what}`);
    this.checkBrowseStatus(first, what);
    const refs = [...(first.references ?? [])];
    let cp = first.continuationPoint;
    while (cp && cp.length > 0) {
      if (refs.length > MAX_REFERENCES) {
        await session.browseNext([cp], true).catch(() => undefined);
        throw new OpcUaBrowseError('server_error', `${what} has more than ${MAX_REFERENCES} children; not shown`);
      }
      const next = await withTimeout(session.browseNext([cp], false), this.timeoutMs, 'browse next');
      const r = next[0];
      if (!r) throw new OpcUaBrowseError('server_error', `the server gave no BrowseNext result for ${what}`);
      this.checkBrowseStatus(r, what);
      refs.push(...(r.references ?? []));
      cp = r.continuationPoint;
    }
    return refs;
  }

  private checkBrowseStatus(r: BrowseResult, what: string): void {
    const code = r.statusCode.value;
    if (code === StatusCodes.BadNodeIdUnknown.value || code === StatusCodes.BadNodeIdInvalid.value) {
      throw new OpcUaBrowseError('node_unknown', `the server does not know node ${what}`);
    }
    if (isBad(code)) {
      throw new OpcUaBrowseError('server_error', `the server refused to browse ${what}: ${statusCodeName(code)}`);
    }
  }

  /**
   * node-opcua puts the session's requestedMaxReferencesPerNode into the request when browse() is
   * called (synchronously), so setting it around the call gives this request its own limit.
   */
  private browseWithMax(
    session: ClientSession,
    nodes: BrowseDescriptionOptions[],
    max: number,
  ): Promise<BrowseResult[]> {
    const before = session.requestedMaxReferencesPerNode;
    session.requestedMaxReferencesPerNode = max;
    try {
      return withTimeout(session.browse(nodes), this.timeoutMs, 'browse');
    } finally {
      session.requestedMaxReferencesPerNode = before;
    }
  }

  /**
   * Cheap: one reference per node is enough to know, asked for in groups no larger than the server's
   * continuation points per session; the continuation points an answer leaves are released at once.
   * Nodes the server had no continuation point left for (another request held them) are asked again.
   */
  private async hasChildren(session: ClientSession, entry: Entry, ids: NodeId[]): Promise<boolean[]> {
    const maxCps = await this.maxContinuationPoints(session, entry);
    const size = maxCps > 0 ? Math.min(CHUNK, maxCps) : CHUNK;
    const out = new Array<boolean>(ids.length).fill(true);
    let pending = ids.map((_, i) => i);
    for (let round = 0; round < 5 && pending.length > 0; round++) {
      const again: number[] = [];
      for (const part of chunks(pending, size)) {
        const results = await this.browseWithMax(
          session,
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
          await withTimeout(session.browseNext(cps, true), this.timeoutMs, 'release continuation points').catch(
            () => undefined,
          );
        }
      }
      pending = again;
    }
    return out;
  }

  /** Server_ServerCapabilities_MaxBrowseContinuationPoints; 0 = no limit (or not said). */
  private async maxContinuationPoints(session: ClientSession, entry: Entry): Promise<number> {
    if (entry.maxContinuationPoints === null) {
      const [dv] = await this.read(session, [{ nodeId: MAX_BROWSE_CPS, attributeId: AttributeIds.Value }]).catch(() => [
        null,
      ]);
      const n = dv && !isBad(dv.statusCode.value) ? Number(dv.value.value) : 0;
      entry.maxContinuationPoints = Number.isInteger(n) && n > 0 ? n : 0;
    }
    return entry.maxContinuationPoints;
  }

  /**
   * DataType names of variables (Double, Boolean, or the data type node's BrowseName), and whether their value has
   * parts to list: an array (ValueRank 0 or more) or a structure.
   */
  private async dataTypesOf(
    session: ClientSession,
    entry: Entry,
    ids: NodeId[],
  ): Promise<Map<string, { name: string | null; hasParts: boolean }>> {
    const shapes = await this.variableShape(session, entry, ids);
    return new Map(ids.map((id, i) => [idText(id), shapes[i]!]));
  }

  private async variableShape(
    session: ClientSession,
    entry: Entry,
    ids: NodeId[],
  ): Promise<{ name: string | null; hasParts: boolean }[]> {
    const out: { name: string | null; hasParts: boolean }[] = [];
    for (const part of chunks(ids, 500)) {
      const dvs = await this.read(
        session,
        part.flatMap((nodeId) => [
          { nodeId, attributeId: AttributeIds.DataType },
          { nodeId, attributeId: AttributeIds.ValueRank },
        ]),
      );
      const typeIds = part.map((_, i) => {
        const dv = dvs[2 * i]!;
        return isBad(dv.statusCode.value) ? null : (dv.value.value as NodeId | null);
      });
      const names = await this.typeNames(session, entry, typeIds);
      for (let i = 0; i < part.length; i++) {
        const rankDv = dvs[2 * i + 1]!;
        const rank = isBad(rankDv.statusCode.value) ? null : Number(rankDv.value.value);
        const typeId = typeIds[i] ?? null;
        const structure = typeId ? (await this.builtinOf(session, entry, typeId)) === DataType.ExtensionObject : false;
        out.push({ name: names[i] ?? null, hasParts: (rank !== null && rank >= 0) || structure });
      }
    }
    return out;
  }

  /** builtinType, remembered per data type for the session (a folder of 1,000 Pump_t variables asks once). */
  private async builtinOf(session: ClientSession, entry: Entry, typeId: NodeId): Promise<DataType | null> {
    const key = typeId.toString();
    if (!entry.builtins.has(key)) entry.builtins.set(key, await this.builtinType(session, typeId).catch(() => null));
    return entry.builtins.get(key) ?? null;
  }

  private async typeNames(
    session: ClientSession,
    entry: Entry,
    typeIds: (NodeId | null)[],
  ): Promise<(string | null)[]> {
    const missing = new Map<string, NodeId>();
    for (const t of typeIds) {
      if (!t) continue;
      const key = t.toString();
      if (entry.typeNames.has(key)) continue;
      if (t.namespace === 0 && typeof t.value === 'number' && t.value >= 1 && t.value <= 25) {
        entry.typeNames.set(key, DataType[t.value] ?? key);
      } else missing.set(key, t);
    }
    if (missing.size) {
      const list = [...missing.values()];
      const dvs = await this.read(
        session,
        list.map((nodeId) => ({ nodeId, attributeId: AttributeIds.BrowseName })),
      );
      list.forEach((t, i) => {
        const dv = dvs[i];
        const qn = dv && !isBad(dv.statusCode.value) ? (dv.value.value as { name?: string } | null) : null;
        entry.typeNames.set(t.toString(), qn?.name ?? t.toString());
      });
    }
    return typeIds.map((t) => (t ? (entry.typeNames.get(t.toString()) ?? null) : null));
  }

  private read(session: ClientSession, nodes: { nodeId: NodeId; attributeId: AttributeIds }[]): Promise<DataValue[]> {
    return withTimeout(session.read(nodes), this.timeoutMs, 'read');
  }

  /**
   * Reads attributes of one node (NodeClass among them) in one call; refuses a node the server does not know.
   * `ok` gives an attribute's value, or null when the server answered bad for it.
   */
  private async readAttributes<A extends AttributeIds>(
    session: ClientSession,
    nodeId: NodeId,
    nodeIdText: string,
    attrs: readonly A[],
  ): Promise<{ at: (a: A) => DataValue; ok: (a: A) => unknown; nodeClass: ReturnType<typeof nodeClassName> }> {
    const dvs = await this.read(
      session,
      attrs.map((attributeId) => ({ nodeId, attributeId })),
    );
    const at = (a: A): DataValue => dvs[attrs.indexOf(a)]!;
    const ok = (a: A): unknown => {
      const dv = at(a);
      return isBad(dv.statusCode.value) ? null : dv.value.value;
    };
    const nodeClassValue = at(AttributeIds.NodeClass as A);
    this.checkKnown(nodeClassValue, nodeIdText);
    return { at, ok, nodeClass: nodeClassName(Number(ok(AttributeIds.NodeClass as A))) };
  }

  // ---- details ---------------------------------------------------------------------------------

  /** A node's attributes and value; with `part`, the value (and its type) is that field's or element's. */
  async readNode(device: BrowseSessionDevice, nodeIdText: string, part?: Position): Promise<NodeDetails> {
    const nodeId = this.parseNodeId(nodeIdText);
    return this.use(device, true, async (session, entry) => {
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
      const { at, ok, nodeClass } = await this.readAttributes(session, nodeId, nodeIdText, attrs);
      const isVariable = nodeClass === 'Variable' || nodeClass === 'VariableType';
      const typeId = ok(AttributeIds.DataType) as NodeId | null;
      const [dataType] = typeId ? await this.typeNames(session, entry, [typeId]) : [null];
      const access = Number(ok(AttributeIds.AccessLevel) ?? 0);
      const userAccessRaw = ok(AttributeIds.UserAccessLevel);
      const userAccess = userAccessRaw === null ? access : Number(userAccessRaw);
      const value = at(AttributeIds.Value);
      const valueRead = isVariable && value.statusCode.value !== StatusCodes.BadAttributeIdInvalid.value;
      const props = nodeClass === 'Variable' ? await this.properties(session, nodeId) : { eu: null, range: null };
      const browseName = ok(AttributeIds.BrowseName) as { toString(): string } | null;
      const displayName = ok(AttributeIds.DisplayName) as { text?: string | null } | null;
      const description = ok(AttributeIds.Description) as { text?: string | null } | null;
      const msi = ok(AttributeIds.MinimumSamplingInterval);
      const rank = ok(AttributeIds.ValueRank);
      const good = valueRead && !isBad(value.statusCode.value);
      const inside = part && good ? this.partValue(value, nodeIdText, dataType ?? null, typeId, part) : null;
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
    });
  }

  private partValue(
    dv: DataValue,
    what: string,
    typeName: string | null,
    typeId: NodeId | null,
    part: Position,
  ): { text: string; typeName: string | null } {
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
  }

  private checkKnown(nodeClass: DataValue, what: string): void {
    const code = nodeClass.statusCode.value;
    if (code === StatusCodes.BadNodeIdUnknown.value || code === StatusCodes.BadNodeIdInvalid.value) {
      throw new OpcUaBrowseError('node_unknown', `the server does not know node ${what}`);
    }
    if (isBad(code)) {
      throw new OpcUaBrowseError('server_error', `the server refused to read ${what}: ${statusCodeName(code)}`);
    }
  }

  /** EngineeringUnits (its display name) and EURange, when the variable has them as properties. */
  private async properties(
    session: ClientSession,
    nodeId: NodeId,
  ): Promise<{ eu: string | null; range: { low: number; high: number } | null }> {
    const refs = await this.browseAll(session, {
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
    const dvs = await this.read(
      session,
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
  }

  // ---- write -----------------------------------------------------------------------------------

  /** Writes a value converted to the node's data type; refuses (without sending) what cannot fit. */
  async write(
    device: BrowseSessionDevice,
    nodeIdText: string,
    input: number | boolean | string,
  ): Promise<{ request: string }> {
    const nodeId = this.parseNodeId(nodeIdText);
    // Not retried on a broken session: the engineer decides whether to send it again.
    return this.use(device, false, async (session, entry) => {
      const attrs = [
        AttributeIds.NodeClass,
        AttributeIds.DataType,
        AttributeIds.ValueRank,
        AttributeIds.AccessLevel,
        AttributeIds.UserAccessLevel,
      ] as const;
      const { ok, nodeClass } = await this.readAttributes(session, nodeId, nodeIdText, attrs);
      if (nodeClass !== 'Variable') {
        throw new OpcUaBrowseError(
          'refused',
          `node ${nodeIdText} is ${article(nodeClass)} ${nodeClass}: only variables hold a value`,
        );
      }
      const access = Number(ok(AttributeIds.AccessLevel) ?? 0);
      if (!canWrite(access)) {
        const names = accessLevelNames(access);
        throw new OpcUaBrowseError(
          'refused',
          `node ${nodeIdText} is read-only (AccessLevel: ${names.length ? names.join(', ') : 'none'})`,
        );
      }
      const userAccess = ok(AttributeIds.UserAccessLevel);
      if (userAccess !== null && !canWrite(Number(userAccess))) {
        throw new OpcUaBrowseError('refused', `node ${nodeIdText} is not writable for this login (UserAccessLevel)`);
      }
      const rank = ok(AttributeIds.ValueRank);
      if (typeof rank === 'number' && rank >= 0) {
        throw new OpcUaBrowseError(
          'refused',
          `node ${nodeIdText} holds an array; writing arrays is not supported here`,
        );
      }
      const typeId = ok(AttributeIds.DataType) as NodeId | null;
      const builtin = typeId ? await this.builtinType(session, typeId) : null;
      const [typeName] = typeId ? await this.typeNames(session, entry, [typeId]) : [null];
      if (builtin === null || !isWritableType(builtin)) {
        throw new OpcUaBrowseError(
          'refused',
          `node ${nodeIdText} has data type ${typeName ?? 'unknown'}; only numbers, Boolean and String can be written here`,
        );
      }
      const coerced = coerceForWrite(builtin, input);
      if (!coerced.ok) throw new OpcUaBrowseError('refused', `not written: ${coerced.reason}`);
      const shownType =
        typeName && typeName !== DataType[builtin] ? `${typeName}: ${DataType[builtin]}` : DataType[builtin];
      const request = `Write ${idText(nodeId)} (${shownType}) = ${coerced.text}`;
      const status = await withTimeout(
        session.write({
          nodeId,
          attributeId: AttributeIds.Value,
          value: { value: { dataType: builtin, value: coerced.value } },
        }),
        this.timeoutMs,
        'write',
      );
      if (isBad(status.value)) {
        throw new OpcUaBrowseError('server_error', `the server refused the write: ${statusCodeName(status.value)}`);
      }
      return { request };
    });
  }

  /** The built-in type a data type derives from (Duration -> Double, an enumeration -> Int32). */
  private async builtinType(session: ClientSession, typeId: NodeId): Promise<DataType | null> {
    let current: NodeId = typeId;
    for (let depth = 0; depth < 8; depth++) {
      if (current.namespace === 0 && typeof current.value === 'number') {
        if (current.value >= 1 && current.value <= 25) return current.value;
        if (current.value === 29) return DataType.Int32; // Enumeration
      }
      const refs = await this.browseAll(session, {
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
  }

  // ---- sessions --------------------------------------------------------------------------------

  private parseNodeId(text: string): NodeId {
    try {
      return coerceNodeId(text.trim());
    } catch {
      throw new OpcUaBrowseError('node_unknown', `"${text}" is not a node id (like ns=2;s=Pump.Flow or i=85)`);
    }
  }

  /**
   * Runs `fn` on the device's session, opening one if needed. With `retry`, a session that turns out
   * to be broken (server restarted, session timed out) is replaced once.
   */
  private async use<T>(
    device: BrowseSessionDevice,
    retry: boolean,
    fn: (session: ClientSession, entry: Entry) => Promise<T>,
  ): Promise<T> {
    if (this.closed) throw new OpcUaBrowseError('not_connected', 'the app is stopping');
    for (let attempt = 0; ; attempt++) {
      const entry = this.entryFor(device);
      let bs: BrowseSession;
      try {
        bs = await entry.opening;
      } catch (e) {
        throw new OpcUaBrowseError(
          'not_connected',
          `cannot connect to ${device.settings.endpointUrl}: ${describeOpcUaError(e)}`,
        );
      }
      entry.busy++;
      this.touch(device.id, entry);
      try {
        return await fn(bs.session, entry);
      } catch (e) {
        if (e instanceof OpcUaBrowseError) throw e;
        const broken = sessionBroken(e);
        if (broken) await this.drop(device.id, entry);
        if (broken && retry && attempt === 0) continue;
        throw new OpcUaBrowseError(
          broken ? 'not_connected' : 'server_error',
          broken
            ? `the connection to ${device.settings.endpointUrl} was lost: ${describeOpcUaError(e)}`
            : describeOpcUaError(e),
        );
      } finally {
        entry.busy--;
        this.touch(device.id, entry);
      }
    }
  }

  private entryFor(device: BrowseSessionDevice): Entry {
    const key = sessionKey(device);
    const existing = this.sessions.get(device.id);
    if (existing && existing.key === key) return existing;
    if (existing) void this.drop(device.id, existing);
    const open = this.opts.open ?? openBrowseSession;
    const entry: Entry = {
      key,
      opening: open(device, {
        pkiDir: this.opts.pkiDir,
        ...(this.opts.secrets ? { secrets: this.opts.secrets } : {}),
        timeoutMs: this.timeoutMs,
      }),
      session: null,
      idle: null,
      busy: 0,
      typeNames: new Map(),
      builtins: new Map(),
      namespaces: null,
      maxContinuationPoints: null,
    };
    this.sessions.set(device.id, entry);
    entry.opening.then(
      (bs) => {
        entry.session = bs;
        if (this.sessions.get(device.id) !== entry) {
          void bs.close();
          return;
        }
        bs.onLost(() => void this.drop(device.id, entry));
      },
      () => {
        // A failed open is not kept: the next request tries again.
        if (this.sessions.get(device.id) === entry) this.sessions.delete(device.id);
      },
    );
    return entry;
  }

  private touch(deviceId: number, entry: Entry): void {
    if (entry.idle) clearTimeout(entry.idle);
    entry.idle = null;
    if (entry.busy > 0 || this.sessions.get(deviceId) !== entry) return;
    entry.idle = setTimeout(() => void this.drop(deviceId, entry), this.idleMs);
    entry.idle.unref();
  }

  private async drop(deviceId: number, entry: Entry): Promise<void> {
    if (entry.idle) clearTimeout(entry.idle);
    entry.idle = null;
    if (this.sessions.get(deviceId) === entry) this.sessions.delete(deviceId);
    const bs = entry.session ?? (await entry.opening.catch(() => null));
    await bs?.close();
  }

  /** Closes the device's browse session (device deleted, or its settings changed). */
  async close(deviceId: number): Promise<void> {
    const entry = this.sessions.get(deviceId);
    if (entry) await this.drop(deviceId, entry);
  }

  /** Keeps only sessions of these devices with these settings; closes the rest. */
  async retain(devices: BrowseSessionDevice[]): Promise<void> {
    const keys = new Map(devices.map((d) => [d.id, sessionKey(d)]));
    await Promise.all(
      [...this.sessions].filter(([id, e]) => keys.get(id) !== e.key).map(([id, e]) => this.drop(id, e)),
    );
  }

  async closeAll(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.sessions].map(([id, e]) => this.drop(id, e)));
  }
}

const article = (word: string): string => (/^[AEIOU]/.test(word) ? 'an' : 'a');

/** Errors after which the session cannot be used again. */
const sessionBroken = (e: unknown): boolean => {
  const text = e instanceof Error ? e.message : String(e);
  return /BadSession|BadSecureChannel|BadConnectionClosed|BadCommunicationError|BadNotConnected|closed|ECONNRESET|EPIPE|disconnect|took longer than/i.test(
    text,
  );
};
