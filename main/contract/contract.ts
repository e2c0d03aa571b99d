import { z } from 'zod';
import { DeviceInput, ModbusSettings, ModbusTag, OpcUaSettings, OpcUaTag } from '../domain/device/device-schema.js';
import {
  AlertRuleInput,
  JobInput,
  PredictionsQuery,
  RejectionsQuery,
  SyncConfigureInput,
  SyncKeyInput,
  SyncPauseInput,
  SyncLinkInput,
  SyncResolveInput,
  TrainingInput,
  type AlertRule,
  type CloudAlerts,
  type CloudDeviceChoices,
  type CloudList,
  type Dashboard,
  type KeyTestResult,
  type MlModel,
  type PointRejectionView,
  type Prediction,
  type SyncStatus,
  type TrainingJob,
} from './sync-contract.js';
import {
  AckInput,
  AlarmRuleInput,
  HistoryInput,
  PreviewInput,
  RuleIdInput,
  ShelveInput,
  UnshelveInput,
  type ActiveAlarm,
  type AlarmCounts,
  type AlarmHistoryEvent,
  type AlarmPreview,
  type AlarmRule as LocalAlarmRule,
  type AlarmsChanged,
} from './alarm-contract.js';
import {
  DashboardIdInput,
  ExportQuery,
  PredictionsOverlayQuery,
  RetentionInput,
  TrendQuery,
  TrendViewInput,
  ViewIdInput,
  type CsvExport,
  type DashboardImport,
  type PredictionsResult,
  type RetentionStatus,
  type TrendResult,
  type TrendView,
} from './trend-contract.js';
import { LogLevelInput, LogTailQuery, type LogLevel, type LogTail } from './log-contract.js';
import type { StoreCheck, StoreCheckStatus } from '../domain/store-check.js';
import {
  ServerAckInput,
  ServerEventsQuery,
  ServerShelveInput,
  type ServerAlarmActionResult,
  type ServerAlarmList,
  type ServerEvent,
  type ServerEventsExport,
} from './server-alarm-contract.js';

/**
 * The one contract between renderer and main. Every call the renderer may make and every event it
 * may receive is declared here, once, with a runtime schema for what the renderer sends. Both shells
 * (Electron IPC, browser-mode WebSocket) serve these calls through the same router; the preload and
 * the WebSocket client are generated from `callNames` / `eventNames`.
 *
 * Inputs are validated (the renderer is untrusted); outputs are typed only, since main produces them.
 */

// ---- shared shapes --------------------------------------------------------------------------

export type Quality = 'good' | 'uncertain' | 'bad';

/** Connection state of one device, as the collector reports it. */
export interface DeviceState {
  deviceId: number;
  /** degraded: answering too rarely, so polled less often until it answers again (Modbus). */
  state: 'disabled' | 'connecting' | 'connected' | 'degraded' | 'error';
  /** Plain-language reason when state is error or degraded (or connecting after a loss). */
  message: string | null;
  /** When the state last changed, epoch ms. */
  since: number;
  /** Samples received from this device since the collector started. */
  samples: number;
  /** Modbus: read requests per poll cycle after merging (all poll groups); null for other protocols. */
  requestsPerCycle: number | null;
}

/** Why a device's tags are not all good, for the device's details. */
export interface DeviceDiagnostics {
  deviceId: number;
  /** Modbus: one entry per poll rate. */
  pollGroups: { intervalMs: number; tags: number; requests: number; lastCycleMs: number | null }[];
  consecutiveFailures: number;
  degraded: boolean;
  /** Merged reads split after the device refused them (an address in the block does not exist). */
  splitBlocks: number;
  tagProblems: { tagId: number; name: string; address: string; quality: number; message: string }[];
  /** OPC UA: what was asked for and what the server granted (revised values). */
  subscription: {
    requestedPublishingIntervalMs: number;
    revisedPublishingIntervalMs: number | null;
    /** Monitored items per CreateMonitoredItems call (the server's limit or the device setting). */
    itemsPerCall: number | null;
    items: {
      tagId: number;
      name: string;
      requestedSamplingIntervalMs: number;
      revisedSamplingIntervalMs: number | null;
      requestedQueueSize: number;
      revisedQueueSize: number | null;
      statusCode: number;
      /** What the tag's last value was: text tags stay off numeric axes. null = no value yet. */
      valueKind?: 'number' | 'text' | null;
    }[];
  } | null;
  /** OPC UA: outages filled (or being filled) from the server's history, newest first; absent for Modbus. */
  backfill?: BackfillInterval[];
}

