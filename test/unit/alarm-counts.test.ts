import { describe, expect, it } from 'vitest';
import { countAlarms, countedServer, countedTwinEdge, type CountedAlarm } from '../../main/alerts/alarm-counts.js';
import type { ServerAlarm } from '../../main/domain/alarm/server-alarm.js';
import type { AlertEventAnswer } from '../../main/sync/api/answers.js';

const alarm = (o: Partial<CountedAlarm>): CountedAlarm => ({
  severity: 'warning',
  active: true,
  acked: false,
  shelved: false,
  ...o,
});
const event = (o: Partial<AlertEventAnswer>): AlertEventAnswer =>
  ({
    id: 'evt-1',
    rule_name: 'Line 3 temperature',
    severity: 'critical',
    status: 'triggered',
    message: '',
    triggered_at: '2026-12-04T10:00:00.000Z',
    ...o,
  }) as AlertEventAnswer;

describe('alarm counts', () => {
  it('counts an acknowledged active alarm as active, and each source separately', () => {
    const c = countAlarms({
      local: [alarm({ severity: 'critical', acked: true }), alarm({ active: false }), alarm({ shelved: true })],
      twinedge: countedTwinEdge([event({}), event({ id: 'evt-2', status: 'resolved' })]),
    });
    expect(c).toEqual({
      active: 2,
      unacknowledged: 2,
      shelved: 1,
      bySeverity: { critical: 2, warning: 0, info: 0 },
      bySource: {
        local: { active: 1, unacknowledged: 1, shelved: 1 },
        twinedge: { active: 1, unacknowledged: 1, shelved: 0 },
        server: { active: 0, unacknowledged: 0, shelved: 0 },
      },
    });
  });

  it('reads TwinEdge events acknowledged there and unknown severities, and OPC UA shelving', () => {
    expect(countedTwinEdge([event({ status: 'acknowledged', severity: 'unknown' })])).toEqual([
      { severity: 'warning', active: true, acked: true, shelved: false },
    ]);
    const server = { severity: 'info', active: true, acked: false, shelving: 'TimedShelved' } as ServerAlarm;
    expect(countedServer(server).shelved).toBe(true);
    expect(countedServer({ ...server, shelving: 'Unshelved' }).shelved).toBe(false);
    expect(countedServer({ ...server, shelving: null }).shelved).toBe(false);
  });
});
