import type { AlarmSeverity } from '../domain/alarm/rule-schema.js';

/**
 * OPC UA severity (1-1000, Part 9) to the app's three severities. The bands follow the five-level split HMIs commonly
 * use (Low 1-200, Medium Low 201-400, Medium 401-600, Medium High 601-800, High 801-1000): High is critical, Medium and
 * Medium High are warnings, Low and Medium Low are information. The raw number is always shown beside it.
 */
export const severityOfOpcUa = (severity: number): AlarmSeverity =>
  severity >= 801 ? 'critical' : severity >= 401 ? 'warning' : 'info';