/** One outage of a device and what reading the server's history for it did. */
export interface BackfillInterval {
  /** The gap: from the last data before the loss to the first data after it (null: still down). */
  from: number;
  to: number | null;
  /** waiting: for the connection (or for the one before it); running: being read; done / failed: finished. */
  state: 'waiting' | 'running' | 'done' | 'failed';
  /** Tags whose history for the gap was read completely, of the tags the device has. */
  tagsFilled: number;
  tags: number;
  /** Values the server returned for the gap (stored as ordinary samples; ones already stored are kept once). */
  samples: number;
  /** Tags not filled, and why (no HistoryRead access, BadHistoryOperationUnsupported, ...); at most 50. */
  skipped: { name: string; reason: string }[];
  /** A limit that applied, or why the fill stopped; null when there is nothing to add. */
  message: string | null;
  finishedAt: number | null;
}

export interface ModbusTestReadResult {
  /** The request as sent, e.g. "FC 3 read holding registers 40001-40002 (offset 0, 2 registers), unit 1". */
  request: string;
  /** Registers as hex words (0x1A2B), or bits as 0/1. */
  raw: string[];
  /** Engineering value (scaled); null for strings or on error. */
  value: number | null;
  text: string | null;
  quality: number;
  /** Plain-language error (no answer, exception with its code); null when read. */
  error: string | null;
  durationMs: number;
}

export interface WriteResult {
  /** The request as sent, e.g. "FC 16 write 2 registers at 40011, unit 1" or "Write ns=2;s=SP (Double) = 12.5". */
  request: string;
  durationMs: number;
  auditId: number;
}

export interface AuditEntry {
  id: number;
  ts: number;
  /** Who: the OS user and the shell, e.g. "jdoe (desktop)". */
  actor: string;
  /** write: a value written to a device; acknowledge / confirm / shelve: a call on a server's alarm condition. */
  action: 'write' | 'acknowledge' | 'confirm' | 'shelve';
  deviceId: number | null;
  deviceName: string;
  /** Tag name and address. */
  target: string;
  value: string;
  outcome: 'ok' | 'failed';
  message: string | null;
}

export interface TagInfo {
  id: number;
  deviceId: number;
  name: string;
  unit: string;
  /** Protocol address as an engineer reads it: a node id, or e.g. "HR 40001 float32 ABCD". */
  address: string;
}

export interface DeviceView {
  id: number;
  config: z.infer<typeof DeviceInput> & { id: number };
  tags: TagInfo[];
  state: DeviceState;
  /** Whether a password is stored in the OS keychain for this device (never the password itself). */
  passwordSet: boolean;
  /** Set when the device points at a port on this computer the demo plant used before and no longer uses. */
  demoPortWarning: string | null;
}

/** A certificate as an engineer checks it before trusting a server. */
export interface CertificateInfo {
  /** SHA-1 thumbprint, hex, upper case (what UaExpert and Windows show). */
  thumbprint: string;
  subject: string;
  issuer: string;
  /** Epoch ms. */
  validFrom: number;
  validTo: number;
  applicationUri: string | null;
  dnsNames: string[];
  selfSigned: boolean;
  status: 'own' | 'trusted' | 'rejected';
}

export interface OpcUaCertificates {
  own: CertificateInfo;
  trusted: CertificateInfo[];
  rejected: CertificateInfo[];
  /** Where the lists live, so an administrator can manage them by hand. */
  pkiDir: string;
}

export interface OpcUaEndpoint {
  endpointUrl: string;
  securityMode: 'None' | 'Sign' | 'SignAndEncrypt';
  /** Short policy name (Basic256Sha256...); 'unsupported:<uri>' for a policy this app does not offer. */
  securityPolicy: string;
  securityLevel: number;
  userIdentities: ('anonymous' | 'username' | 'certificate')[];
  serverCertificate: CertificateInfo | null;
}

