import { describe, expect, it } from 'vitest';
import type { Sample } from '../../main/domain/sample/sample.js';
import { seededRandom } from '../../main/domain/prng.js';
import { BlockCodecError, decodeBlock, encodeBlock } from '../../main/store/raw/block-codec.js';

const T0 = Date.UTC(2026, 0, 1);
const BAD = 0x80000000;
const UNCERTAIN = 0x40000000;

/** Bit-exact comparison (Object.is: -0 and 0 differ) of what went in and what came back. */
const roundTrip = (samples: Sample[], tagId = 7): Uint8Array => {
  const data = encodeBlock(samples);
  const back = decodeBlock(tagId, data);
  expect(back).toHaveLength(samples.length);
  back.forEach((b, i) => {
    const s = samples[i]!;
    expect(b.ts).toBe(s.ts);
    expect(b.tagId).toBe(tagId);
    expect(b.quality).toBe(s.quality >>> 0);
    if (s.text !== undefined) {
      expect(b.text).toBe(s.text);
      expect(b.value).toBeNull();
    } else {
      expect(b.text).toBeUndefined();
      expect(Object.is(b.value, s.value === null || Number.isNaN(s.value) ? null : s.value)).toBe(true);
    }
  });
  return data;
};

const series = (values: (number | null)[], step = 1000): Sample[] =>
  values.map((value, i) => ({ tagId: 7, ts: T0 + i * step, value, quality: 0 }));

