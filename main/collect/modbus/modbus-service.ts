import { isBitArea, type ModbusSettings, type ModbusTag } from '../../domain/device/modbus-schema.js';
import type { ModbusTestReadResult } from '../../domain/device/modbus-test-read.js';
import { StatusCodes } from '../../domain/sample/status-codes.js';
import { readFunctionOf } from './addresses.js';
import { ModbusClosedError, ModbusRequestError } from './errors.js';
import type { LineLease, ModbusLines } from './line-registry.js';
import type { ModbusRequest } from './pdu.js';
import { itemWidth } from './plan.js';
import { qualityForError } from './quality.js';
import { describeRequest } from './request-text.js';
import { decodeSample } from './modbus-collector.js';
import { encodeRegisters, encodeString, hexWord, unscaleValue } from './values.js';

/**
 * One-off requests from the UI: a test read of a tag before it is saved, and writes. Both go through the
 * line a running device may already hold (a serial port or a one-client gateway cannot take a second
 * connection), or open it for the moment.
 */
export class ModbusService {
  constructor(private readonly lines: ModbusLines) {}

  async testRead(settings: ModbusSettings, tag: ModbusTag): Promise<ModbusTestReadResult> {
    const req: ModbusRequest = { fc: readFunctionOf(tag.area), address: tag.address, quantity: itemWidth(tag) };
    const request = describeRequest(req, settings.unitId);
    const started = Date.now();
    return this.withLine(settings, async (lease) => {
      try {
        const res = await lease.line.request(settings.unitId, req, settings.timeoutMs, settings.retries);
        const raw =
          'bits' in res ? res.bits.map((b) => (b ? '1' : '0')) : 'registers' in res ? res.registers.map(hexWord) : [];
        const sample = decodeSample(res, 0, tag, 0, Date.now());
        return {
          request,
          raw,
          value: sample.value,
          text: sample.text ?? null,
          quality: sample.quality,
          error: sample.quality === StatusCodes.Good ? null : 'the registers hold no valid number (NaN or infinity)',
          durationMs: Date.now() - started,
        };
      } catch (e) {
        return {
          request,
          raw: [],
          value: null,
          text: null,
          quality: qualityForError(e),
          error: e instanceof Error ? e.message : String(e),
          durationMs: Date.now() - started,
        };
      }
    });
  }

  /**
   * Writes an engineering value to a coil or holding-register tag and returns the request sent. Throws
   * ModbusRequestError for a value the tag cannot hold (before anything is sent), and the line's errors.
   */
  async write(
    settings: ModbusSettings,
    tag: ModbusTag,
    value: number | boolean | string,
  ): Promise<{ request: string }> {
    if (tag.area === 'discrete' || tag.area === 'input') {
      throw new ModbusRequestError(
        `${tag.area === 'discrete' ? 'discrete inputs' : 'input registers'} are read-only in Modbus; only coils and holding registers can be written`,
      );
    }
    return this.withLine(settings, async ({ line }) => {
      const { unitId, timeoutMs } = settings;
      const single = settings.singleWriteFunctions;
      let req: ModbusRequest;
      if (isBitArea(tag.area)) {
        const on = toBool(value);
        req = single ? { fc: 5, address: tag.address, value: on } : { fc: 15, address: tag.address, values: [on] };
      } else {
        let regs: number[];
        if (tag.dataType === 'string') {
          if (typeof value !== 'string') throw new ModbusRequestError(`${tag.name} is a string tag: enter text`);
          regs = wrap(() => encodeString(value, tag.length, tag.wordOrder));
        } else if (tag.dataType === 'bool') {
          // Read-modify-write of one bit: other bits of the register are kept as read just before.
          const cur = await line.request(unitId, { fc: 3, address: tag.address, quantity: 1 }, timeoutMs);
          const current = 'registers' in cur ? (cur.registers[0] ?? 0) : 0;
          regs = encodeRegisters(toBool(value) ? 1 : 0, tag, current);
        } else {
          const n = toNumber(value);
          regs = wrap(() => encodeRegisters(unscaleValue(n, tag.scale, tag.offset, tag.dataType), tag));
        }
        req =
          regs.length === 1 && single
            ? { fc: 6, address: tag.address, value: regs[0]! }
            : { fc: 16, address: tag.address, values: regs };
      }
      // Writes are never retried: a timed-out write may have happened, and repeating it is the engineer's call.
      await line.request(unitId, req, timeoutMs, 0);
      return { request: describeRequest(req, unitId) };
    });
  }

  private async withLine<T>(settings: ModbusSettings, fn: (lease: LineLease) => Promise<T>): Promise<T> {
    const lease = this.lines.acquire(settings);
    try {
      await lease.line.whenConnected(settings.timeoutMs + 1000);
      if (!lease.line.open) {
        throw new ModbusClosedError(lease.line.state.message ?? `cannot connect to ${lease.line.target}`);
      }
      return await fn(lease);
    } finally {
      await lease.release();
    }
  }
}

const toBool = (v: number | boolean | string): boolean => {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  const t = v.trim().toLowerCase();
  if (['1', 'true', 'on'].includes(t)) return true;
  if (['0', 'false', 'off'].includes(t)) return false;
  throw new ModbusRequestError(`"${v}" is not on/off (use 1 or 0)`);
};

const toNumber = (v: number | boolean | string): number => {
  const n = typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : Number(v.trim());
  if (typeof v === 'string' && v.trim() === '') throw new ModbusRequestError('enter a number');
  if (!Number.isFinite(n)) throw new ModbusRequestError(`"${String(v)}" is not a number`);
  return n;
};

const wrap = <T>(fn: () => T): T => {
  try {
    return fn();
  } catch (e) {
    throw new ModbusRequestError(e instanceof Error ? e.message : String(e));
  }
};