export interface BrowseEntry {
  nodeId: string;
  browseName: string;
  displayName: string;
  nodeClass: 'Object' | 'Variable' | 'Method' | 'ObjectType' | 'VariableType' | 'ReferenceType' | 'DataType' | 'View';
  /** False when the server reports no hierarchical children (a leaf in the tree). */
  hasChildren: boolean;
  /** Variables: the data type's name (Double, Boolean...). */
  dataType: string | null;
  /**
   * Where the node was found, from the Objects folder (the tag config's `browsePath` format, see
   * main/collect/opcua/browse-path.ts); for a part of a value, the variable's path. '' = not known.
   */
  browsePath: string;
  /** Set when the entry is inside a variable's value (a structure field, an array element); nodeId is the variable's. */
  part: ValuePart | null;
}

/** A position inside a variable's value, as a tag addresses it (OpcUaTag `indexRange` and `field`). */
export interface ValuePart {
  /** NumericRange of an array element ("3", "1,0" for row 1 column 0); '' = the whole value. */
  indexRange: string;
  /** Field path inside a structure ("Motor.Speed", "Items[2].Value"); '' = the value (or element) itself. */
  field: string;
  /**
   * Set on the stand-in row of an array with more elements than listed: how many were left out, and the array's
   * dimensions, so the engineer can choose a range to list (browse with `elements`).
   */
  more: { count: number; dimensions: number[] } | null;
}

export interface NodeDetails {
  nodeId: string;
  browseName: string;
  displayName: string;
  description: string | null;
  nodeClass: BrowseEntry['nodeClass'];
  dataType: string | null;
  valueRank: number | null;
  /** CurrentRead, CurrentWrite, HistoryRead... */
  accessLevel: string[];
  writable: boolean;
  /** The value as text (numbers, booleans, strings, arrays shortened); with `part`, that field's or element's. */
  value: string | null;
  /** Read for a field or element (dataType and value are then that part's); null = the node itself. */
  part: ValuePart | null;
  statusCode: number;
  /** Good, BadNodeIdUnknown... */
  statusText: string;
  sourceTimestamp: number | null;
  serverTimestamp: number | null;
  engineeringUnits: string | null;
  euRange: { low: number; high: number } | null;
  minimumSamplingIntervalMs: number | null;
}

/**
 * A sample on the wire: [tagId, source timestamp ms, value (null if none), OPC UA status code], plus the
 * text of a string tag (whose value is null).
 */
export type SampleTuple = [number, number, number | null, number] | [number, number, null, number, string];

export interface HistorySeries {
  tagId: number;
  /** Epoch ms, ascending. */
  ts: number[];
  values: (number | null)[];
  quality: number[];
  /** True when the range held more rows than maxPoints and was reduced (min/max per bucket). */
  reduced: boolean;
}

export interface AppInfo {
  name: string;
  version: string;
  shell: 'desktop' | 'browser';
  dataDir: string;
  storePath: string;
  timeZone: string;
  demo: {
    enabled: boolean;
    running: boolean;
    opcuaEndpoint: string | null;
    modbusEndpoint: string | null;
    /** Why the demo plant is not running although it is switched on (null when running or switched off). */
    error: string | null;
    /** Said while it runs on other ports than last time because those were taken (null otherwise). */
    notice: string | null;
  };
}

export interface SamplesLost {
  total: number;
  /** The latest episode: samples, their oldest and newest source time, tags; ongoing while still dropping. */
  latest: { count: number; from: number; to: number; tags: number; ongoing: boolean };
}

export interface AppStatus {
  devices: DeviceState[];
  samplesPerSecond: number;
  storeBytes: number;
  /** Set when the store cannot be opened or written; the UI shows it in plain words. */
  storeError: string | null;
  /**
   * Samples lost since start because the store could not be written and the memory buffer was full (null when
   * none): the total, and the latest episode's source-time span and tags. Each tag's trend has a BadDataLost
   * marker at the start of its lost span.
   */
  samplesLost: SamplesLost | null;
  /**
   * Set when the headless config file (--config) could not be read or is invalid: the message names the file
   * and the bad fields; the app runs with the last good settings.
   */
  configError: string | null;
  at: number;
}

