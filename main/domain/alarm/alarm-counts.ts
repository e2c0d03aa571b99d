import { type AlarmSeverity } from './rule-schema.js';
// Alarms counted per source (local rules, TwinEdge, OPC UA servers): active, unacknowledged, shelved.

/** One source's alarms counted three ways. A shelved alarm is counted as shelved only. */
export interface AlarmTally {
  /** Active now, acknowledged or not. */
  active: number;
  /** Waiting for an acknowledgement, active or already cleared. */
  unacknowledged: number;
  /** Shelved: silent until unshelved or the time is up. */
  shelved: number;
}

/** Where an alarm comes from: this app's rules (local, demo, TwinEdge rules run here), TwinEdge's alert events, OPC UA servers. */
export type AlarmCountSource = 'local' | 'twinedge' | 'server';

/** Every source added up, for the banner and the tray. */
export interface AlarmCounts extends AlarmTally {
  /** Active alarms per severity (acknowledged or not), not counting shelved ones. */
  bySeverity: Record<AlarmSeverity, number>;
  bySource: Record<AlarmCountSource, AlarmTally>;
}
