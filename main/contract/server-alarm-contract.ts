import { z } from 'zod';
import type { AlarmSeverity } from '../domain/alarm/rule-schema.js';
import type { StoredServerEvent } from '../store/server-events-repo.js';

/** The server alarms part of the renderer contract: OPC UA conditions the servers own, and their plain events. */

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

export type ServerEvent = StoredServerEvent;

const deviceId = z.number().int().positive();
const key = z.string().min(1).max(2000);
const comment = z.string().trim().max(1000).default('');

export const ServerAckInput = z.object({ deviceId, key, comment }).strict();
export const ServerShelveInput = z
  .object({
    deviceId,
    key,
    kind: z.enum(['timed', 'oneShot', 'unshelve']),
    minutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .optional(),
  })
  .strict()
  .refine((s) => s.kind !== 'timed' || s.minutes !== undefined, {
    message: 'a timed shelve needs its duration',
    path: ['minutes'],
  });
export const ServerEventsQuery = z
  .object({
    deviceId: deviceId.optional(),
    from: z.number().int().nonnegative().optional(),
    to: z.number().int().nonnegative().optional(),
    minSeverity: z.number().int().min(0).max(1000).optional(),
    text: z.string().trim().max(200).optional(),
    kind: z.enum(['plain', 'all']).default('plain'),
    limit: z.number().int().min(1).max(100_000).default(1000),
  })
  .strict();

export interface ServerEventsExport {
  filename: string;
  csv: string;
  rows: number;
}
