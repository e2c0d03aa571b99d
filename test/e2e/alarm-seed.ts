import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModbusDeviceInput } from '../../main/domain/device/device-schema.js';
import { AlarmRuleInput } from '../../main/domain/alarm/rule-schema.js';
import { Store } from '../../main/store/store.js';

/*
 * A data dir for the Alarms view tests, seeded before the service starts, with the demo plant off: one Modbus
 * device ("Line 3 PLC") pointed at a loopback port nothing listens on, so it is offline within seconds and raises
 * the two offline rules (one critical, one warning); and a flow rule with two history entries, values in m³/h.
 */

export const alarmSeed = {
  device: 'Line 3 PLC',
  critical: 'Line 3 PLC offline',
  warning: 'Line 3 PLC offline (second shift)',
  flow: 'FT-301 flow high',
  unit: 'm³/h',
} as const;

/** A loopback port that was free a moment ago (a connection to it is refused). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  await new Promise<void>((r) => server.close(() => r()));
  if (!address || typeof address === 'string') throw new Error('no loopback port');
  return address.port;
}

/** Writes the seed; `baseUrl` points cloud sync at a local TwinEdge API (the key comes from the environment). */
export async function seedAlarms(o: { baseUrl?: string; offlineDevice?: boolean } = {}): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'twinedge-alarms-'));
  const store = Store.open(join(dir, 'twinedge.sqlite'));
  try {
    store.settings.set('demo.enabled', false);
    if (o.baseUrl) store.settings.set('sync.baseUrl', o.baseUrl);
    const device = store.devices.save(
      ModbusDeviceInput.parse({
        name: alarmSeed.device,
        protocol: 'modbus',
        enabled: o.offlineDevice ?? true,
        settings: { host: '127.0.0.1', port: await closedPort() },
        tags: [{ name: 'FT-301', unit: alarmSeed.unit, area: 'holding', address: 0, dataType: 'float32' }],
      }),
    );
    const now = Date.now();
    const rule = (name: string, severity: 'critical' | 'warning', conditions: unknown[]) =>
      store.alarms.saveRule(AlarmRuleInput.parse({ name, severity, conditions }), 'local', null, now);
    if (o.offlineDevice ?? true) {
      const offline = [{ kind: 'offline', deviceId: device.id, afterSeconds: 0 }];
      rule(alarmSeed.critical, 'critical', offline);
      rule(alarmSeed.warning, 'warning', offline);
    }
    const tagId = device.tags[0]?.id ?? 0;
    const flow = rule(alarmSeed.flow, 'warning', [{ kind: 'threshold', tagId, operator: '>', threshold: 50 }]);
    const step = { ruleId: flow.id, actor: 'system', note: null, shelved: false };
    store.alarms.record(
      [
        { ...step, kind: 'raised', from: 'normal', to: 'active-unacked', ts: now - 120_000, value: 62.5 },
        { ...step, kind: 'cleared', from: 'active-unacked', to: 'cleared-unacked', ts: now - 60_000, value: 48.25 },
      ],
      [],
      () => ({ name: flow.name, severity: flow.severity }),
    );
  } finally {
    store.close();
  }
  return dir;
}
