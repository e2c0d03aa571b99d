// The value column of a block: numbers only (nulls and texts are in the kind runs), in one of three modes.
import type { BitReader } from './bit-io.js';
import { BitWriter, readClassed, writeClassed } from './bit-io.js';

/** How a block's numbers are coded; the encoder picks the smallest mode the values allow. */
export const ValueMode = {
  /** Every value a safe integer (not -0): sign and size class of the difference to the previous one. */
  IntegerDelta: 0,
  /** Every value exactly a float32 (e.g. Modbus float32 registers): Gorilla XOR on the 32-bit patterns. */
  Float32Xor: 1,
  /** Gorilla XOR on the 64-bit patterns (always possible). */
  Float64Xor: 2,
} as const;
export type ValueMode = (typeof ValueMode)[keyof typeof ValueMode];

/** Size classes of |difference| - 1 in integer mode (0/1 toggles cost 4 bits). */
const DELTA_WIDTHS = [1, 4, 8, 16, 32, 53] as const;

const f64 = new Float64Array(1);
const u64 = new Uint32Array(f64.buffer);
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** Index of the high word in u64 (little-endian machines: 1). */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

const ctz32 = (x: number): number => 31 - Math.clz32(x & -x);

const integerModeFits = (values: readonly number[]): boolean => {
  let prev = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? 0;
    if (!Number.isSafeInteger(v) || Object.is(v, -0)) return false;
    if (i > 0 && !Number.isSafeInteger(v - prev)) return false;
    prev = v;
  }
  return true;
};

const float32Fits = (values: readonly number[]): boolean => values.every((v) => Object.is(Math.fround(v), v));

const writeIntegers = (w: BitWriter, values: readonly number[]): void => {
  let prev = 0;
  values.forEach((v, i) => {
    if (i === 0) {
      w.bits(v < 0 ? 1 : 0, 1);
      w.wide(Math.abs(v), 53);
    } else {
      const d = v - prev;
      if (d === 0) w.bits(0, 1);
      else {
        w.bits(d < 0 ? 3 : 2, 2);
        writeClassed(w, Math.abs(d) - 1, DELTA_WIDTHS);
      }
    }
    prev = v;
  });
};

const readIntegers = (r: BitReader, n: number, out: number[]): void => {
  let prev = 0;
  for (let i = 0; i < n; i++) {
    if (i === 0) {
      const neg = r.bit() === 1;
      const m = r.wide(53);
      prev = neg ? -m : m;
    } else if (r.bit() === 1) {
      const neg = r.bit() === 1;
      const m = readClassed(r, DELTA_WIDTHS) + 1;
      prev = neg ? prev - m : prev + m;
    }
    out.push(prev);
  }
};

const writeXor32 = (w: BitWriter, values: readonly number[]): void => {
  let prev = 0;
  let lead = -1;
  let trail = 0;
  values.forEach((v, i) => {
    f32[0] = v;
    const bits = u32[0] ?? 0;
    if (i === 0) w.bits(bits, 32);
    else {
      const x = (bits ^ prev) >>> 0;
      if (x === 0) w.bits(0, 1);
      else {
        const l = Math.min(31, Math.clz32(x));
        const t = ctz32(x);
        if (lead >= 0 && l >= lead && t >= trail) {
          w.bits(2, 2);
          w.bits(x >>> trail, 32 - lead - trail);
        } else {
          lead = l;
          trail = t;
          const len = 32 - l - t;
          w.bits(3, 2);
          w.bits(l, 5);
          w.bits(len - 1, 5);
          w.bits(x >>> t, len);
        }
      }
    }
    prev = bits;
  });
};

const readXor32 = (r: BitReader, n: number, out: number[]): void => {
  let prev = 0;
  let lead = 0;
  let trail = 0;
  for (let i = 0; i < n; i++) {
    if (i === 0) prev = r.bits(32);
    else if (r.bit() === 1) {
      if (r.bit() === 1) {
        lead = r.bits(5);
        const len = r.bits(5) + 1;
        trail = 32 - lead - len;
      }
      const m = r.bits(32 - lead - trail);
      prev = (prev ^ (trail === 0 ? m : m << trail)) >>> 0;
    }
    u32[0] = prev;
    out.push(f32[0] ?? 0);
  }
};

