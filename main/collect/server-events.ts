/**
 * Events a server reports itself (OPC UA Alarms & Conditions and plain events), as the collectors hand them to the
 * app. The server owns condition state: nothing here is a local alarm rule.
 */

/** One event notification with the standard BaseEventType and ConditionType fields (null where the event has none). */
export interface ServerEventRecord {
  /** EventId as hex: a condition's latest EventId is what Acknowledge and Confirm refer to. */
  eventId: string;
  /** Node id of the event type (ns=0;i=9341 for ExclusiveLimitAlarmType), and its browse name when it is a standard one. */
  eventType: string;
  eventTypeName: string;
  sourceNode: string;
  sourceName: string;
  /** Time of the event at the source, epoch ms. */
  time: number;
  receiveTime: number | null;
  message: string;
  /** OPC UA severity 1-1000. */
  severity: number;
  /** Set for conditions only: the condition's node id. */
  conditionId: string | null;
  conditionName: string | null;
  /** Set for a previous state of a condition kept for acknowledgement (a branch); null for the current state. */
  branchId: string | null;
  retain: boolean | null;
  enabled: boolean | null;
  active: boolean | null;
  /** The active sub-state in the server's words ("High", "HighHigh"), when it says one. */
  activeText: string | null;
  acked: boolean | null;
  /** null: the condition has no ConfirmedState (confirming is not offered). */
  confirmed: boolean | null;
  /** ShelvingState/CurrentState ("Unshelved", "TimedShelved", "OneShotShelved"); null: the condition cannot be shelved. */
  shelving: string | null;
  comment: string;
}

/** The server's answer to a condition method: ok, or its status code name and what it means. */
export type MethodOutcome =
  | {
      ok: true;
      status: 'Good';
      /**
       * After a shelving call: ShelvingState/CurrentState read back (not every server sends an event for it), with the
       * server's timestamp of the read, so an older event arriving later does not undo it.
       */
      shelving?: { state: string; at: number };
    }
  | { ok: false; status: string; message: string };

export type ShelveRequest = { kind: 'timed'; minutes: number } | { kind: 'oneShot' } | { kind: 'unshelve' };

/** Calls on the server's conditions, through the device's live session. */
export interface ConditionControl {
  acknowledge(conditionId: string, eventId: string, comment: string): Promise<MethodOutcome>;
  confirm(conditionId: string, eventId: string, comment: string): Promise<MethodOutcome>;
  shelve(conditionId: string, request: ShelveRequest): Promise<MethodOutcome>;
}

/** Where a collector sends what the server reports; implemented by the app's server alarm service. */
export interface ServerEventSink {
  /** The event subscription is up: condition calls go through `control` until detached. */
  attach(deviceId: number, control: ConditionControl): void;
  /**
   * The connection is gone ('lost': conditions stay listed, marked as possibly out of date) or the device stopped
   * collecting ('stopped': its conditions are removed from the list).
   */
  detach(deviceId: number, control: ConditionControl | null, why: 'lost' | 'stopped'): void;
  /** ConditionRefresh started: every known condition of the device is suspect until it is sent again. */
  refreshStarted(deviceId: number): void;
  /** ConditionRefresh ended: suspect conditions no longer exist on the server. */
  refreshEnded(deviceId: number): void;
  onEvents(deviceId: number, events: readonly ServerEventRecord[]): void;
  /** The server refused the event subscription or ConditionRefresh (null: working again). */
  problem(deviceId: number, message: string | null): void;
}
