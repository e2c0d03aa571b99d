import { limits } from '../collect/demo/plant-model.js';
import { signals } from '../collect/demo/signals.js';
import type { StoredDevice } from '../store/devices-repo.js';
import type { Store } from '../store/store.js';
import type { AlarmService } from './alarm-service.js';
import type { AlarmRuleConfig } from '../domain/alarm/rule-schema.js';

/**
 * Default rules on the demo plant's Modbus device, from each signal's normal operating range and the
 * interlock limits: the plant's own excursions (pump trips, clogging filters, inflow surges) trip them
 * within minutes, so a new user sees the whole alarm flow without writing a rule.
 */
export const demoRules = (device: StoredDevice): AlarmRuleConfig[] => {
  const tagOf = (name: string): number | undefined => device.tags.find((t) => t.name === name)?.id;
  const base = {
    description: 'Demo plant default rule',
    enabled: true,
    combinator: 'AND' as const,
    deadbandMode: 'percent' as const,
    deadband: 2,
    onDelaySeconds: 5,
    offDelaySeconds: 5,
    ackMode: 'manual' as const,
  };
  const rules: AlarmRuleConfig[] = [];
  for (const s of signals) {
    const tagId = tagOf(s.name);
    if (tagId === undefined || s.kind !== 'number') continue;
    if (s.normal.max < s.bounds.max) {
      rules.push({
        ...base,
        name: `${s.name} high`,
        severity: 'warning',
        conditions: [{ kind: 'threshold', tagId, operator: '>', threshold: s.normal.max }],
      });
    }
    if (s.normal.min > s.bounds.min) {
      rules.push({
        ...base,
        name: `${s.name} low`,
        severity: 'warning',
        conditions: [{ kind: 'threshold', tagId, operator: '<', threshold: s.normal.min }],
      });
    }
  }
  const trip = (name: string, key: string, threshold: number): void => {
    const tagId = tagOf(signals.find((s) => s.key === key)?.name ?? '');
    if (tagId !== undefined) {
      rules.push({
        ...base,
        name,
        severity: 'critical',
        onDelaySeconds: 0,
        conditions: [{ kind: 'threshold', tagId, operator: '>=', threshold }],
      });
    }
  };
  trip('P-101 vibration at trip limit', 'P101.Vibration', limits.vibrationTrip);
  trip('P-101 winding temperature at trip limit', 'P101.WindingTemp', limits.windingTrip);
  rules.push({
    ...base,
    name: `${device.config.name} offline`,
    severity: 'critical',
    onDelaySeconds: 0,
    conditions: [{ kind: 'offline', deviceId: device.id, afterSeconds: 10 }],
  });
  return rules;
};

const DONE = 'alarms.demoRulesInstalled';

/** Once per data folder: the default rules on the demo Modbus device (a user who deletes them keeps them deleted). */
export const installDemoRules = (store: Store, alarms: AlarmService): void => {
  if (store.settings.get(DONE) === true) return;
  const ids = store.settings.get('demo.deviceIds');
  const device = (Array.isArray(ids) ? ids : [])
    .map((id) => (typeof id === 'number' ? store.devices.get(id) : null))
    .find((d) => d?.config.protocol === 'modbus');
  if (!device) return;
  alarms.devicesChanged();
  for (const rule of demoRules(device)) alarms.saveRule(rule, 'demo');
  store.settings.set(DONE, true);
};
