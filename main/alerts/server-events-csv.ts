import { exportFileName } from '../domain/export-file-name.js';
import type { ServerEventsExport } from '../domain/alarm/server-event.js';
import { csvField, localIso } from '../history/csv-export.js';
import type { StoredServerEvent } from '../domain/alarm/server-event.js';
import { severityOfOpcUa } from './server-severity.js';

const CRLF = '\r\n';
const line = (fields: (string | number | null)[]): string => fields.map(csvField).join(',') + CRLF;

/** The event view's rows as CSV (RFC 4180), newest first as listed, times in UTC and in the app's zone. */
export const serverEventsCsv = (
  events: readonly StoredServerEvent[],
  timeZone: string,
  now = Date.now(),
): ServerEventsExport => {
  const parts = [
    line([
      'time_utc',
      'time_local',
      'device',
      'source_name',
      'source_node',
      'event_type',
      'opcua_severity',
      'severity',
      'message',
      'condition',
      'state',
    ]),
  ];
  for (const e of events) {
    parts.push(
      line([
        new Date(e.ts).toISOString(),
        localIso(e.ts, timeZone),
        e.deviceName,
        e.sourceName,
        e.sourceNode,
        e.eventType,
        e.severity,
        severityOfOpcUa(e.severity),
        e.message,
        e.conditionName,
        e.state,
      ]),
    );
  }
  return {
    filename: exportFileName('server-events', 'csv', now),
    csv: parts.join(''),
    rows: events.length,
  };
};