export interface UiSettings {
  trendTagIds: number[];
  trendWindowMinutes: number;
  demoPlant: boolean;
  /** Desktop app: start when the user logs in (Windows and macOS; Linux desktops use their autostart). */
  startAtLogin: boolean;
  /** Desktop app: start with the window hidden (tray icon only). */
  startMinimised: boolean;
  /** Desktop app: closing the window hides it to the tray; collection keeps running until Quit. */
  closeToTray: boolean;
  /** The first screen's introduction (the demo plant, how to add a PLC) was dismissed. */
  introDismissed: boolean;
}

// ---- input schemas ------------------------------------------------------------------------

const id = z.number().int().positive();
const empty = z.object({}).strict();

export const UiSettingsPatch = z
  .object({
    trendTagIds: z.array(id).max(32, 'at most 32 tags on one chart'),
    trendWindowMinutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60),
    demoPlant: z.boolean(),
    startAtLogin: z.boolean(),
    startMinimised: z.boolean(),
    closeToTray: z.boolean(),
    introDismissed: z.boolean(),
  })
  .partial()
  .strict();

export const HistoryQuery = z
  .object({
    tagIds: z.array(id).min(1).max(32),
    from: z.number().int().nonnegative(),
    to: z.number().int().nonnegative(),
    maxPoints: z.number().int().min(10).max(20_000).default(2000),
  })
  .strict()
  .refine((q) => q.from <= q.to, { message: 'from must not be after to', path: ['from'] });

export const ModbusTestReadInput = z
  .object({
    settings: ModbusSettings,
    tag: ModbusTag,
  })
  .strict();

export const ModbusWriteInput = z
  .object({
    deviceId: id,
    tagId: id,
    value: z.union([z.number().finite(), z.boolean(), z.string().max(250)]),
  })
  .strict();

const nodeId = z.string().trim().min(1).max(4096);
const thumbprint = z
  .string()
  .trim()
  .regex(/^[0-9A-Fa-f:]{40,59}$/, 'a SHA-1 thumbprint (40 hex digits)');

export const OpcUaEndpointsInput = z.object({ endpointUrl: OpcUaSettings.shape.endpointUrl }).strict();
// Without the tag config's defaults: absent means "not inside the value", '' would mean "the whole value".
const indexRange = OpcUaTag.shape.indexRange.unwrap();
const field = OpcUaTag.shape.field.unwrap();
export const OpcUaBrowseInput = z
  .object({
    deviceId: id,
    nodeId: nodeId.optional(),
    /** The browse path of the node browsed (from its entry), so its children get theirs. */
    browsePath: OpcUaTag.shape.browsePath.unwrap().optional(),
    /** Browse inside the variable's value: the element and/or field whose parts to list. */
    indexRange: indexRange.optional(),
    field: field.optional(),
    /** Which elements of an array to list ("100:199", "0:9,0:4"); by default the first ones. */
    elements: z
      .string()
      .trim()
      .regex(/^\d+(:\d+)?(,\d+(:\d+)?)?$/, 'a range like 100:199 or 0:9,0:4')
      .optional(),
  })
  .strict();
export const OpcUaReadInput = z
  .object({ deviceId: id, nodeId, indexRange: indexRange.optional(), field: field.optional() })
  .strict();
export const OpcUaWriteInput = z
  .object({ deviceId: id, nodeId, value: z.union([z.number().finite(), z.boolean(), z.string().max(4096)]) })
  .strict();
export const ThumbprintInput = z.object({ thumbprint }).strict();
export const DevicePasswordInput = z
  .object({ deviceId: id, password: z.string().min(1).max(1024).nullable() })
  .strict();

export const AuditQuery = z
  .object({
    limit: z.number().int().min(1).max(5000).default(200),
    deviceId: id.optional(),
  })
  .strict();

const refreshInput = z.object({ refresh: z.boolean().default(false) }).strict();

// ---- calls and events -----------------------------------------------------------------------

interface CallDef<I extends z.ZodType, O> {
  input: I;
  /** Phantom: the output type; never read at runtime. */
  output?: O;
}
const call = <I extends z.ZodType, O>(input: I): CallDef<I, O> => ({ input });

