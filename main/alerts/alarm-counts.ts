import type { AlarmCountSource, AlarmCounts, AlarmTally } from '../domain/alarm/alarm-counts.js';
import type { ServerAlarm } from '../domain/alarm/server-alarm.js';
import type { AlertEvent } from '../domain/cloud/alert.js';
import type { ActiveAlarm, AlarmSeverity } from '../domain/alarm/rule-schema.js';

/** One alarm as the counts see it, whatever its source. */
export interface CountedAlarm {
  severity: AlarmSeverity;
  active: boolean;
  acked: boolean;
  shelved: boolean;
}

const tally = (): AlarmTally => ({ active: 0, unacknowledged: 0, shelved: 0 });

/**
 * Active (acknowledged or not), unacknowledged and shelved alarms, per source and in total. An acknowledged alarm
 * that is still active is counted as active: the banner must never read "no alarms" while one is.
 */
export function countAlarms(sources: Partial<Record<AlarmCountSource, readonly CountedAlarm[]>>): AlarmCounts {
  const counts: AlarmCounts = {
    ...tally(),
    bySeverity: { critical: 0, warning: 0, info: 0 },
    bySource: { local: tally(), twinedge: tally(), server: tally() },
  };
  for (const source of ['local', 'twinedge', 'server'] as const) {
    const own = counts.bySource[source];
    for (const a of sources[source] ?? []) {
      for (const t of [own, counts]) {
        if (a.shelved) t.shelved += 1;
        else {
          if (a.active) t.active += 1;
          if (!a.acked) t.unacknowledged += 1;
        }
      }
      if (!a.shelved && a.active) counts.bySeverity[a.severity] += 1;
    }
  }
  return counts;
}

/** A local alarm (from AlarmService.active()), shelved while its shelving time runs at `now`. */
export const countedLocal =
  (now: number) =>
  (a: ActiveAlarm): CountedAlarm => ({
    severity: a.severity,
    active: a.state === 'active-unacked' || a.state === 'active-acked',
    acked: a.state === 'active-acked',
    shelved: a.shelvedUntil !== null && a.shelvedUntil > now,
  });

/** TwinEdge alert events still open (triggered or acknowledged there); resolved and unknown ones are not counted. */
export const countedTwinEdge = (events: readonly AlertEvent[]): CountedAlarm[] =>
  events.flatMap((e) =>
    e.status === 'triggered' || e.status === 'acknowledged'
      ? [
          {
            // As the Active list shows it: a severity this version does not know counts as a warning.
            severity: e.severity === 'unknown' ? 'warning' : e.severity,
            active: true,
            acked: e.status === 'acknowledged',
            shelved: false,
          },
        ]
      : [],
  );

/** An OPC UA server's condition as the server last reported it. */
export const countedServer = (a: ServerAlarm): CountedAlarm => ({
  severity: a.severity,
  active: a.active,
  acked: a.acked,
  shelved: a.shelving !== null && a.shelving !== 'Unshelved',
});
