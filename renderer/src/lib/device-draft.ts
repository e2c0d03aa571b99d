import type { DeviceView } from '../../../main/domain/device/device-view';
import {
  describeLine,
  isBitArea,
  type ModbusArea,
  type ModbusDataType,
  type ModbusTag,
  type ModbusTransport,
  type WordOrder,
  type opcuaIdentityTypes,
  type opcuaDeadbandTypes,
  type opcuaSecurityModes,
  type opcuaSecurityPolicies,
  type serialParities,
} from '../../../main/domain/device/device-schema';
import { newStoragePolicy, type StoragePolicyDraft, type TagStorageDraft } from './storage-draft';

export { newStoragePolicy, type StoragePolicyDraft, type TagStorageDraft };

/** What the device form edits. Numbers are null while the input is empty (the schema reports it). */
export interface OpcUaTagDraft extends TagStorageDraft {
  id?: number;
  name: string;
  unit: string;
  nodeId: string;
  samplingIntervalMs: number | null;
  queueSize: number | null;
  discardOldest: boolean;
  deadbandType: (typeof opcuaDeadbandTypes)[number];
  deadbandValue: number | null;
  /** Array element ("3", "1,0"); '' = the whole value. */
  indexRange: string;
  /** Field path inside a structure ("Motor.Speed"); '' = the value itself. */
  field: string;
  /** Where the node was found (set by the address-space browser; cleared when the node id is edited by hand). */
  browsePath: string;
}

export interface ModbusTagDraft extends TagStorageDraft {
  id?: number;
  name: string;
  unit: string;
  area: ModbusArea;
  /** Zero-based offset within the table. */
  address: number | null;
  dataType: ModbusDataType;
  wordOrder: WordOrder;
  /** Bool in a register only; null elsewhere. */
  bit: number | null;
  /** Strings only: registers. */
  length: number | null;
  scale: number | null;
  offset: number | null;
  /** null: the device's poll interval. */
  pollIntervalMs: number | null;
}

/** The login; the password is not here (it goes to the OS keychain with its own call). */
export interface OpcUaIdentityDraft {
  type: (typeof opcuaIdentityTypes)[number];
  userName: string;
  certificateFile: string;
  privateKeyFile: string;
}

export function newOpcUaIdentity(): OpcUaIdentityDraft {
  return { type: 'anonymous', userName: '', certificateFile: '', privateKeyFile: '' };
}

export function newOpcUaEvents(): OpcUaDraft['settings']['events'] {
  return { enabled: true, notifierNodeId: 'i=2253' };
}

export interface OpcUaDraft {
  id?: number;
  name: string;
  protocol: 'opcua';
  enabled: boolean;
  settings: {
    endpointUrl: string;
    securityMode: (typeof opcuaSecurityModes)[number];
    securityPolicy: (typeof opcuaSecurityPolicies)[number];
    identity: OpcUaIdentityDraft;
    publishingIntervalMs: number | null;
    /** The server's own alarms and events (on by default, as the schema says). */
    events: { enabled: boolean; notifierNodeId: string };
    storage: StoragePolicyDraft;
  };
  tags: OpcUaTagDraft[];
}

export interface ModbusSettingsDraft {
  transport: ModbusTransport;
  host: string;
  port: number | null;
  serial: {
    path: string;
    baudRate: number | null;
    dataBits: 7 | 8;
    parity: (typeof serialParities)[number];
    stopBits: 1 | 2;
  };
  unitId: number | null;
  pollIntervalMs: number | null;
  timeoutMs: number | null;
  retries: number | null;
  maxRegisterGap: number | null;
  maxBitGap: number | null;
  maxRegistersPerRead: number | null;
  maxBitsPerRead: number | null;
  degradeAfterFailures: number | null;
  degradedIntervalMs: number | null;
  reconnectMaxDelayMs: number | null;
  singleWriteFunctions: boolean;
  storage: StoragePolicyDraft;
}

export interface ModbusDraft {
  id?: number;
  name: string;
  protocol: 'modbus';
  enabled: boolean;
  settings: ModbusSettingsDraft;
  tags: ModbusTagDraft[];
}

export type DeviceDraft = OpcUaDraft | ModbusDraft;

export function newOpcUaDraft(): OpcUaDraft {
  return {
    name: '',
    protocol: 'opcua',
    enabled: true,
    settings: {
      endpointUrl: 'opc.tcp://',
      securityMode: 'None',
      securityPolicy: 'None',
      identity: newOpcUaIdentity(),
      publishingIntervalMs: 1000,
      events: newOpcUaEvents(),
      storage: newStoragePolicy(),
    },
    tags: [newOpcUaTag()],
  };
}