const writeXor64 = (w: BitWriter, values: readonly number[]): void => {
  let pHi = 0;
  let pLo = 0;
  let lead = -1;
  let trail = 0;
  values.forEach((v, i) => {
    f64[0] = v;
    const hi = u64[HI] ?? 0;
    const lo = u64[LO] ?? 0;
    if (i === 0) {
      w.bits(hi, 32);
      w.bits(lo, 32);
    } else {
      const xh = (hi ^ pHi) >>> 0;
      const xl = (lo ^ pLo) >>> 0;
      if (xh === 0 && xl === 0) w.bits(0, 1);
      else {
        const l = Math.min(31, xh !== 0 ? Math.clz32(xh) : 32 + Math.clz32(xl));
        const t = xl !== 0 ? ctz32(xl) : 32 + ctz32(xh);
        if (lead < 0 || l < lead || t < trail) {
          lead = l;
          trail = t;
          w.bits(3, 2);
          w.bits(l, 5);
          // 64 meaningful bits are written as 0 (six bits hold 0..63).
          w.bits((64 - l - t) & 63, 6);
        } else w.bits(2, 2);
        writeShifted(w, xh, xl, trail, 64 - lead - trail);
      }
    }
    pHi = hi;
    pLo = lo;
  });
};

/** Writes bits [s, s + len) of the 64-bit value hi:lo. */
const writeShifted = (w: BitWriter, hi: number, lo: number, s: number, len: number): void => {
  let h: number;
  let l: number;
  if (s === 0) {
    h = hi;
    l = lo;
  } else if (s < 32) {
    l = ((lo >>> s) | (hi << (32 - s))) >>> 0;
    h = hi >>> s;
  } else {
    l = hi >>> (s - 32);
    h = 0;
  }
  if (len > 32) {
    w.bits(h, len - 32);
    w.bits(l, 32);
  } else w.bits(l, len);
};

const readXor64 = (r: BitReader, n: number, out: number[]): void => {
  let hi = 0;
  let lo = 0;
  let lead = 0;
  let trail = 0;
  for (let i = 0; i < n; i++) {
    if (i === 0) {
      hi = r.bits(32);
      lo = r.bits(32);
    } else if (r.bit() === 1) {
      if (r.bit() === 1) {
        lead = r.bits(5);
        const len = r.bits(6) || 64;
        trail = 64 - lead - len;
      }
      const len = 64 - lead - trail;
      const mh = len > 32 ? r.bits(len - 32) : 0;
      const ml = r.bits(len > 32 ? 32 : len);
      let xh: number;
      let xl: number;
      if (trail === 0) {
        xh = mh;
        xl = ml;
      } else if (trail < 32) {
        xh = ((mh << trail) | (ml >>> (32 - trail))) >>> 0;
        xl = (ml << trail) >>> 0;
      } else {
        xh = (ml << (trail - 32)) >>> 0;
        xl = 0;
      }
      hi = (hi ^ xh) >>> 0;
      lo = (lo ^ xl) >>> 0;
    }
    u64[HI] = hi;
    u64[LO] = lo;
    out.push(f64[0] ?? 0);
  }
};

/** Writes the numbers in the smallest mode they allow: the mode (2 bits), then the coded values. */
export const writeValues = (w: BitWriter, values: readonly number[]): void => {
  const candidates: [ValueMode, BitWriter][] = [];
  const tryMode = (mode: ValueMode, write: (x: BitWriter, v: readonly number[]) => void): void => {
    const x = new BitWriter();
    write(x, values);
    candidates.push([mode, x]);
  };
  if (integerModeFits(values)) tryMode(ValueMode.IntegerDelta, writeIntegers);
  if (float32Fits(values)) tryMode(ValueMode.Float32Xor, writeXor32);
  tryMode(ValueMode.Float64Xor, writeXor64);
  let best = candidates[0];
  for (const c of candidates) if (best === undefined || c[1].bitLength < best[1].bitLength) best = c;
  if (best === undefined) return;
  w.bits(best[0], 2);
  w.append(best[1]);
};

/** Thrown for a value mode this version does not know (a damaged block). */
export class BlockModeError extends Error {
  override readonly name = 'BlockModeError';
}

export const readValues = (r: BitReader, n: number): number[] => {
  const out: number[] = [];
  const mode = r.bits(2);
  if (mode === 0) readIntegers(r, n, out);
  else if (mode === 1) readXor32(r, n, out);
  else if (mode === 2) readXor64(r, n, out);
  else throw new BlockModeError(`unknown value mode ${mode}`);
  return out;
};
