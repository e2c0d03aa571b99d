import type { DeviceConfig, ModbusTag } from '../../config/device-schema.js';
import { Backoff, defaultBackoff, type BackoffOptions } from '../backoff.js';
import { Sleeper, formatDelay } from '../sleep.js';
import {
  StatusCodes,
  type Collector,
  type CollectorDevice,
  type CollectorEvents,
  type Sample,
  type CollectorState,
} from '../types.js';
import { ModbusTcpClient } from './client.js';
import { ModbusError, ModbusExceptionError } from './errors.js';
import { planReads, singleReads, type ReadBlock } from './plan.js';
import { decodeRegisters, scaleValue } from './values.js';
import type { ModbusResponse } from './pdu.js';

/**
 * Polls one Modbus TCP device: plans merged reads once, reads them every pollIntervalMs, and emits
 * one batch per poll cycle (ts = when the cycle's answers were in). A failed read gives its tags a
 * Bad quality instead of failing the device; a lost connection goes back to connecting with backoff.
 */

export type ModbusDeviceConfig = Extract<DeviceConfig, { protocol: 'modbus' }>;

interface TagRef {
  tagId: number;
  tag: ModbusTag;
}

export interface ModbusCollectorOptions {
  backoff?: BackoffOptions;
}

/** Quality for a failed read: the device said no vs. we could not ask. */
const qualityForError = (e: unknown): number => {
  if (e instanceof ModbusExceptionError) {
    return e.exceptionCode === 2
      ? StatusCodes.BadNodeIdUnknown
      : e.exceptionCode === 4
        ? StatusCodes.BadDeviceFailure
        : StatusCodes.Bad;
  }
  if (e instanceof ModbusError && e.code === 'timeout') return StatusCodes.BadTimeout;
  return StatusCodes.BadCommunicationError;
};

export class ModbusCollector implements Collector {
  private readonly client: ModbusTcpClient;
  private readonly backoff: Backoff;
  private readonly sleeper = new Sleeper();
  private blocks: ReadBlock<TagRef>[];
  private running = false;
  private loop: Promise<void> | null = null;
  private lastState: CollectorState | null = null;

  constructor(
    private readonly device: CollectorDevice<ModbusDeviceConfig>,
    private readonly events: CollectorEvents,
    opts: ModbusCollectorOptions = {},
  ) {
    const config = device.config;
    const s = config.settings;
    this.client = new ModbusTcpClient({ host: s.host, port: s.port, unitId: s.unitId, timeoutMs: s.timeoutMs });
    this.backoff = new Backoff(opts.backoff ?? defaultBackoff);
    const items = config.tags.flatMap((tag) => {
      const tagId = device.tagIds.get(tag.name);
      return tagId === undefined
        ? []
        : [{ tag: { tagId, tag }, area: tag.area, address: tag.address, dataType: tag.dataType }];
    });
    this.blocks = planReads(items);
  }

  /** Number of read requests per poll cycle (after merging). */
  get readsPerPoll(): number {
    return this.blocks.length;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run().catch((e: unknown) => {
      // Not expected: run() handles its own errors. Report rather than crash the app.
      this.setState('error', `collector stopped unexpectedly: ${e instanceof Error ? e.message : String(e)}`);
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    this.sleeper.cancel();
    await this.client.close();
    await this.loop;
    this.loop = null;
  }

  private setState(state: CollectorState['state'], message: string | null): void {
    if (this.lastState && this.lastState.state === state && this.lastState.message === message) return;
    this.lastState = { state, message };
    this.events.onState({ state, message });
  }

  private async run(): Promise<void> {
    const { pollIntervalMs } = this.device.config.settings;
    let lostReason: string | null = null;
    while (this.running) {
      this.setState('connecting', lostReason);
      try {
        await this.client.connect();
      } catch (e) {
        if (!this.running) break;
        const delay = this.backoff.next();
        const msg = e instanceof Error ? e.message : String(e);
        this.setState('error', `${msg} — retrying in ${formatDelay(delay)}`);
        await this.sleeper.sleep(delay);
        continue;
      }
      if (!this.running) break;
      this.backoff.reset();
      this.setState('connected', null);
      lostReason = await this.pollWhileConnected(pollIntervalMs);
    }
    await this.client.close();
  }

  /** Polls until the connection drops or stop(); returns why it dropped. */
  private async pollWhileConnected(intervalMs: number): Promise<string | null> {
    let next = Date.now();
    while (this.running && this.client.connected) {
      const allTimedOut = await this.pollOnce();
      if (!this.running) return null;
      if (!this.client.connected) break;
      if (allTimedOut) {
        this.setState(
          'error',
          `no answer from ${this.client.target} (unit ${this.client.options.unitId}) within ${this.client.options.timeoutMs} ms — still trying`,
        );
      } else {
        this.setState('connected', null);
      }
      // Fixed rate; after an overrun start again from now instead of bursting to catch up.
      next += intervalMs;
      const now = Date.now();
      if (next < now) next = now;
      await this.sleeper.sleep(next - now);
    }
    return this.running ? `connection to ${this.client.target} lost — reconnecting` : null;
  }

  /** One poll cycle; returns true when every read timed out (device silent). */
  private async pollOnce(): Promise<boolean> {
    const results: { block: ReadBlock<TagRef>; res?: ModbusResponse; err?: unknown }[] = [];
    const replan: ReadBlock<TagRef>[] = [];
    for (const block of this.blocks) {
      if (!this.running) return false;
      try {
        const res = await this.client.request({ fc: block.fc, address: block.address, quantity: block.quantity });
        results.push({ block, res });
        replan.push(block);
      } catch (e) {
        if (e instanceof ModbusExceptionError && e.exceptionCode === 2 && block.items.length > 1) {
          // A bridged gap or a tag hit an unmapped address: read these tags one by one from now on.
          const singles = singleReads(block);
          replan.push(...singles);
          for (const single of singles) {
            try {
              results.push({
                block: single,
                res: await this.client.request({ fc: single.fc, address: single.address, quantity: single.quantity }),
              });
            } catch (e2) {
              results.push({ block: single, err: e2 });
            }
          }
        } else {
          results.push({ block, err: e });
          replan.push(block);
        }
      }
    }
    this.blocks = replan;
    const ts = Date.now();
    const batch: Sample[] = [];
    let timeouts = 0;
    for (const { block, res, err } of results) {
      if (err !== undefined && qualityForError(err) === StatusCodes.BadTimeout) timeouts++;
      for (const { item, offset } of block.items) {
        const { tagId, tag } = item.tag;
        if (!res || err !== undefined) {
          batch.push({ tagId, ts, value: null, quality: qualityForError(err) });
          continue;
        }
        let raw: number;
        if ('bits' in res) raw = res.bits[offset] ? 1 : 0;
        else if ('registers' in res)
          raw = decodeRegisters(res.registers.slice(offset, offset + 2), tag.dataType, tag.wordOrder);
        else continue;
        const value = scaleValue(raw, tag.scale, tag.offset);
        batch.push({ tagId, ts, value, quality: value === null ? StatusCodes.Bad : StatusCodes.Good });
      }
    }
    if (batch.length > 0) this.events.onSamples(batch);
    return results.length > 0 && timeouts === results.length;
  }
}