export const calls = {
  'app.info': call<typeof empty, AppInfo>(empty),
  'status.get': call<typeof empty, AppStatus>(empty),
  'devices.list': call<typeof empty, DeviceView[]>(empty),
  'devices.save': call<typeof DeviceInput, DeviceView>(DeviceInput),
  'devices.delete': call<z.ZodObject<{ id: typeof id }>, { deleted: true }>(z.object({ id }).strict()),
  'tags.list': call<typeof empty, TagInfo[]>(empty),
  'samples.latest': call<z.ZodObject<{ tagIds: z.ZodArray<typeof id> }>, SampleTuple[]>(
    z.object({ tagIds: z.array(id).max(1000) }).strict(),
  ),
  'samples.history': call<typeof HistoryQuery, HistorySeries[]>(HistoryQuery),
  'devices.diagnostics': call<z.ZodObject<{ id: typeof id }>, DeviceDiagnostics>(z.object({ id }).strict()),
  'modbus.testRead': call<typeof ModbusTestReadInput, ModbusTestReadResult>(ModbusTestReadInput),
  'modbus.write': call<typeof ModbusWriteInput, WriteResult>(ModbusWriteInput),
  'audit.list': call<typeof AuditQuery, AuditEntry[]>(AuditQuery),
  /** Stores (or with null removes) a device's password in the OS keychain. */
  'devices.setPassword': call<typeof DevicePasswordInput, { passwordSet: boolean }>(DevicePasswordInput),
  'opcua.endpoints': call<typeof OpcUaEndpointsInput, OpcUaEndpoint[]>(OpcUaEndpointsInput),
  'opcua.certificates': call<typeof empty, OpcUaCertificates>(empty),
  'opcua.certificates.trust': call<typeof ThumbprintInput, OpcUaCertificates>(ThumbprintInput),
  /** Moves a trusted certificate back to the rejected list (connections with it are refused from then on). */
  'opcua.certificates.reject': call<typeof ThumbprintInput, OpcUaCertificates>(ThumbprintInput),
  'opcua.browse': call<typeof OpcUaBrowseInput, BrowseEntry[]>(OpcUaBrowseInput),
  'opcua.read': call<typeof OpcUaReadInput, NodeDetails>(OpcUaReadInput),
  'opcua.write': call<typeof OpcUaWriteInput, WriteResult>(OpcUaWriteInput),
  'settings.get': call<typeof empty, UiSettings>(empty),
  'settings.update': call<typeof UiSettingsPatch, UiSettings>(UiSettingsPatch),
  'sync.status': call<typeof empty, SyncStatus>(empty),
  /** Base URL, buffer cap and full-buffer policy. */
  'sync.configure': call<typeof SyncConfigureInput, SyncStatus>(SyncConfigureInput),
  /** Stores the API key in the OS keychain (replacing any) and starts syncing. The key never comes back. */
  'sync.setKey': call<typeof SyncKeyInput, SyncStatus>(SyncKeyInput),
  'sync.removeKey': call<typeof empty, SyncStatus>(empty),
  /** Asks TwinEdge what the stored key may do (tier, scopes, limits). */
  'sync.testKey': call<typeof empty, KeyTestResult>(empty),
  'sync.setPaused': call<typeof SyncPauseInput, SyncStatus>(SyncPauseInput),
  'sync.rejections': call<typeof RejectionsQuery, PointRejectionView[]>(RejectionsQuery),
  /** Settles a device registration conflict: overwrite the TwinEdge copy, link to it, or stop syncing it. */
  'sync.resolveDevice': call<typeof SyncResolveInput, SyncStatus>(SyncResolveInput),
  /** TwinEdge's devices, to link a local device to one by hand (when the key may read them). */
  'sync.cloudDevices': call<typeof empty, CloudDeviceChoices>(empty),
  /** Links a local device to an existing TwinEdge device (asset id picked or typed): its samples upload there. */
  'sync.linkDevice': call<typeof SyncLinkInput, SyncStatus>(SyncLinkInput),
  /** Cloud alert rules and events, as last fetched (refresh: fetch now). */
  'cloud.alerts': call<typeof refreshInput, CloudAlerts>(refreshInput),
  'cloud.alerts.create': call<typeof AlertRuleInput, AlertRule>(AlertRuleInput),
  'cloud.dashboards': call<typeof refreshInput, CloudList<Dashboard>>(refreshInput),
  'cloud.models': call<typeof refreshInput, CloudList<MlModel>>(refreshInput),
  'cloud.predictions': call<typeof PredictionsQuery, Prediction[]>(PredictionsQuery),
  'cloud.train': call<typeof TrainingInput, TrainingJob>(TrainingInput),
  'cloud.trainingJob': call<typeof JobInput, TrainingJob>(JobInput),
  'alarms.active': call<typeof empty, ActiveAlarm[]>(empty),
  'alarms.counts': call<typeof empty, AlarmCounts>(empty),
  /** Acknowledges alarms (active or cleared), with an optional note stored with each. */
  'alarms.acknowledge': call<typeof AckInput, ActiveAlarm[]>(AckInput),
  'alarms.shelve': call<typeof ShelveInput, ActiveAlarm[]>(ShelveInput),
  'alarms.unshelve': call<typeof UnshelveInput, ActiveAlarm[]>(UnshelveInput),
  /** Lifecycle transitions, newest first. */
  'alarms.history': call<typeof HistoryInput, AlarmHistoryEvent[]>(HistoryInput),
  'alarms.rules': call<typeof empty, LocalAlarmRule[]>(empty),
  'alarms.saveRule': call<typeof AlarmRuleInput, LocalAlarmRule>(AlarmRuleInput),
  'alarms.deleteRule': call<typeof RuleIdInput, { deleted: true }>(RuleIdInput),
  /** How often a rule would have fired over recent stored data, before it is saved. */
  'alarms.preview': call<typeof PreviewInput, AlarmPreview>(PreviewInput),
  /** Creates the rule in TwinEdge (POST /alerts) and remembers its TwinEdge id. */
  'alarms.pushRule': call<typeof RuleIdInput, LocalAlarmRule>(RuleIdInput),
  /** The OPC UA servers' own alarms (conditions), as they last reported them. */
  'serverAlarms.active': call<typeof empty, ServerAlarmList>(empty),
  /** Acknowledge / Confirm a server condition through its method, with a comment; the outcome is audited. */
  'serverAlarms.acknowledge': call<typeof ServerAckInput, ServerAlarmActionResult>(ServerAckInput),
  'serverAlarms.confirm': call<typeof ServerAckInput, ServerAlarmActionResult>(ServerAckInput),
  /** TimedShelve / OneShotShelve / Unshelve on the condition's ShelvingState; refused with a reason without one. */
  'serverAlarms.shelve': call<typeof ServerShelveInput, ServerAlarmActionResult>(ServerShelveInput),
  /** Stored server events, newest first (plain events unless kind: 'all'). */
  'serverEvents.list': call<typeof ServerEventsQuery, ServerEvent[]>(ServerEventsQuery),
  'serverEvents.export': call<typeof ServerEventsQuery, ServerEventsExport>(ServerEventsQuery),
  /** History of up to 50 tags, reduced to min/max/avg buckets from the coarsest tier that still fills the pixels. */
  'history.query': call<typeof TrendQuery, TrendResult>(TrendQuery),
  'history.export': call<typeof ExportQuery, CsvExport>(ExportQuery),
  /** TwinEdge ML predictions (anomaly scores) for the charted tags, to overlay on the trend. */
  'history.predictions': call<typeof PredictionsOverlayQuery, PredictionsResult>(PredictionsOverlayQuery),
  'retention.get': call<typeof empty, RetentionStatus>(empty),
  'retention.set': call<typeof RetentionInput, RetentionStatus>(RetentionInput),
  'views.list': call<typeof empty, TrendView[]>(empty),
  'views.save': call<typeof TrendViewInput, TrendView>(TrendViewInput),
  'views.delete': call<typeof ViewIdInput, { deleted: true }>(ViewIdInput),
  /** Saves the view as a TwinEdge dashboard (one trend widget), creating or updating it. */
  'views.toDashboard': call<typeof ViewIdInput, TrendView>(ViewIdInput),
  /** Opens a TwinEdge dashboard's trend widgets as a new saved view of the matching local tags. */
  'views.fromDashboard': call<typeof DashboardIdInput, DashboardImport>(DashboardIdInput),
  /** The newest lines of the app's log (current and rotated files), filtered by level and text. */
  'logs.tail': call<typeof LogTailQuery, LogTail>(LogTailQuery),
  /** The level recorded from now on (kept in the store; TWINEDGE_LOG_LEVEL wins at the next start). */
  'logs.setLevel': call<typeof LogLevelInput, { level: LogLevel }>(LogLevelInput),
  /** The latest check of the store file (at open, in the background after start, or asked for). */
  'storeCheck.get': call<typeof empty, StoreCheckStatus>(empty),
  /** A full integrity_check now (off the main thread); answers when it is done. */
  'storeCheck.run': call<typeof empty, StoreCheck>(empty),
} as const;

