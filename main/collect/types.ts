import type { DeviceDiagnostics, DeviceState } from '../domain/device/device-state.js';
import type { DeviceConfig } from '../domain/device/device-schema.js';
import type { ServerHistory } from './server-history.js';

/**
 * What every collector (OPC UA, Modbus) produces and how the app drives it. Collectors never throw
 * out of their loops and never exit the process: every failure becomes a state with a message.
 */

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

export type CollectorState = Pick<DeviceState, 'state' | 'message'> & { requestsPerCycle?: number | null };

export interface CollectorEvents {
  /** A batch of samples; collectors batch per publish/poll cycle, never one call per sample. */
  onSamples(batch: Sample[]): void;
  onState(state: CollectorState): void;
  /**
   * OPC UA: tags found on another node by their browse path (a PLC download renumbered them), or whose browse path was
   * learned. The collector already follows them; the app stores them in the device's config (tag ids kept).
   */
  onTagNodes?(updates: TagNodeUpdate[]): void;
}

/** A tag's node id or browse path as the collector found it on the server. */
export interface TagNodeUpdate {
  tagId: number;
  name: string;
  /** The node id the tag's config held when the collector found the new one. */
  oldNodeId: string;
  nodeId: string;
  browsePath: string;
  reason: 'moved' | 'path-learned';
}

export interface Collector {
  start(): void;
  /** Stops polling/subscriptions and closes connections; resolves when sockets are closed. */
  stop(): Promise<void>;
  /** Why tags are not all good, and how the device is being read. */
  diagnostics?(): Omit<DeviceDiagnostics, 'deviceId'> | null;
  /** The device's own history (OPC UA Historical Access), for the trend; absent where the protocol has none. */
  serverHistory?(): ServerHistory | null;
}

/** A device as the collectors see it: its config plus the store ids of its tags (by tag name). */
export interface CollectorDevice<C extends DeviceConfig = DeviceConfig> {
  id: number;
  config: C;
  tagIds: ReadonlyMap<string, number>;
}

/** OPC UA status codes used as sample quality, so both protocols share one quality model. */
export const StatusCodes = {
  Good: 0x00000000,
  UncertainLastUsableValue: 0x40900000,
  Bad: 0x80000000,
  BadCommunicationError: 0x80050000,
  BadResourceUnavailable: 0x80040000,
  BadNotSupported: 0x803d0000,
  BadOutOfRange: 0x803c0000,
  BadTimeout: 0x800a0000,
  BadNoCommunication: 0x80310000,
  BadNodeIdUnknown: 0x80340000,
  BadOutOfService: 0x808d0000,
  BadDeviceFailure: 0x808b0000,
  /** Data is missing: collection lost it (here: dropped from memory while the store could not be written). */
  BadDataLost: 0x809d0000,
} as const;

export const qualityOf = (code: number): 'good' | 'uncertain' | 'bad' => {
  const severity = code >>> 30;
  return severity === 0 ? 'good' : severity === 1 ? 'uncertain' : 'bad';
};
