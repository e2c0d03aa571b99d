import type { Db } from './database.js';
import { type StoredServerEvent } from '../domain/alarm/server-event.js';

export interface ServerEventQuery {
  deviceId?: number | undefined;
  from?: number | undefined;
  to?: number | undefined;
  minSeverity?: number | undefined;
  /** Matched case-insensitively against message, source, type and condition name. */
  text?: string | undefined;
  /** plain: events that are not conditions (the event view); all: condition transitions too. */
  kind: 'plain' | 'all';
  limit: number;
}

/** Retention: the newest 30 days, at most 200,000 events (a chatty server cannot fill the disk). */
export const SERVER_EVENT_RETENTION = { maxAgeMs: 30 * 24 * 3600_000, maxRows: 200_000 } as const;

interface Row {
  id: number;
  device_id: number;
  device_name: string;
  ts: number;
  received_at: number;
  event_id: string;
  event_type: string;
  source_node: string;
  source_name: string;
  severity: number;
  message: string;
  condition_id: string | null;
  condition_name: string | null;
  state: string | null;
}

export class ServerEventsRepo {
  private insertsSincePrune = 0;

  constructor(private readonly db: Db) {}

  add(events: readonly Omit<StoredServerEvent, 'id'>[], now: number): void {
    if (events.length === 0) return;
    const insert = this.db.prepare(
      `INSERT INTO server_events (device_id, device_name, ts, received_at, event_id, event_type, source_node,
         source_name, severity, message, condition_id, condition_name, state)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      for (const e of events) {
        insert.run(
          e.deviceId,
          e.deviceName,
          e.ts,
          e.receivedAt,
          e.eventId,
          e.eventType,
          e.sourceNode,
          e.sourceName,
          e.severity,
          e.message,
          e.conditionId,
          e.conditionName,
          e.state,
        );
      }
    })();
    this.insertsSincePrune += events.length;
    // Pruning costs an index walk: every thousand events is often enough to stay near the bound.
    if (this.insertsSincePrune >= 1000) this.prune(now);
  }

  /** Removes events older than the retention age and beyond the row cap; returns how many went. */
  prune(now: number, limits: { maxAgeMs: number; maxRows: number } = SERVER_EVENT_RETENTION): number {
    this.insertsSincePrune = 0;
    const aged = this.db.prepare('DELETE FROM server_events WHERE received_at < ?').run(now - limits.maxAgeMs).changes;
    const over = this.db
      .prepare(`DELETE FROM server_events WHERE id <= (SELECT id FROM server_events ORDER BY id DESC LIMIT 1 OFFSET ?)`)
      .run(limits.maxRows).changes;
    return aged + over;
  }

  list(q: ServerEventQuery): StoredServerEvent[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (q.deviceId !== undefined) {
      where.push('device_id = ?');
      args.push(q.deviceId);
    }
    if (q.from !== undefined) {
      where.push('ts >= ?');
      args.push(q.from);
    }
    if (q.to !== undefined) {
      where.push('ts <= ?');
      args.push(q.to);
    }
    if (q.minSeverity !== undefined) {
      where.push('severity >= ?');
      args.push(q.minSeverity);
    }
    if (q.kind === 'plain') where.push('condition_id IS NULL');
    if (q.text) {
      where.push(
        `(instr(lower(message), ?) > 0 OR instr(lower(source_name), ?) > 0 OR instr(lower(source_node), ?) > 0
          OR instr(lower(event_type), ?) > 0 OR instr(lower(coalesce(condition_name, '')), ?) > 0)`,
      );
      const t = q.text.toLowerCase();
      args.push(t, t, t, t, t);
    }
    const sql = `SELECT * FROM server_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ts DESC, id DESC LIMIT ?`;
    const rows = this.db.prepare(sql).all(...args, q.limit) as Row[];
    return rows.map((r) => ({
      id: r.id,
      deviceId: r.device_id,
      deviceName: r.device_name,
      ts: r.ts,
      receivedAt: r.received_at,
      eventId: r.event_id,
      eventType: r.event_type,
      sourceNode: r.source_node,
      sourceName: r.source_name,
      severity: r.severity,
      message: r.message,
      conditionId: r.condition_id,
      conditionName: r.condition_name,
      state: r.state,
    }));
  }
}