export interface Events {
  /** Samples as stored, batched (a few messages per second at most, never one per sample). */
  'samples.batch': { samples: SampleTuple[] };
  'status.changed': AppStatus;
  /** Devices or tags were added, edited or deleted: lists should be fetched again. */
  'devices.changed': { at: number };
  /** Sync state, backlog or budget changed (at most about once a second). */
  'sync.changed': SyncStatus;
  /** Alarm counts changed or alarms were raised (at most a few times a second). */
  'alarms.changed': AlarmsChanged;
  /** A server's conditions or events changed (at most a few times a second). */
  'serverAlarms.changed': { at: number };
  /** UI settings were changed (by the window or the tray): the other one follows. */
  'settings.changed': UiSettings;
}

export type CallName = keyof typeof calls;
export type EventName = keyof Events;
export type CallInput<K extends CallName> = z.input<(typeof calls)[K]['input']>;
export type CallParsed<K extends CallName> = z.output<(typeof calls)[K]['input']>;
export type CallOutput<K extends CallName> = NonNullable<(typeof calls)[K]['output']>;

export const callNames = Object.keys(calls) as CallName[];
export const eventNames: EventName[] = [
  'samples.batch',
  'status.changed',
  'devices.changed',
  'sync.changed',
  'alarms.changed',
  'serverAlarms.changed',
  'settings.changed',
];

