// A sample as it crosses to the renderer: compact, one array per sample.

/**
 * A sample on the wire: [tagId, source timestamp ms, value (null if none), OPC UA status code], plus the
 * text of a string tag (whose value is null).
 */
export type SampleTuple = [number, number, number | null, number] | [number, number, null, number, string];
