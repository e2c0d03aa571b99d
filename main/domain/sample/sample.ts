// One sample as collected, the unit everything downstream (store, alarms, sync, live) works on.

/** One sample as collected: tag id (store id), source timestamp (ms), value, OPC UA status code. */
export interface Sample {
  tagId: number;
  ts: number;
  value: number | null;
  quality: number;
  /** A string tag's text (its value is null). */
  text?: string;
  /**
   * Read from the device's own history after an outage (backfill): stored, rolled up and uploaded like any
   * sample, but not live: the alarm engine and the live stream see only current data.
   */
  historical?: true;
}
