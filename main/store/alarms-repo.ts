import type { RuleRuntime, Transition } from '../domain/alarm/alarm-runtime.js';
import {
  AlarmRuleInput,
  type AlarmEvent,
  type AlarmEventKind,
  type AlarmRule,
  type AlarmRuleConfig,
  type AlarmRuleSource,
  type AlarmSeverity,
  type AlarmState,
} from '../domain/alarm/rule-schema.js';
import type { Db } from './database.js';

interface RuleRow {
  id: number;
  source: AlarmRuleSource;
  cloud_id: string | null;
  config: string;
  created_at: number;
  updated_at: number;
}

interface EventRow {
  id: number;
  ts: number;
  rule_id: number;
  rule_name: string;
  severity: AlarmSeverity;
  kind: AlarmEventKind;
  from_state: AlarmState;
  to_state: AlarmState;
  value: number | null;
  actor: string;
  note: string | null;
  shelved: number;
}

export interface EventFilter {
  from?: number | undefined;
  to?: number | undefined;
  severity?: AlarmSeverity | undefined;
  ruleId?: number | undefined;
  kind?: AlarmEventKind | undefined;
  limit: number;
}

/** Alarm rules, each rule's persisted alarm state, and the transition history. */
export class AlarmsRepo {
  constructor(private readonly db: Db) {}

  rules(): AlarmRule[] {
    return (this.db.prepare('SELECT * FROM alarm_rules ORDER BY id').all() as RuleRow[]).flatMap((r) => {
      // A rule that no longer parses (hand-edited store) is skipped rather than crashing the engine.
      const parsed = AlarmRuleInput.safeParse(JSON.parse(r.config));
      if (!parsed.success) return [];
      const { id: _id, ...config } = parsed.data;
      return [
        {
          ...config,
          id: r.id,
          source: r.source,
          cloudId: r.cloud_id,
          createdAt: r.created_at,
          updatedAt: r.updated_at,
        },
      ];
    });
  }

  rule(id: number): AlarmRule | null {
    return this.rules().find((r) => r.id === id) ?? null;
  }

  saveRule(config: AlarmRuleConfig, source: AlarmRuleSource, cloudId: string | null, now: number): AlarmRule {
    const { id, ...body } = config;
    const json = JSON.stringify(body);
    let ruleId = id;
    if (ruleId !== undefined) {
      this.db
        .prepare(
          'UPDATE alarm_rules SET name = ?, config = ?, cloud_id = coalesce(?, cloud_id), updated_at = ? WHERE id = ?',
        )
        .run(body.name, json, cloudId, now, ruleId);
    } else {
      ruleId = Number(
        this.db
          .prepare(
            'INSERT INTO alarm_rules (name, source, cloud_id, config, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
          )
          .run(body.name, source, cloudId, json, now, now).lastInsertRowid,
      );
    }
    const saved = this.rule(ruleId);
    if (!saved) throw new Error(`Alarm rule ${ruleId} vanished while saving.`);
    return saved;
  }

  setCloudId(id: number, cloudId: string): void {
    this.db.prepare('UPDATE alarm_rules SET cloud_id = ? WHERE id = ?').run(cloudId, id);
  }

  deleteRule(id: number): boolean {
    return this.db.transaction(() => {
      this.db.prepare('DELETE FROM alarm_state WHERE rule_id = ?').run(id);
      return this.db.prepare('DELETE FROM alarm_rules WHERE id = ?').run(id).changes > 0;
    })();
  }

  runtimes(): RuleRuntime[] {
    return (this.db.prepare('SELECT runtime FROM alarm_state').all() as { runtime: string }[]).map(
      (r) => JSON.parse(r.runtime) as RuleRuntime,
    );
  }

  /** Stores transitions and the resulting runtimes in one transaction (a crash keeps both or neither). */
  record(
    transitions: readonly Transition[],
    runtimes: readonly RuleRuntime[],
    names: (ruleId: number) => { name: string; severity: AlarmSeverity },
  ): AlarmEvent[] {
    return this.db.transaction(() => {
      const insert = this.db.prepare(
        `INSERT INTO alarm_events (ts, rule_id, rule_name, severity, kind, from_state, to_state, value, actor, note, shelved)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const events = transitions.map((t): AlarmEvent => {
        const { name, severity } = names(t.ruleId);
        const id = Number(
          insert.run(t.ts, t.ruleId, name, severity, t.kind, t.from, t.to, t.value, t.actor, t.note, t.shelved ? 1 : 0)
            .lastInsertRowid,
        );
        return {
          id,
          ts: t.ts,
          ruleId: t.ruleId,
          ruleName: name,
          severity,
          kind: t.kind,
          from: t.from,
          to: t.to,
          value: t.value,
          actor: t.actor,
          note: t.note,
          shelved: t.shelved,
        };
      });
      const upsert = this.db.prepare(
        'INSERT INTO alarm_state (rule_id, runtime) VALUES (?, ?) ON CONFLICT(rule_id) DO UPDATE SET runtime = excluded.runtime',
      );
      for (const r of runtimes) upsert.run(r.ruleId, JSON.stringify(r));
      return events;
    })();
  }

  events(f: EventFilter): AlarmEvent[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const add = (clause: string, value: string | number | undefined): void => {
      if (value === undefined) return;
      where.push(clause);
      args.push(value);
    };
    add('ts >= ?', f.from);
    add('ts <= ?', f.to);
    add('severity = ?', f.severity);
    add('rule_id = ?', f.ruleId);
    add('kind = ?', f.kind);
    const sql = `SELECT * FROM alarm_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ts DESC, id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, f.limit) as EventRow[]).map((r) => ({
      id: r.id,
      ts: r.ts,
      ruleId: r.rule_id,
      ruleName: r.rule_name,
      severity: r.severity,
      kind: r.kind,
      from: r.from_state,
      to: r.to_state,
      value: r.value,
      actor: r.actor,
      note: r.note,
      shelved: r.shelved === 1,
    }));
  }
}
