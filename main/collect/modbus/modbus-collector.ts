import type { DeviceConfig, ModbusTag } from '../../domain/device/device-schema.js';
import { describeLine } from '../../domain/device/modbus-schema.js';
import { describeTagAddress } from '../../domain/device/tag-address.js';
import { Sleeper } from '../sleep.js';
import { StatusCodes } from '../../domain/sample/status-codes.js';
import { type Collector, type CollectorDevice, type CollectorEvents } from '../types.js';
import { type Sample } from '../../domain/sample/sample.js';
import { ModbusError, ModbusExceptionError } from './errors.js';
import type { ModbusLines, LineLease } from './line-registry.js';
import type { LineState } from './line.js';
import type { ModbusResponse } from './pdu.js';
import { planReads, splitBlock, type ReadBlock } from './plan.js';
import { qualityForError } from './quality.js';
import { decodeRegisters, decodeString, scaleValue } from './values.js';
import type { DeviceDiagnostics } from '../../domain/device/device-state.js';

/**
 * Polls one Modbus device (one unit id) through the line it shares with other units. Tags are grouped by
 * poll rate and each group is planned into merged reads once; a block the device refuses is split until the
 * offending tag stands alone, and the split is kept. A failed read makes only its tags bad. After
 * degradeAfterFailures cycles in a row without any answer the device is polled every degradedIntervalMs, so a
 * dead unit does not eat the line's time, and returns to its rate on the first answer.
 */

export type ModbusDeviceConfig = Extract<DeviceConfig, { protocol: 'modbus' }>;

interface TagRef {
  tagId: number;
  tag: ModbusTag;
}

interface PollGroup {
  intervalMs: number;
  blocks: ReadBlock<TagRef>[];
  tags: number;
  lastCycleMs: number | null;
  sleeper: Sleeper;
}

interface BlockResult {
  block: ReadBlock<TagRef>;
  res?: ModbusResponse;
  err?: unknown;
}

export interface ModbusCollectorOptions {
  lines: ModbusLines;
}

export class ModbusCollector implements Collector {
  private readonly groups: PollGroup[];
  private lease: LineLease | null = null;
  private running = false;
  private loops: Promise<void>[] = [];
  private consecutiveFailures = 0;
  private splitBlocks = 0;
  private lastTimeout: string | null = null;
  private readonly lastQuality = new Map<number, number>();
  private readonly problems = new Map<number, { quality: number; message: string }>();
  private lineUp = false;
  /** Counts the line's connections, so a poll loop knows to start a new schedule after a reconnect. */
  private opened = 0;
  private readonly onLineState = (s: LineState): void => {
    // A lost connection is stored once as bad quality for every tag, so the trend shows the gap from there.
    if (this.lineUp && s.state !== 'connected') {
      for (const g of this.groups) this.emitBad(g, StatusCodes.BadNoCommunication, s.message ?? 'connection lost');
    }
    this.lineUp = s.state === 'connected';
    this.report(s);
  };
  private readonly onLineOpen = (): void => {
    // Connected (again): poll now rather than at the next tick, so data is back as soon as the device is.
    this.opened++;
    for (const g of this.groups) g.sleeper.cancel();
  };

  constructor(
    private readonly device: CollectorDevice<ModbusDeviceConfig>,
    private readonly events: CollectorEvents,
    private readonly opts: ModbusCollectorOptions,
  ) {
    const s = device.config.settings;
    const byRate = new Map<number, TagRef[]>();
    for (const tag of device.config.tags) {
      const tagId = device.tagIds.get(tag.name);
      if (tagId === undefined) continue;
      const rate = tag.pollIntervalMs ?? s.pollIntervalMs;
      // Appended in place: copying the list per tag would be quadratic for large maps.
      const list = byRate.get(rate) ?? [];
      list.push({ tagId, tag });
      byRate.set(rate, list);
    }
    this.groups = [...byRate.entries()]
      .sort(([a], [b]) => a - b)
      .map(([intervalMs, refs]) => ({
        intervalMs,
        tags: refs.length,
        lastCycleMs: null,
        sleeper: new Sleeper(),
        blocks: planReads(
          refs.map((r) => ({
            tag: r,
            area: r.tag.area,
            address: r.tag.address,
            dataType: r.tag.dataType,
            length: r.tag.length,
          })),
          {
            maxRegisters: s.maxRegistersPerRead,
            maxBits: s.maxBitsPerRead,
            maxRegisterGap: s.maxRegisterGap,
            maxBitGap: s.maxBitGap,
          },
        ),
      }));
  }

