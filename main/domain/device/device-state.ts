// A device's connection state and diagnostics, as its collector reports them.

/** Connection state of one device, as the collector reports it. */
export interface DeviceState {
  deviceId: number;
  /** degraded: answering too rarely, so polled less often until it answers again (Modbus). */
  state: 'disabled' | 'connecting' | 'connected' | 'degraded' | 'error';
  /** Plain-language reason when state is error or degraded (or connecting after a loss). */
  message: string | null;
  /** When the state last changed, epoch ms. */
  since: number;
  /** Samples received from this device since the collector started. */
  samples: number;
  /** Modbus: read requests per poll cycle after merging (all poll groups); null for other protocols. */
  requestsPerCycle: number | null;
}

/** Why a device's tags are not all good, for the device's details. */
export interface DeviceDiagnostics {
  deviceId: number;
  /** Modbus: one entry per poll rate. */
  pollGroups: { intervalMs: number; tags: number; requests: number; lastCycleMs: number | null }[];
  consecutiveFailures: number;
  degraded: boolean;
  /** Merged reads split after the device refused them (an address in the block does not exist). */
  splitBlocks: number;
  tagProblems: { tagId: number; name: string; address: string; quality: number; message: string }[];
  /** OPC UA: what was asked for and what the server granted (revised values). */
  subscription: {
    requestedPublishingIntervalMs: number;
    revisedPublishingIntervalMs: number | null;
    /** Monitored items per CreateMonitoredItems call (the server's limit or the device setting). */
    itemsPerCall: number | null;
    items: {
      tagId: number;
      name: string;
      requestedSamplingIntervalMs: number;
      revisedSamplingIntervalMs: number | null;
      requestedQueueSize: number;
      revisedQueueSize: number | null;
      statusCode: number;
      /** What the tag's last value was: text tags stay off numeric axes. null = no value yet. */
      valueKind?: 'number' | 'text' | null;
    }[];
  } | null;
  /** OPC UA: outages filled (or being filled) from the server's history, newest first; absent for Modbus. */
  backfill?: BackfillInterval[];
}

/** One outage of a device and what reading the server's history for it did. */
export interface BackfillInterval {
  /** The gap: from the last data before the loss to the first data after it (null: still down). */
  from: number;
  to: number | null;
  /** waiting: for the connection (or for the one before it); running: being read; done / failed: finished. */
  state: 'waiting' | 'running' | 'done' | 'failed';
  /** Tags whose history for the gap was read completely, of the tags the device has. */
  tagsFilled: number;
  tags: number;
  /** Values the server returned for the gap (stored as ordinary samples; ones already stored are kept once). */
  samples: number;
  /** Tags not filled, and why (no HistoryRead access, BadHistoryOperationUnsupported, ...); at most 50. */
  skipped: { name: string; reason: string }[];
  /** A limit that applied, or why the fill stopped; null when there is nothing to add. */
  message: string | null;
  finishedAt: number | null;
}

/** A device that is not collecting, or whose collector reports nothing: no groups, no problems, no subscription. */
export const noDiagnostics = (deviceId: number): DeviceDiagnostics => ({
  deviceId,
  pollGroups: [],
  consecutiveFailures: 0,
  degraded: false,
  splitBlocks: 0,
  tagProblems: [],
  subscription: null,
});
