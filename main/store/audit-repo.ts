import type { AuditEntry } from '../domain/audit-entry.js';
import type { Db } from './database.js';

interface AuditRow {
  id: number;
  ts: number;
  actor: string;
  action: AuditEntry['action'];
  device_id: number | null;
  device_name: string;
  target: string;
  value: string;
  outcome: 'ok' | 'failed';
  message: string | null;
}

/** Every write to a device and every call on a server's alarm condition, who asked for it and how it went; kept when the device is deleted. */
export class AuditRepo {
  constructor(private readonly db: Db) {}

  add(entry: Omit<AuditEntry, 'id'>): number {
    const r = this.db
      .prepare(
        `INSERT INTO audit_log (ts, actor, action, device_id, device_name, target, value, outcome, message)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        entry.ts,
        entry.actor,
        entry.action,
        entry.deviceId,
        entry.deviceName,
        entry.target,
        entry.value,
        entry.outcome,
        entry.message,
      );
    return Number(r.lastInsertRowid);
  }

  list(limit: number, deviceId?: number): AuditEntry[] {
    const rows = (
      deviceId === undefined
        ? this.db.prepare('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?').all(limit)
        : this.db.prepare('SELECT * FROM audit_log WHERE device_id = ? ORDER BY id DESC LIMIT ?').all(deviceId, limit)
    ) as AuditRow[];
    return rows.map((r) => ({
      id: r.id,
      ts: r.ts,
      actor: r.actor,
      action: r.action,
      deviceId: r.device_id,
      deviceName: r.device_name,
      target: r.target,
      value: r.value,
      outcome: r.outcome,
      message: r.message,
    }));
  }
}
