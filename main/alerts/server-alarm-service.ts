import type {
  ConditionControl,
  MethodOutcome,
  ServerEventRecord,
  ServerEventSink,
  ShelveRequest,
} from '../collect/server-events.js';
import type { ServerAlarm, ServerAlarmActionResult, ServerAlarmList } from '../domain/alarm/server-alarm.js';
import type { Logger } from '../log/logger.js';
import type { StoredServerEvent } from '../domain/alarm/server-event.js';
import type { Store } from '../store/store.js';
import { AppError } from '../domain/errors/app-error.js';
import { severityOfOpcUa } from './server-severity.js';

export interface ServerAlarmServiceOptions {
  store: Store;
  log: Logger;
  onChanged(e: { at: number }): void;
  now?: () => number;
}

interface Known {
  rec: ServerEventRecord;
  /** Flagged at RefreshStart; still set at RefreshEnd means the server no longer has it (Part 9 4.5). */
  suspect: boolean;
  /** Shelving state read back after our call (server time): events older than that keep it. */
  shelvingRead?: { state: string; at: number } | undefined;
}

interface DeviceConditions {
  control: ConditionControl | null;
  conditions: Map<string, Known>;
  problem: string | null;
  lost: boolean;
}

const keyOf = (r: ServerEventRecord): string => (r.branchId ? `${r.conditionId}|${r.branchId}` : (r.conditionId ?? ''));

/** A condition's state in words, stored with each transition ("active (High), unacknowledged, unconfirmed"). */
export const conditionStateText = (r: ServerEventRecord): string =>
  [
    r.enabled === false ? 'disabled' : null,
    r.active === null ? null : r.active ? `active${r.activeText ? ` (${r.activeText})` : ''}` : 'inactive',
    r.acked === null ? null : r.acked ? 'acknowledged' : 'unacknowledged',
    r.confirmed === null ? null : r.confirmed ? 'confirmed' : 'unconfirmed',
    r.shelving && r.shelving !== 'Unshelved' ? r.shelving : null,
  ]
    .filter((x) => x !== null)
    .join(', ');

/**
 * The OPC UA servers' own alarms: what each device's server last reported, kept in memory (the server owns condition
 * state, so none of it becomes a local rule), with every transition and plain event stored for the event view.
 * Acknowledge, Confirm and shelving go to the server through the collector's session and are written to the audit log.
 */
export class ServerAlarmService implements ServerEventSink {
  private readonly devices = new Map<number, DeviceConditions>();
  private readonly now: () => number;
  private emitTimer: NodeJS.Timeout | null = null;

  constructor(private readonly o: ServerAlarmServiceOptions) {
    this.now = o.now ?? Date.now;
  }

  stop(): void {
    if (this.emitTimer) clearTimeout(this.emitTimer);
    this.emitTimer = null;
  }

  // ---- from the collectors ----------------------------------------------------------------------

  attach(deviceId: number, control: ConditionControl): void {
    const d = this.device(deviceId);
    d.control = control;
    d.lost = false;
    this.emitSoon();
  }

  detach(deviceId: number, control: ConditionControl | null, why: 'lost' | 'stopped'): void {
    if (why === 'stopped') {
      if (this.devices.delete(deviceId)) this.emitSoon();
      return;
    }
    const d = this.devices.get(deviceId);
    if (!d || d.control !== control) return;
    d.control = null;
    d.lost = true;
    this.emitSoon();
  }

  refreshStarted(deviceId: number): void {
    for (const k of this.device(deviceId).conditions.values()) k.suspect = true;
  }

  refreshEnded(deviceId: number): void {
    const d = this.device(deviceId);
    for (const [key, k] of d.conditions) if (k.suspect) d.conditions.delete(key);
    this.emitSoon();
  }

  problem(deviceId: number, message: string | null): void {
    const d = this.device(deviceId);
    if (d.problem === message) return;
    d.problem = message;
    if (message) this.o.log.warn(`Server alarms of "${this.deviceName(deviceId)}": ${message}.`);
    this.emitSoon();
  }

