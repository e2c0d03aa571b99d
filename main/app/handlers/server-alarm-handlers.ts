import type { Handlers } from '../../contract/router.js';
import type { ServerAlarmService } from '../../alerts/server-alarm-service.js';
import { serverEventsCsv } from '../../alerts/server-events-csv.js';
import type { Store } from '../../store/store.js';

type ServerAlarmCalls =
  | 'serverAlarms.active'
  | 'serverAlarms.acknowledge'
  | 'serverAlarms.confirm'
  | 'serverAlarms.shelve'
  | 'serverEvents.list'
  | 'serverEvents.export';

export interface ServerAlarmHandlerDeps {
  serverAlarms: () => ServerAlarmService;
  store: () => Store;
  /** Who is acting, for the audit log. */
  actor: string;
  timeZone: () => string;
}

/** The OPC UA servers' own alarms (acknowledge, confirm, shelve go to the server) and their stored events. */
export const serverAlarmHandlers = (d: ServerAlarmHandlerDeps): Pick<Handlers, ServerAlarmCalls> => ({
  'serverAlarms.active': () => d.serverAlarms().list(),
  'serverAlarms.acknowledge': ({ deviceId, key, comment }) =>
    d.serverAlarms().acknowledge(deviceId, key, comment, d.actor),
  'serverAlarms.confirm': ({ deviceId, key, comment }) => d.serverAlarms().confirm(deviceId, key, comment, d.actor),
  'serverAlarms.shelve': ({ deviceId, key, kind, minutes }) =>
    d.serverAlarms().shelve(deviceId, key, kind === 'timed' ? { kind, minutes: minutes ?? 60 } : { kind }, d.actor),
  'serverEvents.list': (q) => d.store().serverEvents.list(q),
  'serverEvents.export': (q) => serverEventsCsv(d.store().serverEvents.list(q), d.timeZone()),
});