export function newOpcUaTag(): OpcUaTagDraft {
  return {
    name: '',
    unit: '',
    nodeId: '',
    samplingIntervalMs: 1000,
    queueSize: 0,
    discardOldest: true,
    deadbandType: 'none',
    deadbandValue: 0,
    indexRange: '',
    field: '',
    browsePath: '',
    storage: null,
    spanLow: null,
    spanHigh: null,
  };
}

/** The schema's defaults (main/config/modbus-schema.ts), spelled out because a blank host does not parse. */
export function newModbusSettings(): ModbusSettingsDraft {
  return {
    transport: 'tcp',
    host: '',
    port: 502,
    serial: { path: '', baudRate: 19200, dataBits: 8, parity: 'even', stopBits: 1 },
    unitId: 1,
    pollIntervalMs: 1000,
    timeoutMs: 1000,
    retries: 1,
    maxRegisterGap: 10,
    maxBitGap: 64,
    maxRegistersPerRead: 125,
    maxBitsPerRead: 2000,
    degradeAfterFailures: 3,
    degradedIntervalMs: 30_000,
    reconnectMaxDelayMs: 10_000,
    singleWriteFunctions: true,
    storage: newStoragePolicy(),
  };
}

export function newModbusDraft(): ModbusDraft {
  return { name: '', protocol: 'modbus', enabled: true, settings: newModbusSettings(), tags: [newModbusTag()] };
}

export function newModbusTag(): ModbusTagDraft {
  return {
    name: '',
    unit: '',
    area: 'holding',
    address: 0,
    dataType: 'uint16',
    wordOrder: 'ABCD',
    bit: null,
    length: 1,
    scale: 1,
    offset: 0,
    pollIntervalMs: null,
    storage: null,
    spanLow: null,
    spanHigh: null,
  };
}

/** A tag read from CSV or the service, as the form edits it. */
export function tagDraftOf(t: ModbusTag): ModbusTagDraft {
  return {
    ...(t.id === undefined ? {} : { id: t.id }),
    name: t.name,
    unit: t.unit,
    area: t.area,
    address: t.address,
    dataType: t.dataType,
    wordOrder: t.wordOrder,
    bit: t.bit,
    length: t.length,
    scale: t.scale,
    offset: t.offset,
    pollIntervalMs: t.pollIntervalMs,
    storage: t.storage === null ? null : { ...t.storage },
    spanLow: t.spanLow,
    spanHigh: t.spanHigh,
  };
}

/** A copy of a row under a new name, without the stored id (it becomes a new tag). */
export function duplicateTag(t: ModbusTagDraft, names: ReadonlySet<string>): ModbusTagDraft {
  const base = t.name.replace(/ \(copy(?: \d+)?\)$/, '') || 'tag';
  let name = `${base} (copy)`;
  for (let n = 2; names.has(name); n++) name = `${base} (copy ${n})`;
  const { id: _id, ...rest } = t;
  void _id;
  return { ...rest, name };
}

export function draftFromDevice(d: DeviceView): DeviceDraft {
  // A deep copy: the form edits its own object, never the list's.
  const draft = JSON.parse(JSON.stringify(d.config)) as DeviceDraft;
  if (draft.protocol === 'opcua') {
    draft.settings.identity = { ...newOpcUaIdentity(), ...draft.settings.identity };
    draft.settings.events = { ...newOpcUaEvents(), ...draft.settings.events };
  }
  // A device saved before storage policies existed has none in its view: the schema's default, as the service has.
  draft.settings.storage ??= newStoragePolicy();
  for (const t of draft.tags as TagStorageDraft[]) {
    t.storage ??= null;
    t.spanLow ??= null;
    t.spanHigh ??= null;
  }
  return draft;
}

export function endpointText(d: DeviceView): string {
  const c = d.config;
  if (c.protocol === 'opcua') return c.settings.endpointUrl;
  return `${describeLine(c.settings)} · unit ${c.settings.unitId}`;
}

export const transportLabel: Record<ModbusTransport, string> = {
  tcp: 'Modbus TCP',
  rtu: 'Modbus RTU (serial)',
  'rtu-over-tcp': 'Modbus RTU over TCP (gateway)',
};

export function protocolText(d: DeviceView): string {
  return d.config.protocol === 'opcua' ? 'OPC UA' : transportLabel[d.config.settings.transport];
}

export const protocolLabel = { opcua: 'OPC UA', modbus: 'Modbus' } as const;

/** Whether a table can be written (coils and holding registers), and if not, why. */
export function writableReason(area: ModbusArea): string | null {
  if (area === 'coil' || area === 'holding') return null;
  return area === 'input'
    ? 'Input registers (3x) are read-only in Modbus; only holding registers (4x) and coils (0x) can be written.'
    : 'Discrete inputs (1x) are read-only in Modbus; only coils (0x) and holding registers (4x) can be written.';
}

export { isBitArea };