  onEvents(deviceId: number, events: readonly ServerEventRecord[]): void {
    const d = this.device(deviceId);
    const deviceName = this.deviceName(deviceId);
    const now = this.now();
    const rows: Omit<StoredServerEvent, 'id'>[] = [];
    for (const rec of events) {
      const isCondition = rec.conditionId !== null;
      if (isCondition) {
        const key = keyOf(rec);
        const before = d.conditions.get(key);
        // A refresh sends retained conditions again with the same EventId: that is not a new transition.
        const repeat = before?.rec.eventId === rec.eventId;
        const read = before?.shelvingRead && rec.time <= before.shelvingRead.at ? before.shelvingRead : undefined;
        if (rec.retain === false) d.conditions.delete(key);
        else
          d.conditions.set(key, {
            rec: read ? { ...rec, shelving: read.state } : rec,
            suspect: false,
            shelvingRead: read,
          });
        if (repeat) continue;
      }
      rows.push({
        deviceId,
        deviceName,
        ts: rec.time,
        receivedAt: now,
        eventId: rec.eventId,
        eventType: rec.eventTypeName,
        sourceNode: rec.sourceNode,
        sourceName: rec.sourceName,
        severity: rec.severity,
        message: rec.message,
        conditionId: rec.conditionId,
        conditionName: rec.conditionName,
        state: isCondition ? conditionStateText(rec) : null,
      });
    }
    try {
      this.o.store.serverEvents.add(rows, now);
    } catch (e) {
      // The list still follows the server; only the stored history misses these.
      this.o.log.error(`Server events of "${deviceName}" not stored: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.emitSoon();
  }

  // ---- calls ------------------------------------------------------------------------------------

  list(): ServerAlarmList {
    const alarms: ServerAlarm[] = [];
    const notes: ServerAlarmList['notes'] = [];
    for (const [deviceId, d] of this.devices) {
      const deviceName = this.deviceName(deviceId);
      if (d.problem) notes.push({ deviceId, deviceName, message: d.problem });
      if (d.lost) {
        notes.push({
          deviceId,
          deviceName,
          message: 'connection to the server lost: its alarms are shown as last known until it is back',
        });
      }
      for (const [key, { rec }] of d.conditions) {
        alarms.push({
          key,
          deviceId,
          deviceName,
          conditionId: rec.conditionId ?? '',
          conditionName: rec.conditionName ?? rec.sourceName,
          branchId: rec.branchId,
          eventType: rec.eventTypeName,
          sourceNode: rec.sourceNode,
          sourceName: rec.sourceName,
          message: rec.message,
          opcuaSeverity: rec.severity,
          severity: severityOfOpcUa(rec.severity),
          time: rec.time,
          active: rec.active ?? false,
          activeText: rec.activeText,
          acked: rec.acked ?? true,
          confirmed: rec.confirmed,
          shelving: rec.shelving,
          comment: rec.comment,
          stale: d.lost,
        });
      }
    }
    return { alarms: alarms.sort((a, b) => b.opcuaSeverity - a.opcuaSeverity || b.time - a.time), notes };
  }

  acknowledge(deviceId: number, key: string, comment: string, actor: string): Promise<ServerAlarmActionResult> {
    return this.act(deviceId, key, 'acknowledge', actor, comment, (c, rec) =>
      c.acknowledge(rec.conditionId ?? '', rec.eventId, comment),
    );
  }

  confirm(deviceId: number, key: string, comment: string, actor: string): Promise<ServerAlarmActionResult> {
    return this.act(deviceId, key, 'confirm', actor, comment, (c, rec) => {
      if (rec.confirmed === null) return Promise.resolve(refused('this condition has no confirm step on the server'));
      return c.confirm(rec.conditionId ?? '', rec.eventId, comment);
    });
  }

  shelve(deviceId: number, key: string, request: ShelveRequest, actor: string): Promise<ServerAlarmActionResult> {
    const what =
      request.kind === 'timed'
        ? `timed shelve for ${request.minutes} min`
        : request.kind === 'oneShot'
          ? 'one-shot shelve'
          : 'unshelve';
    return this.act(deviceId, key, 'shelve', actor, what, (c, rec) => {
      if (rec.shelving === null) {
        return Promise.resolve(refused('the server offers no shelving for this condition (it has no ShelvingState)'));
      }
      return c.shelve(rec.conditionId ?? '', request);
    });
  }

  // ---- internals ----------------------------------------------------------------------------------

  private async act(
    deviceId: number,
    key: string,
    action: 'acknowledge' | 'confirm' | 'shelve',
    actor: string,
    value: string,
    run: (c: ConditionControl, rec: ServerEventRecord) => Promise<MethodOutcome>,
  ): Promise<ServerAlarmActionResult> {
    const d = this.devices.get(deviceId);
    const known = d?.conditions.get(key);
    if (!d || !known) {
      throw new AppError('not_found', 'That server alarm is no longer listed (the server removed it meanwhile?).');
    }
    const rec = known.rec;
    const outcome: MethodOutcome = d.control
      ? await run(d.control, rec)
      : { ok: false, status: 'BadNoCommunication', message: 'the device is not connected to its server right now' };
    if (outcome.ok && outcome.shelving !== undefined) {
      known.rec = { ...rec, shelving: outcome.shelving.state };
      known.shelvingRead = outcome.shelving;
      this.emitSoon();
    }
    const deviceName = this.deviceName(deviceId);
    const name = rec.conditionName ?? rec.sourceName;
    const message = outcome.ok ? 'Good' : `${outcome.status}: ${outcome.message}`;
    const auditId = this.o.store.audit.add({
      ts: this.now(),
      actor,
      action,
      deviceId,
      deviceName,
      target: `${name} (${rec.conditionId ?? key})`,
      value,
      outcome: outcome.ok ? 'ok' : 'failed',
      message,
    });
    const verb = { acknowledge: 'acknowledged', confirm: 'confirmed', shelve: 'shelved' }[action];
    const text = outcome.ok
      ? `${name} on ${deviceName}: ${action === 'shelve' ? value : verb} on the server.`
      : `${name} on ${deviceName}: not ${verb}: ${message}.`;
    if (outcome.ok) this.o.log.info(`Server alarm ${text} (${actor})`);
    else this.o.log.warn(`Server alarm ${text} (${actor})`);
    return { ok: outcome.ok, status: outcome.status, message: text, auditId };
  }

  private device(deviceId: number): DeviceConditions {
    let d = this.devices.get(deviceId);
    if (!d) {
      d = { control: null, conditions: new Map(), problem: null, lost: false };
      this.devices.set(deviceId, d);
    }
    return d;
  }

  private deviceName(id: number): string {
    return this.o.store.devices.get(id)?.config.name ?? `device ${id}`;
  }

  /** At most four events a second. */
  private emitSoon(): void {
    if (this.emitTimer) return;
    this.emitTimer = setTimeout(() => {
      this.emitTimer = null;
      this.o.onChanged({ at: this.now() });
    }, 250);
    this.emitTimer.unref();
  }
}

/** Refused here, before the server was asked, with the reason. */
const refused = (message: string): MethodOutcome => ({ ok: false, status: 'BadNotSupported', message });
