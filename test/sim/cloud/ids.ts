import { randomUUID } from 'node:crypto';
import type { Db } from './db.js';

/** The document kinds that get ids (the `kind` column of the docs table). */
export type IdKind = 'device' | 'dashboard' | 'alert_rule' | 'alert_event' | 'ml_model' | 'training_job';

const prefix: Record<IdKind, string> = {
  device: 'dev',
  dashboard: 'dash',
  alert_rule: 'rule',
  alert_event: 'evt',
  ml_model: 'model',
  training_job: 'job',
};

/** First numeric id minus one, per kind, so a numeric id alone tells a reader what it names (1001: a device). */
const numericBase: Record<IdKind, number> = {
  device: 1000,
  alert_rule: 2000,
  alert_event: 3000,
  ml_model: 4000,
  training_job: 5000,
  dashboard: 6000,
};

/** New document ids: prefixed UUIDs (ours), or decimal numbers for dialects whose service numbers its rows. */
export class IdSource {
  /** Last number handed out per kind: ids may be drawn before their rows are stored (a seed's rule and events). */
  private readonly issued = new Map<IdKind, number>();

  constructor(
    private readonly db: Db,
    private readonly numeric: boolean,
  ) {}

  /** `preferred` is a seed's fixed id ('rule-demo-temp'); a numeric dialect numbers it like any other. */
  next(kind: IdKind, preferred?: string): string {
    if (!this.numeric) return preferred ?? `${prefix[kind]}-${randomUUID()}`;
    // From the stored rows, not a counter, so a restart on the same file goes on where it stopped.
    const max = this.db
      .prepare("SELECT MAX(CAST(id AS INTEGER)) FROM docs WHERE kind = ? AND id GLOB '[0-9]*'")
      .pluck()
      .get(kind) as number | null;
    const next = Math.max(max ?? 0, this.issued.get(kind) ?? 0, numericBase[kind]) + 1;
    this.issued.set(kind, next);
    return String(next);
  }
}
