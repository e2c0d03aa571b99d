import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpcUaCollector } from '../../main/collect/opcua/opcua-collector.js';
import type { ConditionControl, ServerEventRecord, ServerEventSink } from '../../main/collect/server-events.js';
import { ServerAlarmService } from '../../main/alerts/server-alarm-service.js';
import { serverEventsCsv } from '../../main/alerts/server-events-csv.js';
import { DeviceInput } from '../../main/domain/device/device-schema.js';
import { createLogger } from '../../main/log/logger.js';
import { Store } from '../../main/store/store.js';
import type { ServerEventQuery } from '../../main/store/server-events-repo.js';
import { startAlarmsServer, type AlarmsServer } from '../fixtures/opcua-alarms-space.js';
import { collectorDevice, Recorder } from '../helpers/device.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

/**
 * The server's own alarms end to end below the UI: a real node-opcua server with an exclusive limit alarm and an
 * off-normal alarm, the real collector, the app's server alarm service over a real SQLite file. Every acknowledgement,
 * confirm and shelve is checked on the server's condition state, not on what we believe.
 */

const dir = tempDir('twinedge-ua-alarms-');
let server: AlarmsServer;
let store: Store;
let service: ServerAlarmService;
let collector: OpcUaCollector;
const rec = new Recorder();
let refreshesEnded = 0;
let losses = 0;

/** The service, counting the ConditionRefresh cycles it sees (a decorator, not a mock: every call goes through). */
const counting = (s: ServerAlarmService): ServerEventSink => ({
  attach: (id, c: ConditionControl) => s.attach(id, c),
  detach: (id, c, why) => {
    if (why === 'lost') losses++;
    s.detach(id, c, why);
  },
  refreshStarted: (id) => s.refreshStarted(id),
  refreshEnded: (id) => {
    refreshesEnded++;
    s.refreshEnded(id);
  },
  onEvents: (id, e: readonly ServerEventRecord[]) => {
    if (process.env.DEBUG_EV)
      for (const x of e)
        console.log(
          'EV',
          Date.now(),
          x.conditionName,
          x.branchId,
          x.retain,
          x.active,
          x.acked,
          x.confirmed,
          x.shelving,
          x.time,
        );
    s.onEvents(id, e);
  },
  problem: (id, m) => s.problem(id, m),
});

const byName = (name: string) => service.list().alarms.find((a) => a.conditionName === name);
const actor = 'tester (test)';

beforeAll(async () => {
  server = await startAlarmsServer({ port: 0, pkiDir: path.join(dir.path, 'server-pki') });
  store = Store.open(path.join(dir.path, 'store.sqlite'));
  const input = {
    name: 'Tank PLC',
    protocol: 'opcua' as const,
    settings: { endpointUrl: server.endpointUrl, publishingIntervalMs: 100 },
    tags: [{ name: 'Level', nodeId: 'ns=1;s=Tank1.Level', samplingIntervalMs: 100 }],
  };
  const device = store.devices.save(DeviceInput.parse(input));
  service = new ServerAlarmService({ store, log: createLogger({ console: false }), onChanged: () => undefined });
  const dev = collectorDevice(input, device.id);
  collector = new OpcUaCollector(dev, rec, {
    pkiDir: path.join(dir.path, 'client-pki'),
    backoff: { initialMs: 200, maxMs: 1000, jitter: 0 },
    serverEvents: counting(service),
  });
  collector.start();
  await waitFor(() => rec.state?.state === 'connected', 30_000, 'connected');
  await waitFor(() => refreshesEnded >= 1, 15_000, 'first ConditionRefresh');
}, 60_000);

afterAll(async () => {
  await collector?.stop();
  service?.stop();
  await server?.stop();
  store?.close();
  dir.remove();
});

