import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AlarmService } from '../../main/alerts/alarm-service.js';
import { AlarmEngine } from '../../main/alerts/engine/alarm-engine.js';
import { AlarmRuleInput, type AlarmRuleInput as RuleIn } from '../../main/domain/alarm/rule-schema.js';
import type { Sample } from '../../main/domain/sample/sample.js';
import { ModbusDeviceInput } from '../../main/domain/device/device-schema.js';
import type { AlarmsChanged } from '../../main/domain/alarm/alarms-changed.js';
import { createLogger } from '../../main/log/logger.js';
import type { StoredDevice } from '../../main/store/devices-repo.js';
import { Store } from '../../main/store/store.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

/** The alarm service on a real SQLite store with the real engine: persistence, restart, previews. */
describe('alarm service', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const f of cleanup.reverse()) f();
    cleanup.length = 0;
  });

  const setup = () => {
    const dir = tempDir('twinedge-alarms-');
    const path = join(dir.path, 'store.sqlite');
    let store = Store.open(path);
    const device: StoredDevice = store.devices.save(
      ModbusDeviceInput.parse({
        name: 'Boiler PLC',
        protocol: 'modbus',
        settings: { host: '10.0.0.5' },
        tags: [
          { name: 'Drum level', unit: '%', area: 'holding', address: 0, dataType: 'float32' },
          { name: 'Steam pressure', unit: 'bar', area: 'holding', address: 2, dataType: 'float32' },
        ],
      }),
    );
    const t = { now: Date.UTC(2026, 10, 30, 12) };
    const changes: AlarmsChanged[] = [];
    const make = (): AlarmService =>
      new AlarmService({
        store,
        log: createLogger({ console: false }),
        engine: (o) => new AlarmEngine(o),
        onChanged: (e) => changes.push(e),
        now: () => t.now,
        tickMs: 20,
      });
    let service = make();
    cleanup.push(() => {
      service.stop();
      try {
        store.close();
      } catch {
        // closed by a restart step
      }
      dir.remove();
    });
    return {
      t,
      device,
      changes,
      get store() {
        return store;
      },
      get service() {
        return service;
      },
      restart: () => {
        service.stop();
        store.close();
        store = Store.open(path);
        service = make();
      },
      sample: (tag: number, value: number): Sample => ({
        tagId: device.tags[tag]?.id ?? 0,
        ts: t.now,
        value,
        quality: 0,
      }),
    };
  };

  const levelHigh = (tagId: number, extra: Partial<RuleIn> = {}) =>
    AlarmRuleInput.parse({
      name: 'Drum level high',
      severity: 'warning',
      conditions: [{ kind: 'threshold', tagId, operator: '>', threshold: 80 }],
      deadband: 2,
      ...extra,
    });

  it('raises, acknowledges with a note and clears, storing every transition with value and who', async () => {
    const s = setup();
    const rule = s.service.saveRule(levelHigh(s.device.tags[0]!.id));
    s.service.onSamples([s.sample(0, 79)]);
    expect(s.service.active()).toEqual([]);
    s.t.now += 1000;
    s.service.onSamples([s.sample(0, 83.5)]);
    expect(s.service.active()).toMatchObject([
      { ruleId: rule.id, state: 'active-unacked', value: 83.5, unit: '%', condition: 'Drum level > 80 %' },
    ]);
    const none = { active: 0, unacknowledged: 0, shelved: 0 };
    expect(s.service.counts()).toEqual({
      active: 1,
      unacknowledged: 1,
      shelved: 0,
      bySeverity: { critical: 0, warning: 1, info: 0 },
      bySource: { local: { active: 1, unacknowledged: 1, shelved: 0 }, twinedge: none, server: none },
    });
    s.t.now += 1000;
    s.service.acknowledge([rule.id], 'jdoe (desktop)', 'Feedwater valve checked');
    // Acknowledged but still active: counted as active, no longer as unacknowledged.
    expect(s.service.counts()).toMatchObject({ active: 1, unacknowledged: 0, bySeverity: { warning: 1 } });
    s.t.now += 1000;
    s.service.onSamples([s.sample(0, 78.5)]); // inside the deadband: still active
    expect(s.service.active()[0]?.state).toBe('active-acked');
    s.t.now += 1000;
    s.service.onSamples([s.sample(0, 77.9)]);
    expect(s.service.active()).toEqual([]);
    const history = s.service.history({ limit: 10 }).reverse();
    expect(history.map((e) => [e.kind, e.from, e.to, e.value, e.actor, e.note])).toEqual([
      ['raised', 'normal', 'active-unacked', 83.5, 'system', null],
      [
        'acknowledged',
        'active-unacked',
        'active-acked',
        expect.anything(),
        'jdoe (desktop)',
        'Feedwater valve checked',
      ],
      ['cleared', 'active-acked', 'normal', 77.9, 'system', null],
    ]);
    await waitFor(() => s.changes.some((c) => c.raised.some((r) => r.ruleId === rule.id)), 2000, 'the raised event');
  });

  it('keeps active alarms and shelving across a restart without raising them again', async () => {
    const s = setup();
    const level = s.service.saveRule(levelHigh(s.device.tags[0]!.id));
    const pressure = s.service.saveRule(
      AlarmRuleInput.parse({
        name: 'Steam pressure high',
        severity: 'critical',
        conditions: [{ kind: 'threshold', tagId: s.device.tags[1]!.id, operator: '>=', threshold: 12 }],
      }),
    );
    s.service.onSamples([s.sample(0, 90), s.sample(1, 12.5)]);
    s.service.shelve(pressure.id, 60, 'jdoe (desktop)', 'Relief valve test');
    expect(s.service.counts()).toMatchObject({
      active: 1,
      bySeverity: { warning: 1, critical: 0 },
      unacknowledged: 1,
      shelved: 1,
    });

    s.restart();
    expect(s.service.active().map((a) => [a.ruleId, a.state, a.shelvedUntil !== null])).toEqual([
      [pressure.id, 'active-unacked', true],
      [level.id, 'active-unacked', false],
    ]);
    s.t.now += 1000;
    s.service.onSamples([s.sample(0, 91), s.sample(1, 12.6)]); // still true: no new raise
    expect(s.service.history({ kind: 'raised', limit: 10 })).toHaveLength(2);
    s.t.now += 61 * 60_000;
    s.service.onSamples([s.sample(1, 12.7)]);
    s.service.start(); // the once-a-second work: shelving expiry
    await waitFor(() => s.service.history({ kind: 'unshelved', limit: 10 }).length === 1, 5000, 'the unshelve');
    expect(s.service.counts().shelved).toBe(0);
  });

  it('previews how often a draft would have fired over the stored last hour', () => {
    const s = setup();
    const tagId = s.device.tags[0]!.id;
    const start = s.t.now - 3_600_000;
    // Three excursions above 80 % in the last hour, 1 Hz.
    const samples: Sample[] = Array.from({ length: 3600 }, (_, i) => ({
      tagId,
      ts: start + i * 1000,
      value: [600, 1800, 3000].some((at) => i >= at && i < at + 120) ? 85 : 70,
      quality: 0,
    }));
    s.store.writeSamples(samples, null);
    const preview = s.service.preview(levelHigh(tagId), 60);
    expect(preview).toMatchObject({ samples: 3600, raises: 3, activeSeconds: 360 });
    expect(preview.firstRaiseAt).toBe(start + 600_000);
    const delayed = s.service.preview(levelHigh(tagId, { onDelaySeconds: 180 }), 60);
    expect(delayed.raises).toBe(0);
    expect(s.service.rules()).toEqual([]); // nothing saved
  });

  it('refuses rules on tags that do not exist, naming the field', () => {
    const s = setup();
    expect(() => s.service.saveRule(levelHigh(9999))).toThrow(/do not exist/);
    try {
      s.service.saveRule(levelHigh(9999));
    } catch (err) {
      expect((err as { fields?: unknown }).fields).toEqual([{ path: 'conditions.0.tagId', message: 'no such tag' }]);
    }
  });
});
