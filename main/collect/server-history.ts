/**
 * A device's own history (OPC UA Historical Access), as the trend asks for it: the part of a range older than
 * local data, raw when few values, else the server's Min/Max/Average per chart bucket. Protocol-neutral so the
 * history service needs no OPC UA types.
 */
export interface ServerHistoryFill {
  /** Bucket width (processed), or null: one point per stored value (raw). */
  bucketMs: number | null;
  /** Value time (raw) or bucket start (processed), epoch ms ascending. */
  ts: number[];
  avg: (number | null)[];
  min: (number | null)[];
  max: (number | null)[];
  /** Status code per point: the value's (raw) or the Average's (processed). */
  quality: number[];
}

/** Why the server's history cannot fill this tag, in words for the trend's note. */
export interface ServerHistoryUnavailable {
  unavailable: string;
}

export interface ServerHistoryRequest {
  /** Start of the first bucket (the local series' grid), so server buckets line up with local ones. */
  origin: number;
  bucketMs: number;
  /** Raw values are returned when there are at most this many; 0: always processed. */
  maxRaw: number;
}

export interface ServerHistory {
  read(
    tagId: number,
    from: number,
    to: number,
    req: ServerHistoryRequest,
  ): Promise<ServerHistoryFill | ServerHistoryUnavailable>;
}
