import type { AlarmsChanged } from '../../../main/domain/alarm/alarms-changed.js';
import { alarmSeverityLabel } from './alarm-format.js';

const num = (v: number): string => String(Math.round(v * 1000) / 1000);

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
    const value = a.value === null ? '' : ` (now ${num(a.value)}${a.unit ? ` ${a.unit}` : ''})`;
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

/** The browser's Notification API, typed here so this module also compiles without the DOM library (unit tests). */
interface NotificationApi {
  readonly permission: 'default' | 'granted' | 'denied';
  requestPermission(): Promise<'default' | 'granted' | 'denied'>;
  new (title: string, options: { body: string; tag: string }): unknown;
}
const notificationApi = (): NotificationApi | undefined =>
  (globalThis as { Notification?: NotificationApi }).Notification;

export type PermissionState = NotificationApi['permission'] | 'unsupported';

export function notificationPermission(): PermissionState {
  return notificationApi()?.permission ?? 'unsupported';
}

export const permissionLabel: Record<PermissionState, string> = {
  granted: 'Desktop notifications are on for new critical and warning alarms.',
  denied: 'Desktop notifications are blocked (allow them in the browser or system settings to get them).',
  default: 'Desktop notifications are off.',
  unsupported: 'Desktop notifications are not available here.',
};

/** Asks the user once (from a button, never on load). */
export async function requestNotificationPermission(): Promise<PermissionState> {
  const api = notificationApi();
  return api ? api.requestPermission() : 'unsupported';
}

/** Shows the notifications when allowed; returns how many were shown. */
export function showAlarmNotifications(list: readonly AlarmNotification[]): number {
  const Api = notificationApi();
  if (list.length === 0 || !Api || Api.permission !== 'granted') return 0;
  let shown = 0;
  for (const n of list) {
    try {
      new Api(n.title, { body: n.body, tag: n.tag });
      shown++;
    } catch (err) {
      console.warn('desktop notification failed', err);
    }
  }
  return shown;
}
