import type { Aggregation, Interval, TelemetryPoint, TelemetryRow } from '../../../main/sync/api/model.js';
import type { Db } from './db.js';

export interface StoredPoint {
  asset_id: string;
  tag_name: string;
  timestamp: string;
  value: TelemetryPoint['value'];
  quality: TelemetryPoint['quality'];
  /** Epoch ms (simulator clock) when the point was stored. */
  received_at: number;
}

export interface PointFilter {
  asset_id?: string;
  tag_name?: string;
  /** Epoch ms, inclusive. */
  start?: number;
  /** Epoch ms, exclusive. */
  end?: number;
}

const intervalMs: Record<Interval, number> = { '1m': 60_000, '5m': 300_000, '1h': 3_600_000, '1d': 86_400_000 };

const sqlAggregate: Record<Aggregation, string> = {
  avg: 'AVG(value_num)',
  min: 'MIN(value_num)',
  max: 'MAX(value_num)',
  sum: 'SUM(value_num)',
  count: 'COUNT(*)',
};

interface Row {
  asset_id: string;
  tag_name: string;
  ts: number;
  value_json: string;
  quality: TelemetryPoint['quality'];
  received_at: number;
}

const where = (f: PointFilter): { sql: string; args: (string | number)[] } => {
  const parts: string[] = [];
  const args: (string | number)[] = [];
  if (f.asset_id !== undefined) {
    parts.push('asset_id = ?');
    args.push(f.asset_id);
  }
  if (f.tag_name !== undefined) {
    parts.push('tag_name = ?');
    args.push(f.tag_name);
  }
  if (f.start !== undefined) {
    parts.push('ts >= ?');
    args.push(f.start);
  }
  if (f.end !== undefined) {
    parts.push('ts < ?');
    args.push(f.end);
  }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', args };
};

const toRow = (r: Row): TelemetryRow => ({
  timestamp: new Date(r.ts).toISOString(),
  asset_id: r.asset_id,
  tag_name: r.tag_name,
  value: JSON.parse(r.value_json) as TelemetryRow['value'],
  quality: r.quality,
});

/** Telemetry points in SQLite. Duplicates are stored as sent: the simulator's job is to show them, not hide them. */
export class TelemetryStore {
  constructor(private readonly db: Db) {}

  insert(points: readonly TelemetryPoint[], receivedAt: number): void {
    const stmt = this.db.prepare(
      `INSERT INTO points (asset_id, tag_name, ts, value_json, value_num, quality, status_code, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      for (const p of points) {
        const num = typeof p.value === 'number' ? p.value : typeof p.value === 'boolean' ? Number(p.value) : null;
        stmt.run(
          p.asset_id,
          p.tag_name,
          Date.parse(p.timestamp),
          JSON.stringify(p.value),
          num,
          p.quality,
          p.status_code ?? null,
          receivedAt,
        );
      }
    })();
  }

  /** Raw rows, time-ordered, with the total for pagination. */
  query(f: PointFilter, limit: number, offset: number): { rows: TelemetryRow[]; total: number } {
    const w = where(f);
    const total = this.db
      .prepare(`SELECT COUNT(*) FROM points ${w.sql}`)
      .pluck()
      .get(...w.args) as number;
    const rows = this.db
      .prepare(
        `SELECT asset_id, tag_name, ts, value_json, quality, received_at FROM points ${w.sql}
         ORDER BY ts, asset_id, tag_name, seq LIMIT ? OFFSET ?`,
      )
      .all(...w.args, limit, offset) as Row[];
    return { rows: rows.map(toRow), total };
  }

  /** One row per asset+tag+bucket; bucket = UTC-aligned interval start. avg/min/max/sum over numeric values. */
  aggregate(
    f: PointFilter,
    aggregation: Aggregation,
    interval: Interval,
    limit: number,
    offset: number,
  ): { rows: TelemetryRow[]; total: number } {
    const w = where(f);
    const size = intervalMs[interval];
    const grouped = `SELECT asset_id, tag_name, (ts / ${size}) * ${size} AS bucket, ${sqlAggregate[aggregation]} AS v
      FROM points ${w.sql} GROUP BY asset_id, tag_name, bucket`;
    const total = this.db
      .prepare(`SELECT COUNT(*) FROM (${grouped})`)
      .pluck()
      .get(...w.args) as number;
    const rows = this.db
      .prepare(`${grouped} ORDER BY bucket, asset_id, tag_name LIMIT ? OFFSET ?`)
      .all(...w.args, limit, offset) as { asset_id: string; tag_name: string; bucket: number; v: number | null }[];
    return {
      rows: rows.map((r) => ({
        timestamp: new Date(r.bucket).toISOString(),
        asset_id: r.asset_id,
        tag_name: r.tag_name,
        value: r.v,
        quality: 'good',
      })),
      total,
    };
  }

  /** The newest point per asset+tag (the last stored wins a timestamp tie). */
  latest(f: PointFilter): TelemetryRow[] {
    const w = where(f);
    const rows = this.db
      .prepare(
        `SELECT asset_id, tag_name, ts, value_json, quality, received_at FROM (
           SELECT *, ROW_NUMBER() OVER (PARTITION BY asset_id, tag_name ORDER BY ts DESC, seq DESC) AS rn
           FROM points ${w.sql}) WHERE rn = 1 ORDER BY asset_id, tag_name`,
      )
      .all(...w.args) as Row[];
    return rows.map(toRow);
  }

  points(f: PointFilter = {}): StoredPoint[] {
    const w = where(f);
    const rows = this.db
      .prepare(`SELECT asset_id, tag_name, ts, value_json, quality, received_at FROM points ${w.sql} ORDER BY seq`)
      .all(...w.args) as Row[];
    return rows.map((r) => ({ ...toRow(r), received_at: r.received_at }));
  }

  count(): number {
    return this.db.prepare('SELECT COUNT(*) FROM points').pluck().get() as number;
  }

  /** Points stored more than once for the same asset_id + tag_name + timestamp (the copies beyond the first). */
  duplicates(): number {
    return this.db
      .prepare(
        'SELECT COALESCE(SUM(c - 1), 0) FROM (SELECT COUNT(*) AS c FROM points GROUP BY asset_id, tag_name, ts HAVING c > 1)',
      )
      .pluck()
      .get() as number;
  }
}