describe('block codec', () => {
  it('round-trips random float64 values, subnormals and extremes bit for bit', () => {
    const rnd = seededRandom(1);
    const f = new Float64Array(1);
    const u = new Uint32Array(f.buffer);
    const values: number[] = [];
    for (let i = 0; i < 3000; i++) {
      u[0] = Math.floor(rnd() * 2 ** 32);
      u[1] = Math.floor(rnd() * 2 ** 32);
      values.push(Number.isNaN(f[0]) ? rnd() : f[0]!);
    }
    values.push(5e-324, -5e-324, 2.2250738585072014e-308, Number.MAX_VALUE, -Number.MAX_VALUE, Number.EPSILON);
    values.push(Infinity, -Infinity, -0, 0, -0, 1e-310, 123.456, 123.456, 123.457);
    roundTrip(series(values));
  });

  it('round-trips smooth float64 signals in fewer bytes than raw doubles', () => {
    const values = Array.from({ length: 3600 }, (_, i) => 50 + 10 * Math.sin(i / 300) + Math.round(i / 100) / 10);
    const data = roundTrip(series(values));
    expect(data.length).toBeLessThan(3600 * 8);
  });

  it('round-trips integers up to 2^53 and booleans compactly', () => {
    roundTrip(series([0, 1, -1, 2 ** 53 - 1, -(2 ** 53 - 1), 0, 2 ** 53 - 1, 42, 42, -7, 2 ** 40]));
    const bools = Array.from({ length: 1000 }, (_, i) => (Math.floor(i / 3) % 2 === 0 ? 0 : 1));
    const data = roundTrip(series(bools));
    // One bit per time (regular), at most 4 bits per value change: well under a byte a sample.
    expect(data.length).toBeLessThan(1000 / 2);
  });

  it('round-trips float32 values (Modbus registers) in the float32 mode', () => {
    const rnd = seededRandom(2);
    const values = Array.from({ length: 2000 }, () => Math.fround(20 + rnd() * 0.01));
    values.push(Math.fround(-0), Math.fround(1e-40), Math.fround(3.4e38), Infinity);
    const asF32 = roundTrip(series(values));
    // The same numbers, one not a float32: float64 mode, which costs more.
    const asF64 = encodeBlock(series([...values, 0.1]));
    expect(asF32.length).toBeLessThan(asF64.length);
  });

  it('round-trips texts with repeats, empty text and unicode, through a dictionary', () => {
    const words = ['BATCH-0001', 'Ümlaut Øre', '温度', '🚀 rocket', '', 'BATCH-0001'];
    const samples: Sample[] = Array.from({ length: 500 }, (_, i) => ({
      tagId: 7,
      ts: T0 + i * 1000,
      value: null,
      quality: 0,
      text: words[i % words.length]!,
    }));
    const data = roundTrip(samples);
    expect(data.length).toBeLessThan(500);
  });

  it('round-trips nulls with bad qualities, quality changes and mixed kinds', () => {
    const samples: Sample[] = [
      { tagId: 7, ts: T0, value: 1.5, quality: 0 },
      { tagId: 7, ts: T0 + 1000, value: null, quality: BAD },
      { tagId: 7, ts: T0 + 2000, value: null, quality: 0x808a0000 },
      { tagId: 7, ts: T0 + 3000, value: 2.5, quality: UNCERTAIN },
      { tagId: 7, ts: T0 + 4000, value: null, quality: 0, text: 'on' },
      { tagId: 7, ts: T0 + 5000, value: NaN, quality: BAD },
      { tagId: 7, ts: T0 + 6000, value: 3, quality: 0xffffffff },
    ];
    roundTrip(samples);
  });

  it('round-trips equal timestamps, big gaps, out-of-order times and negative times', () => {
    const ts = [T0, T0, T0 + 1, T0 + 86_400_000 * 400, T0 + 5, -1000, 0, 2 ** 49, T0 + 1000, T0 + 2000];
    roundTrip(ts.map((t, i) => ({ tagId: 7, ts: t, value: i, quality: 0 })));
  });

  it('round-trips a single sample and no sample', () => {
    roundTrip([{ tagId: 7, ts: T0, value: 0.1, quality: 0 }]);
    roundTrip([{ tagId: 7, ts: T0, value: null, quality: BAD }]);
    roundTrip([]);
  });

  it('refuses times a block cannot hold and blocks of an unknown version', () => {
    expect(() => encodeBlock([{ tagId: 7, ts: 1.5, value: 1, quality: 0 }])).toThrow(BlockCodecError);
    expect(() => encodeBlock([{ tagId: 7, ts: 2 ** 51, value: 1, quality: 0 }])).toThrow(BlockCodecError);
    expect(() => decodeBlock(7, new Uint8Array([99, 0]))).toThrow(BlockCodecError);
  });

  it('round-trips seeded random blocks mixing every kind, mode and time pattern', () => {
    const rnd = seededRandom(4242);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const f64 = new Float64Array(1);
    const u32 = new Uint32Array(f64.buffer);
    const valueMakers: (() => number)[] = [
      () => Math.floor(rnd() * 2),
      () => Math.floor((rnd() - 0.5) * 2 ** 20),
      () => Math.floor((rnd() - 0.5) * 2 ** 53),
      () => Math.fround((rnd() - 0.5) * 1e6),
      () => (rnd() - 0.5) * 10 ** Math.floor(rnd() * 40 - 20),
      () => {
        u32[0] = Math.floor(rnd() * 2 ** 32);
        u32[1] = Math.floor(rnd() * 2 ** 32);
        return f64[0]!;
      },
    ];
    const shape = (x: Sample): unknown[] => {
      const v = x.text !== undefined || x.value === null || Number.isNaN(x.value) ? null : x.value;
      return [x.ts, Object.is(v, -0) ? '-0' : v, x.quality >>> 0, x.text ?? null];
    };
    for (let b = 0; b < 300; b++) {
      const n = 1 + Math.floor(rnd() * 400);
      const makeValue = pick(valueMakers);
      const step = pick([1, 1000, 500, 60_000, 3_600_000]);
      let ts = T0 + Math.floor(rnd() * 1e9);
      const samples: Sample[] = [];
      for (let i = 0; i < n; i++) {
        ts += pick([0, step, step, step, step + Math.floor(rnd() * 50), Math.floor(rnd() * 1e10)]);
        const r = rnd();
        const quality = pick([0, 0, 0, BAD, UNCERTAIN, 0x80310000]);
        if (r < 0.05) samples.push({ tagId: 7, ts, value: null, quality });
        else if (r < 0.1) samples.push({ tagId: 7, ts, value: null, quality, text: pick(['a', 'b', 'ü', '']) });
        else samples.push({ tagId: 7, ts, value: makeValue(), quality });
      }
      const back = decodeBlock(7, encodeBlock(samples));
      expect(back.map(shape)).toEqual(samples.map(shape));
    }
  });
});
