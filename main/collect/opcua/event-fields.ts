import { ObjectTypeIds, constructEventFilter, type EventFilter, type Variant } from 'node-opcua';
import type { ServerEventRecord } from '../server-events.js';

/**
 * The EventFilter select clauses for OPC UA events: BaseEventType fields plus the ConditionType, AcknowledgeableConditionType
 * and AlarmConditionType states (Part 9). No where clause, so plain events arrive on the same monitored item as conditions.
 * "ConditionId" is node-opcua's special case: the ConditionType NodeId attribute select clause (Part 9, Table 10).
 */
const fields = [
  ['eventId', 'EventId'],
  ['eventType', 'EventType'],
  ['sourceNode', 'SourceNode'],
  ['sourceName', 'SourceName'],
  ['time', 'Time'],
  ['receiveTime', 'ReceiveTime'],
  ['message', 'Message'],
  ['severity', 'Severity'],
  ['conditionId', 'ConditionId'],
  ['conditionName', 'ConditionName'],
  ['branchId', 'BranchId'],
  ['retain', 'Retain'],
  ['enabled', 'EnabledState.Id'],
  ['active', 'ActiveState.Id'],
  ['activeText', 'LimitState.CurrentState'],
  ['acked', 'AckedState.Id'],
  ['confirmed', 'ConfirmedState.Id'],
  ['shelving', 'ShelvingState.CurrentState'],
  ['comment', 'Comment'],
] as const;

export const eventFilter = (): EventFilter => constructEventFilter(fields.map(([, path]) => path));

/** Standard ns=0 event type names, so the event view says "SystemEventType" rather than "i=2130". */
const typeNames = new Map<string, string>(
  Object.entries(ObjectTypeIds).map(([name, id]) => [`ns=0;i=${id}`, name] as [string, string]),
);

export const RefreshStartEvent = `ns=0;i=${ObjectTypeIds.RefreshStartEventType}`;
export const RefreshEndEvent = `ns=0;i=${ObjectTypeIds.RefreshEndEventType}`;
export const RefreshRequiredEvent = `ns=0;i=${ObjectTypeIds.RefreshRequiredEventType}`;

type FieldKey = (typeof fields)[number][0];

const isNull = (v: Variant | undefined): boolean => !v || v.value === null || v.value === undefined;

const text = (v: Variant | undefined): string => {
  if (isNull(v)) return '';
  const x: unknown = v!.value;
  if (typeof x === 'string') return x;
  if (typeof x === 'object' && x !== null && 'text' in x) {
    const t = x.text;
    return typeof t === 'string' ? t : '';
  }
  return String(x);
};

/** Node ids in the form the tags use ("ns=1;s=Tank1"; namespace 0 written as ns=0;i=...). */
const nodeIdText = (v: Variant | undefined): string | null => {
  if (isNull(v)) return null;
  const s = String((v!.value as { toString(): string }).toString());
  return /^ns=/.test(s) ? s : `ns=0;${s}`;
};

const bool = (v: Variant | undefined): boolean | null => (isNull(v) ? null : Boolean(v!.value));

const time = (v: Variant | undefined): number | null => {
  if (isNull(v)) return null;
  const d = v!.value as Date;
  return d instanceof Date && !Number.isNaN(d.getTime()) ? d.getTime() : null;
};

/** One event notification's field values (in select-clause order) as a record. */
export const eventRecord = (values: readonly Variant[], receivedAt: number): ServerEventRecord => {
  const f = Object.fromEntries(fields.map(([key], i) => [key, values[i]])) as Record<FieldKey, Variant | undefined>;
  const eventType = nodeIdText(f.eventType) ?? '';
  const id: unknown = f.eventId?.value;
  const conditionId = nodeIdText(f.conditionId);
  const branch = nodeIdText(f.branchId);
  const severity = Number(f.severity?.value ?? 0);
  return {
    eventId: Buffer.isBuffer(id) ? id.toString('hex') : '',
    eventType,
    eventTypeName: typeNames.get(eventType) ?? eventType,
    sourceNode: nodeIdText(f.sourceNode) ?? '',
    sourceName: text(f.sourceName),
    time: time(f.time) ?? time(f.receiveTime) ?? receivedAt,
    receiveTime: time(f.receiveTime),
    message: text(f.message),
    severity: Number.isFinite(severity) ? Math.min(1000, Math.max(0, Math.round(severity))) : 0,
    conditionId,
    conditionName: conditionId ? text(f.conditionName) || null : null,
    // A null NodeId (ns=0;i=0) is "no branch": the condition's current state.
    branchId: branch && branch !== 'ns=0;i=0' ? branch : null,
    retain: bool(f.retain),
    enabled: bool(f.enabled),
    active: bool(f.active),
    activeText: isNull(f.activeText) ? null : text(f.activeText) || null,
    acked: bool(f.acked),
    confirmed: bool(f.confirmed),
    shelving: isNull(f.shelving) ? null : text(f.shelving),
    comment: text(f.comment),
  };
};
