// An event an OPC UA server sent (plain, or a condition's transition), as stored and exported.

export type ServerEvent = StoredServerEvent;

export interface ServerEventsExport {
  filename: string;
  csv: string;
  rows: number;
}

/** One stored server event (a plain event or a condition transition), as listed and exported. */
export interface StoredServerEvent {
  id: number;
  deviceId: number;
  deviceName: string;
  /** Time at the source, epoch ms. */
  ts: number;
  receivedAt: number;
  eventId: string;
  eventType: string;
  sourceNode: string;
  sourceName: string;
  /** OPC UA severity 1-1000. */
  severity: number;
  message: string;
  /** Set for condition transitions, null for plain events. */
  conditionId: string | null;
  conditionName: string | null;
  /** A condition's state after the transition ("active, unacknowledged"); null for plain events. */
  state: string | null;
}
