// What a write to a device (Modbus or OPC UA) did: the request as sent, and its audit entry.

export interface WriteResult {
  /** The request as sent, e.g. "FC 16 write 2 registers at 40011, unit 1" or "Write ns=2;s=SP (Double) = 12.5". */
  request: string;
  durationMs: number;
  auditId: number;
}
