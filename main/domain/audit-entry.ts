// One line of the audit log: who wrote what to which device, or acted on a server's alarm.

export interface AuditEntry {
  id: number;
  ts: number;
  /** Who: the OS user and the shell, e.g. "jdoe (desktop)". */
  actor: string;
  /** write: a value written to a device; acknowledge / confirm / shelve: a call on a server's alarm condition. */
  action: 'write' | 'acknowledge' | 'confirm' | 'shelve';
  deviceId: number | null;
  deviceName: string;
  /** Tag name and address. */
  target: string;
  value: string;
  outcome: 'ok' | 'failed';
  message: string | null;
}
