import type { DeviceDiagnostics, DeviceState } from '../domain/device/device-state.js';
import type { DeviceConfig } from '../domain/device/device-schema.js';
import type { ServerHistory } from './server-history.js';
import { type Sample } from '../domain/sample/sample.js';

/**
 * What every collector (OPC UA, Modbus) produces and how the app drives it. Collectors never throw
 * out of their loops and never exit the process: every failure becomes a state with a message.
 */

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
