import type { AlarmsChanged } from '../../../main/contract/alarm-contract';
import { formatValue, withUnit } from './format';
import { alarmSeverityLabel } from './alarm-format';

export type RaisedAlarm = AlarmsChanged['raised'][number];

export interface AlarmNotification {
  title: string;
  body: string;
  /** Same rule, same raise: the OS replaces rather than stacks. */
  tag: string;
}

/**
 * Which raised alarms become desktop notifications: critical and warning ones that are not shelved, each
 * (rule, time) once. `seen` holds keys already notified and is updated (so a repeated event stays silent).
 */
export function alarmsToNotify(raised: readonly RaisedAlarm[], seen: Set<string>): AlarmNotification[] {
  const out: AlarmNotification[] = [];
  for (const a of raised) {
    if (a.shelved || a.severity === 'info') continue;
    const key = `${a.ruleId}@${a.at}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const value = a.value === null ? '' : ` (now ${withUnit(formatValue(a.value), a.unit)})`;
    out.push({
      title: `${alarmSeverityLabel[a.severity]} alarm: ${a.ruleName}`,
      body: `${a.condition}${value}`,
      tag: `twinedge-alarm-${key}`,
    });
  }
  // Keep the memory bounded: old keys never come back anyway.
  if (seen.size > 1000) {
    const keep = [...seen].slice(-500);
    seen.clear();
    for (const k of keep) seen.add(k);
  }
  return out;
}

export type PermissionState = NotificationPermission | 'unsupported';

export function notificationPermission(): PermissionState {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

export const permissionLabel: Record<PermissionState, string> = {
  granted: 'Desktop notifications are on for new critical and warning alarms.',
  denied: 'Desktop notifications are blocked (allow them in the browser or system settings to get them).',
  default: 'Desktop notifications are off.',
  unsupported: 'Desktop notifications are not available here.',
};

/** Asks the user once (from a button, never on load). */
export async function requestNotificationPermission(): Promise<PermissionState> {
  if (typeof Notification === 'undefined') return 'unsupported';
  return Notification.requestPermission();
}

/** Shows the notifications when allowed; returns how many were shown. */
export function showAlarmNotifications(list: readonly AlarmNotification[]): number {
  if (list.length === 0 || notificationPermission() !== 'granted') return 0;
  let shown = 0;
  for (const n of list) {
    try {
      new Notification(n.title, { body: n.body, tag: n.tag });
      shown++;
    } catch (err) {
      console.warn('desktop notification failed', err);
    }
  }
  return shown;
}