  /** Read requests per cycle of every poll group together. */
  get requestsPerCycle(): number {
    return this.groups.reduce((n, g) => n + g.blocks.length, 0);
  }

  get degraded(): boolean {
    return this.consecutiveFailures >= this.device.config.settings.degradeAfterFailures;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.lease = this.opts.lines.acquire(this.device.config.settings);
    this.lease.line.on('state', this.onLineState);
    this.lease.line.on('open', this.onLineOpen);
    this.lineUp = this.lease.line.state.state === 'connected';
    this.report(this.lease.line.state);
    this.loops = this.groups.map((g) => this.pollLoop(g));
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const g of this.groups) g.sleeper.cancel();
    await Promise.all(this.loops);
    this.loops = [];
    this.lease?.line.off('state', this.onLineState);
    this.lease?.line.off('open', this.onLineOpen);
    await this.lease?.release();
    this.lease = null;
  }

  diagnostics(): Omit<DeviceDiagnostics, 'deviceId'> {
    const byId = new Map(
      this.device.config.tags.flatMap((t) => {
        const id = this.device.tagIds.get(t.name);
        return id === undefined ? [] : [[id, t] as const];
      }),
    );
    return {
      pollGroups: this.groups.map((g) => ({
        intervalMs: g.intervalMs,
        tags: g.tags,
        requests: g.blocks.length,
        lastCycleMs: g.lastCycleMs,
      })),
      consecutiveFailures: this.consecutiveFailures,
      degraded: this.degraded,
      splitBlocks: this.splitBlocks,
      subscription: null,
      tagProblems: [...this.problems.entries()]
        .sort(([a], [b]) => a - b)
        .map(([tagId, p]) => {
          const tag = byId.get(tagId);
          return {
            tagId,
            name: tag?.name ?? String(tagId),
            address: tag ? describeTagAddress('modbus', tag) : '',
            quality: p.quality,
            message: p.message,
          };
        }),
    };
  }

  /** The device's state from its line's state and its own answers. */
  private report(line: LineState = this.lease?.line.state ?? { state: 'connecting', message: null }): void {
    if (!this.running) return;
    const s = this.device.config.settings;
    const requestsPerCycle = this.requestsPerCycle;
    // Connected again after failed attempts, but no answer yet: the line still says why it failed before, unless
    // this connection's own timeouts say more.
    const waitingForAnswer = line.state !== 'connected' && this.lease?.line.open === true && this.lastTimeout !== null;
    if (line.state !== 'connected' && !waitingForAnswer) {
      this.events.onState({ state: line.state, message: line.message, requestsPerCycle });
    } else if (this.degraded) {
      this.events.onState({
        state: 'degraded',
        message:
          `no answer from unit ${s.unitId} at ${describeLine(s)} for ${this.consecutiveFailures} poll cycles — ` +
          `polling every ${Math.round(s.degradedIntervalMs / 1000)} s until it answers`,
        requestsPerCycle,
      });
    } else if (this.lastTimeout !== null) {
      this.events.onState({ state: 'error', message: `${this.lastTimeout} — still trying`, requestsPerCycle });
    } else {
      this.events.onState({ state: 'connected', message: line.message, requestsPerCycle });
    }
  }

  /**
   * Polls are due on a grid, t0 + k * interval, t0 being the first poll after the line (re)opens. A cycle that
   * starts late (the event loop was busy) runs as soon as it can and the next one is due on the grid again, so a
   * slip is made up instead of shifting every later poll. When a cycle takes longer than the interval, the grid
   * points it ran over are skipped, not made up in a burst: the next poll runs at once, then the grid resumes.
   */
  private async pollLoop(group: PollGroup): Promise<void> {
    let due: number | null = null;
    let connection = -1;
    while (this.running) {
      const line = this.lease?.line;
      if (!line?.open) {
        // Nothing to ask until the line is back; onLineOpen wakes this sleep.
        await group.sleeper.sleep(group.intervalMs);
        continue;
      }
      const now = Date.now();
      if (due === null || connection !== this.opened) {
        connection = this.opened;
        due = now;
      } else if (now < due) {
        await group.sleeper.sleep(due - now);
        continue;
      }
      await this.pollOnce(group);
      if (!this.running) break;
      const ended = Date.now();
      group.lastCycleMs = ended - now;
      const interval = this.degraded
        ? Math.max(group.intervalMs, this.device.config.settings.degradedIntervalMs)
        : group.intervalMs;
      due += interval;
      if (due < ended) due += Math.floor((ended - due) / interval) * interval;
    }
  }

  private async pollOnce(group: PollGroup): Promise<void> {
    const results: BlockResult[] = [];
    await Promise.all(group.blocks.slice().map((b) => this.readBlock(group, b, results)));
    if (!this.running) return;
    this.record(results);
  }

  /** Reads one block; a refused block is split (for good) and both halves read at once. */
  private async readBlock(group: PollGroup, block: ReadBlock<TagRef>, out: BlockResult[]): Promise<void> {
    const line = this.lease?.line;
    if (!line) return;
    const { unitId, timeoutMs, retries } = this.device.config.settings;
    try {
      const res = await line.request(
        unitId,
        { fc: block.fc, address: block.address, quantity: block.quantity },
        timeoutMs,
        retries,
      );
      out.push({ block, res });
    } catch (e) {
      const refused = e instanceof ModbusExceptionError && (e.exceptionCode === 2 || e.exceptionCode === 3);
      const halves = refused ? splitBlock(block) : null;
      const at = group.blocks.indexOf(block);
      if (halves && at !== -1) {
        group.blocks.splice(at, 1, ...halves);
        this.splitBlocks++;
        await Promise.all(halves.map((h) => this.readBlock(group, h, out)));
        return;
      }
      out.push({ block, err: e });
    }
  }

  private record(results: BlockResult[]): void {
    const ts = Date.now();
    const batch: Sample[] = [];
    let answered = 0;
    let timeout: string | null = null;
    for (const { block, res, err } of results) {
      if (err === undefined || err instanceof ModbusExceptionError) answered++;
      else if (err instanceof ModbusError && err.code === 'timeout') timeout = err.message;
      for (const { item, offset } of block.items) {
        const { tagId, tag } = item.tag;
        if (!res || err !== undefined) {
          this.markBad(batch, tagId, ts, qualityForError(err), err instanceof Error ? err.message : String(err));
          continue;
        }
        const sample = decodeSample(res, offset, tag, tagId, ts);
        if (sample.quality === StatusCodes.Good) {
          this.problems.delete(tagId);
          this.lastQuality.set(tagId, sample.quality);
          batch.push(sample);
        } else {
          this.markBad(batch, tagId, ts, sample.quality, 'the registers hold no valid number (NaN or infinity)');
        }
      }
    }
    const failedCycle = results.length > 0 && answered === 0;
    const wasDegraded = this.degraded;
    this.consecutiveFailures = failedCycle ? this.consecutiveFailures + 1 : 0;
    this.lastTimeout = failedCycle ? timeout : null;
    if (batch.length > 0) this.events.onSamples(batch);
    if (wasDegraded !== this.degraded || failedCycle || this.lastTimeout === null) this.report();
  }

  /** Bad samples are stored when a tag's quality changes, not every cycle: the trend shows a gap from there. */
  private markBad(batch: Sample[], tagId: number, ts: number, quality: number, message: string): void {
    this.problems.set(tagId, { quality, message });
    if (this.lastQuality.get(tagId) === quality) return;
    this.lastQuality.set(tagId, quality);
    batch.push({ tagId, ts, value: null, quality });
  }

  private emitBad(group: PollGroup, quality: number, message: string): void {
    const ts = Date.now();
    const batch: Sample[] = [];
    for (const b of group.blocks)
      for (const { item } of b.items) this.markBad(batch, item.tag.tagId, ts, quality, message);
    if (batch.length > 0) this.events.onSamples(batch);
  }
}

/** One tag's sample from its block's answer. */
export const decodeSample = (
  res: ModbusResponse,
  offset: number,
  tag: ModbusTag,
  tagId: number,
  ts: number,
): Sample => {
  if ('bits' in res) return { tagId, ts, value: res.bits[offset] ? 1 : 0, quality: StatusCodes.Good };
  if (!('registers' in res)) return { tagId, ts, value: null, quality: StatusCodes.Bad };
  if (tag.dataType === 'string') {
    const text = decodeString(res.registers.slice(offset, offset + tag.length), tag.length, tag.wordOrder);
    return { tagId, ts, value: null, quality: StatusCodes.Good, text };
  }
  const raw = decodeRegisters(res.registers.slice(offset, offset + 4), tag);
  const value = tag.dataType === 'bool' ? raw : scaleValue(raw, tag.scale, tag.offset);
  return { tagId, ts, value, quality: value === null ? StatusCodes.BadOutOfRange : StatusCodes.Good };
};
