import { type AlarmCounts } from './alarm-counts.js';
import { type AlarmSeverity } from './rule-schema.js';
// What the alarms event tells the views: the new counts and what was raised.

export interface AlarmsChanged {
  counts: AlarmCounts;
  /** Alarms raised since the last event, for desktop notifications (shelved ones flagged: stay silent). */
  raised: {
    ruleId: number;
    ruleName: string;
    severity: AlarmSeverity;
    condition: string;
    value: number | null;
    unit: string;
    shelved: boolean;
    at: number;
  }[];
  at: number;
}