describe('OPC UA server alarms (Alarms & Conditions)', () => {
  it('shows both alarms with mapped severity, message, source node and time', async () => {
    const before = Date.now();
    server.setLevel(97);
    server.setValve(true);
    await waitFor(
      () => byName('LevelAlarm')?.active === true && byName('ValveAlarm')?.active === true,
      15_000,
      'alarms',
    );
    const level = byName('LevelAlarm')!;
    expect(level).toMatchObject({
      deviceName: 'Tank PLC',
      conditionId: 'ns=1;s=Tank1.LevelAlarm',
      sourceNode: 'ns=1;s=Tank1',
      sourceName: '1:Tank1',
      opcuaSeverity: 900,
      severity: 'critical',
      message: 'Tank 1 level 97.0 % (HighHigh)',
      activeText: 'HighHigh',
      acked: false,
      confirmed: false,
      shelving: 'Unshelved',
      stale: false,
    });
    expect(level.time).toBeGreaterThanOrEqual(before - 5000);
    const valve = byName('ValveAlarm')!;
    expect(valve).toMatchObject({
      opcuaSeverity: 300,
      severity: 'info',
      message: 'Outlet valve open (normal: closed)',
      confirmed: null,
      shelving: null,
    });
    // The transitions are kept as server events, but not as local alarm rules.
    expect(store.alarms.rules()).toEqual([]);
    const transitions = store.serverEvents.list({ kind: 'all', limit: 100 }).filter((e) => e.conditionId);
    expect(transitions.some((e) => e.conditionName === 'LevelAlarm' && /active \(HighHigh\)/.test(e.state ?? ''))).toBe(
      true,
    );
  });

  it('acknowledge with a comment reaches the server and is audited', async () => {
    const level = byName('LevelAlarm')!;
    const ok = await service.acknowledge(level.deviceId, level.key, 'float switch checked', actor);
    expect(ok).toMatchObject({ ok: true, status: 'Good' });
    expect(server.conditionState('level')).toMatchObject({ acked: true, comment: 'float switch checked' });
    await waitFor(() => byName('LevelAlarm')?.acked === true, 10_000, 'ack event');
    expect(byName('LevelAlarm')!.comment).toBe('float switch checked');
    expect(store.audit.list(1)[0]).toMatchObject({
      action: 'acknowledge',
      actor,
      deviceName: 'Tank PLC',
      value: 'float switch checked',
      outcome: 'ok',
      message: 'Good',
    });
  });

  it("shelving calls the condition's ShelvingState methods, or is refused with a reason without one", async () => {
    const level = byName('LevelAlarm')!;
    // Beyond the alarm's MaxTimeShelved (24 h): the server's own refusal is shown and audited.
    const tooLong = await service.shelve(level.deviceId, level.key, { kind: 'timed', minutes: 48 * 60 }, actor);
    expect(tooLong).toMatchObject({ ok: false, status: 'BadShelvingTimeOutOfRange' });
    expect(tooLong.message).toContain('BadShelvingTimeOutOfRange');
    expect(store.audit.list(1)[0]).toMatchObject({
      action: 'shelve',
      outcome: 'failed',
      value: 'timed shelve for 2880 min',
    });
    expect(server.conditionState('level').shelving).toBe('Unshelved');
    const shelved = await service.shelve(level.deviceId, level.key, { kind: 'timed', minutes: 5 }, actor);
    expect(shelved.ok).toBe(true);
    expect(server.conditionState('level').shelving).toBe('TimedShelved');
    await waitFor(() => byName('LevelAlarm')?.shelving === 'TimedShelved', 10_000, 'shelved state listed');
    const unshelved = await service.shelve(level.deviceId, level.key, { kind: 'unshelve' }, actor);
    expect(unshelved.ok).toBe(true);
    expect(server.conditionState('level').shelving).toBe('Unshelved');
    const valve = byName('ValveAlarm')!;
    const refused = await service.shelve(valve.deviceId, valve.key, { kind: 'oneShot' }, actor);
    expect(refused).toMatchObject({ ok: false, status: 'BadNotSupported' });
    expect(refused.message).toMatch(/no shelving/);
    expect(store.audit.list(1)[0]).toMatchObject({ action: 'shelve', outcome: 'failed', value: 'one-shot shelve' });
  });

  it('confirm reaches the server; a condition without a confirm step is refused with the reason', async () => {
    const level = byName('LevelAlarm')!;
    const ok = await service.confirm(level.deviceId, level.key, 'confirmed at the tank', actor);
    expect(ok.ok).toBe(true);
    expect(server.conditionState('level').confirmed).toBe(true);
    // Acknowledged and confirmed: the list follows the server's Retain (node-opcua drops it, still active).
    const retained = server.conditionState('level').retain;
    await waitFor(
      () => (retained ? byName('LevelAlarm')?.confirmed === true : !byName('LevelAlarm')),
      10_000,
      'confirm event',
    );
    const valve = byName('ValveAlarm')!;
    const refused = await service.confirm(valve.deviceId, valve.key, '', actor);
    expect(refused).toMatchObject({ ok: false, status: 'BadNotSupported' });
    expect(refused.message).toMatch(/no confirm step/);
  });

  it('after the server drops the connection, ConditionRefresh restores exactly the active list', async () => {
    const refreshes = refreshesEnded;
    server.server.endpoints[0]!.abruptlyInterruptChannels();
    // While the connection is down the plant moves on: the level returns to normal, the valve alarm stays.
    server.setLevel(50);
    await waitFor(() => losses > 0, 10_000, 'the loss reported (list shown as last known)');
    await waitFor(() => refreshesEnded > refreshes, 30_000, 'ConditionRefresh after the reconnect');
    await waitFor(() => byName('LevelAlarm')?.active !== true, 10_000, 'level back to normal');
    // Exactly the server's retained conditions, each in the server's state.
    const listed = service.list().alarms.map((a) => ({
      name: a.conditionName,
      active: a.active,
      acked: a.acked,
      confirmed: a.confirmed,
      shelving: a.shelving,
    }));
    const onServer = (['level', 'valve'] as const)
      .map((w) => ({ w, s: server.conditionState(w) }))
      .filter(({ s }) => s.retain)
      .map(({ w, s }) => ({
        name: w === 'level' ? 'LevelAlarm' : 'ValveAlarm',
        active: s.active,
        acked: s.acked,
        confirmed: s.confirmed,
        shelving: s.shelving,
      }));
    expect(listed.sort((a, b) => a.name.localeCompare(b.name))).toEqual(onServer);
    expect(byName('ValveAlarm')).toMatchObject({ active: true, acked: false, stale: false });
    expect(service.list().notes).toEqual([]);
  });

  it('plain events are stored, filtered by text, severity and time, and exported as CSV', async () => {
    const from = Date.now() - 1000;
    server.raiseEvent(500, 'Pump P1 started by operator');
    server.raiseEvent(100, 'Shift log entry');
    // Only ours: the server also reports its state machines' TransitionEvents as plain events (the shelving above).
    const mine = (q: Partial<ServerEventQuery> = {}) =>
      store.serverEvents.list({ kind: 'plain', limit: 10, from, ...q }).filter((e) => e.eventType === 'BaseEventType');
    await waitFor(() => mine().length >= 2, 10_000, 'plain events');
    const plain = mine();
    expect(plain.every((e) => e.conditionId === null)).toBe(true);
    expect(plain.map((e) => e.message).sort()).toEqual(['Pump P1 started by operator', 'Shift log entry']);
    expect(plain[0]).toMatchObject({ deviceName: 'Tank PLC', sourceName: 'Tank1', eventType: 'BaseEventType' });
    expect(mine({ text: 'pump' }).map((e) => e.message)).toEqual(['Pump P1 started by operator']);
    expect(mine({ minSeverity: 400 }).map((e) => e.severity)).toEqual([500]);
    expect(mine({ from: 0, to: from })).toEqual([]);
    const csv = serverEventsCsv(plain, 'Europe/Berlin');
    const lines = csv.csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'time_utc,time_local,device,source_name,source_node,event_type,opcua_severity,severity,message,condition,state',
    );
    expect(csv.rows).toBe(2);
    expect(lines.some((l) => l.includes(',500,warning,Pump P1 started by operator,,'))).toBe(true);
    expect(csv.filename).toMatch(/^twinedge-server-events-.*\.csv$/);
  });
});

describe('server event retention', () => {
  it('keeps at most the newest rows and nothing older than the age limit', () => {
    const d = tempDir();
    const s = Store.open(path.join(d.path, 's.sqlite'));
    try {
      const row = (i: number, receivedAt: number) => ({
        deviceId: 1,
        deviceName: 'x',
        ts: receivedAt,
        receivedAt,
        eventId: String(i),
        eventType: 'BaseEventType',
        sourceNode: 'ns=1;s=A',
        sourceName: 'A',
        severity: 1,
        message: `m${i}`,
        conditionId: null,
        conditionName: null,
        state: null,
      });
      const now = 1_000_000_000;
      s.serverEvents.add([row(0, now - 100_000), ...[1, 2, 3, 4, 5].map((i) => row(i, now))], now);
      expect(s.serverEvents.prune(now, { maxAgeMs: 50_000, maxRows: 3 })).toBe(3);
      expect(
        s.serverEvents
          .list({ kind: 'all', limit: 10 })
          .map((e) => e.message)
          .sort(),
      ).toEqual(['m3', 'm4', 'm5']);
    } finally {
      s.close();
      d.remove();
    }
  });
});
