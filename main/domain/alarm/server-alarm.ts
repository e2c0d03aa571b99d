import type { AlarmSeverity } from './rule-schema.js';

// An OPC UA server's own alarm (condition) as it last reported it, and what acting on it did.

/** One condition (or branch of it) as the server last reported it. */
export interface ServerAlarm {
  /** Condition id, and branch id when this is a previous state kept for acknowledgement. */
  key: string;
  deviceId: number;
  deviceName: string;
  conditionId: string;
  conditionName: string;
  branchId: string | null;
  eventType: string;
  sourceNode: string;
  sourceName: string;
  message: string;
  /** OPC UA severity 1-1000 as sent, and the app's severity it maps to (server-severity.ts). */
  opcuaSeverity: number;
  severity: AlarmSeverity;
  /** Time of the latest event of this condition at the server, epoch ms. */
  time: number;
  active: boolean;
  /** The active sub-state in the server's words ("High", "HighHigh"), when it says one. */
  activeText: string | null;
  acked: boolean;
  /** null: the condition has no confirm step. */
  confirmed: boolean | null;
  /** null: the condition cannot be shelved. */
  shelving: string | null;
  comment: string;
  /** The connection to the server is down: this is the last known state. */
  stale: boolean;
}

export interface ServerAlarmList {
  alarms: ServerAlarm[];
  /** Per device, why its alarm list may be incomplete (events refused, ConditionRefresh failed, connection lost). */
  notes: { deviceId: number; deviceName: string; message: string }[];
}

export interface ServerAlarmActionResult {
  ok: boolean;
  /** "Good" or the server's status code name (e.g. BadConditionBranchAlreadyAcked). */
  status: string;
  /** What happened, for the engineer. */
  message: string;
  auditId: number;
}