export const isCallName = (name: unknown): name is CallName =>
  typeof name === 'string' && Object.prototype.hasOwnProperty.call(calls, name);

// ---- errors and the result envelope -----------------------------------------------------------

export type ErrorCode =
  | 'invalid_input'
  | 'unknown_call'
  | 'not_found'
  | 'conflict'
  | 'store_unavailable'
  | 'unavailable'
  /** The device refused a request or did not answer (the message says which). */
  | 'device_error'
  | 'internal';

export interface FieldProblem {
  /** Dotted path to the bad field, e.g. "tags.2.nodeId". */
  path: string;
  message: string;
}

export interface WireError {
  code: ErrorCode;
  message: string;
  fields?: FieldProblem[];
}

export type WireResult<T> = { ok: true; value: T } | { ok: false; error: WireError };

/** What the renderer sees: one async function per call plus event subscription. */
export type TwinEdgeApi = {
  [K in CallName]: (input: CallInput<K>) => Promise<CallOutput<K>>;
} & {
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
};

/** The lower-level bridge both transports offer; the renderer builds TwinEdgeApi on top of it. */
export interface Bridge {
  invoke(name: CallName, input: unknown): Promise<WireResult<unknown>>;
  on(listener: (event: EventName, payload: unknown) => void): () => void;
}

/** Channel names for Electron IPC. */
export const ipcChannels = { invoke: 'twinedge:invoke', event: 'twinedge:event' } as const;

// ---- browser-mode wire protocol (WebSocket at /ws on the serving origin) -----------------------

/** Renderer -> main. `id` pairs a call with its result. */
export interface ClientCallMessage {
  t: 'call';
  id: number;
  name: string;
  input: unknown;
}

/** Main -> renderer. */
export type ServerMessage =
  { t: 'result'; id: number; result: WireResult<unknown> } | { t: 'event'; name: EventName; payload: unknown };

// ---- desktop bridge (what preload exposes as window.twinedge) -----------------------------------

/**
 * One function per call, generated in preload from `callNames`. Each resolves to the result envelope
 * rather than throwing, because errors crossing contextBridge lose their type and fields.
 */
export interface PreloadApi {
  calls: { [K in CallName]: (input: unknown) => Promise<WireResult<CallOutput<K>>> };
  on(listener: (event: EventName, payload: unknown) => void): () => void;
}
