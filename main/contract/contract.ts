import { z } from 'zod';
import { DeviceInput, ModbusSettings, ModbusTag, OpcUaSettings, OpcUaTag } from '../domain/device/device-schema.js';
import {
  AlertRuleInput,
  JobInput,
  PredictionsQuery,
  RejectionsQuery,
  SyncKeyInput,
  SyncPauseInput,
  SyncLinkInput,
  SyncResolveInput,
  TrainingInput,
} from './sync-contract.js';
import { SyncConfigureInput } from '../domain/sync/sync-configure-input.js';
import { type AlertRule } from '../domain/cloud/alert.js';
import { type CloudAlerts, type CloudDeviceChoices, type CloudList } from '../domain/cloud/cloud-list.js';
import { type Dashboard } from '../domain/cloud/dashboard.js';
import { type KeyTestResult } from '../domain/sync/key-test.js';
import { type MlModel, type Prediction, type TrainingJob } from '../domain/cloud/ml.js';
import { type PointRejectionView } from '../domain/sync/point-rejection.js';
import { type SyncStatus } from '../domain/sync/sync-status.js';
import { AckInput, HistoryInput, PreviewInput, RuleIdInput, ShelveInput, UnshelveInput } from './alarm-contract.js';
import { AlarmRuleInput, type ActiveAlarm, type AlarmRule as LocalAlarmRule } from '../domain/alarm/rule-schema.js';
import { type AlarmCounts } from '../domain/alarm/alarm-counts.js';
import { type AlarmHistoryEvent } from '../domain/alarm/alarm-history-event.js';
import { type AlarmPreview } from '../domain/alarm/alarm-preview.js';
import { type AlarmsChanged } from '../domain/alarm/alarms-changed.js';
import { DashboardIdInput, ViewIdInput } from './trend-contract.js';
import { ExportQuery, TrendQuery, type CsvExport } from '../domain/history/trend-query.js';
import { PredictionsOverlayQuery, type PredictionsResult } from '../domain/history/prediction-overlay.js';
import { RetentionInput, type RetentionStatus } from '../domain/history/retention.js';
import { TrendViewInput, type TrendView } from '../domain/history/trend-view.js';
import { type DashboardImport } from '../domain/history/dashboard-import.js';
import { type TrendResult } from '../domain/history/trend-result.js';
import { LogLevelInput, LogTailQuery } from './log-contract.js';
import { type LogLevel } from '../domain/log/log-level.js';
import { type LogTail } from '../domain/log/log-tail.js';
import type { StoreCheck, StoreCheckStatus } from '../domain/store-check.js';
import { ServerAckInput, ServerEventsQuery, ServerShelveInput } from './server-alarm-contract.js';
import { type ServerAlarmActionResult, type ServerAlarmList } from '../domain/alarm/server-alarm.js';
import { type ServerEvent, type ServerEventsExport } from '../domain/alarm/server-event.js';
import { type AppInfo } from '../domain/app/app-info.js';
import { type AppStatus } from '../domain/app/app-status.js';
import { type DeviceView, type TagInfo } from '../domain/device/device-view.js';
import { type SampleTuple } from '../domain/sample/sample-tuple.js';
import { type HistorySeries } from '../domain/sample/history-series.js';
import { type DeviceDiagnostics } from '../domain/device/device-state.js';
import { type ModbusTestReadResult } from '../domain/device/modbus-test-read.js';
import { type WriteResult } from '../domain/device/write-result.js';
import { type AuditEntry } from '../domain/audit-entry.js';
import { type OpcUaEndpoint } from '../domain/opcua/endpoint.js';
import { type OpcUaCertificates } from '../domain/opcua/certificate.js';
import { type BrowseEntry, type NodeDetails } from '../domain/opcua/browse.js';
import { type UiSettings } from '../domain/app/ui-settings.js';
import { type CallName, type EventName, type WireResult } from './wire.js';
import { id } from '../domain/schema-parts.js';

/**
 * The one contract between renderer and main. Every call the renderer may make and every event it
 * may receive is declared here, once, with a runtime schema for what the renderer sends. Both shells
 * (Electron IPC, browser-mode WebSocket) serve these calls through the same router; the preload and
 * the WebSocket client are generated from `callNames` / `eventNames`.
 *
 * Inputs are validated (the renderer is untrusted); outputs are typed only, since main produces them.
 */

// ---- input schemas ------------------------------------------------------------------------

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
} as const satisfies Record<CallName, CallDef<z.ZodType, unknown>>;

export interface Events extends Record<EventName, unknown> {
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

export type CallInput<K extends CallName> = z.input<(typeof calls)[K]['input']>;
export type CallParsed<K extends CallName> = z.output<(typeof calls)[K]['input']>;
export type CallOutput<K extends CallName> = NonNullable<(typeof calls)[K]['output']>;

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

// ---- desktop bridge (what preload exposes as window.twinedge) -----------------------------------

/**
 * One function per call, generated in preload from `callNames`. Each resolves to the result envelope
 * rather than throwing, because errors crossing contextBridge lose their type and fields.
 */
export interface PreloadApi {
  calls: { [K in CallName]: (input: unknown) => Promise<WireResult<CallOutput<K>>> };
  on(listener: (event: EventName, payload: unknown) => void): () => void;
}
