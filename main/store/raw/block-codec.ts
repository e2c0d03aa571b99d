// A sealed block's bytes: one tag's samples, columns coded apart (times, kinds, qualities, numbers, texts).
import type { Sample } from '../../domain/sample/sample.js';
import { BitReader, BitWriter, readClassed, unzigzag, writeClassed, zigzag } from './bit-io.js';
import { readValues, writeValues } from './block-values.js';

/** First byte of every block: the layout below. */
export const BLOCK_VERSION = 1;

/** Size classes of zigzagged delta-of-delta times (ms): Gorilla's buckets, then wider ones for any gap. */
const TIME_WIDTHS = [0, 7, 9, 12, 21, 53] as const;
/** Size classes of run lengths - 1 and counts. */
const RUN_WIDTHS = [0, 4, 8, 17, 53] as const;
/** Times are kept below 2^50 ms (year 37000) so every delta-of-delta stays an exact integer once zigzagged. */
const MAX_TIME = 2 ** 50;

const KIND_NULL = 0;
const KIND_NUMBER = 1;
const KIND_TEXT = 2;

/** A sample the codec cannot hold (a time that is not a whole number of ms in range), or a damaged block. */
export class BlockCodecError extends Error {
  override readonly name = 'BlockCodecError';
}

/**
 * The store's rules, so a block reads back as rows do: a text sample has no value; NaN is stored as null (SQLite
 * stores NaN as NULL); -0 and ±Infinity keep their bits.
 */
const kindOf = (s: Sample): number =>
  s.text !== undefined ? KIND_TEXT : s.value === null || Number.isNaN(s.value) ? KIND_NULL : KIND_NUMBER;

const writeRuns = (w: BitWriter, n: number, at: (i: number) => number, width: number): void => {
  let i = 0;
  while (i < n) {
    const v = at(i);
    let j = i + 1;
    while (j < n && at(j) === v) j++;
    w.bits(v, width);
    writeClassed(w, j - i - 1, RUN_WIDTHS);
    i = j;
  }
};

const readRuns = (r: BitReader, n: number, width: number): number[] => {
  const out: number[] = [];
  while (out.length < n) {
    const v = r.bits(width);
    const run = readClassed(r, RUN_WIDTHS) + 1;
    if (out.length + run > n) throw new BlockCodecError('block runs longer than its sample count');
    for (let k = 0; k < run; k++) out.push(v);
  }
  return out;
};

const bitsFor = (size: number): number => (size <= 1 ? 0 : 32 - Math.clz32(size - 1));

/** Encodes samples (one tag's, in time order as stored) into a block. */
export const encodeBlock = (samples: readonly Sample[]): Uint8Array => {
  const w = new BitWriter();
  w.bits(BLOCK_VERSION, 8);
  const n = samples.length;
  writeClassed(w, n, RUN_WIDTHS);
  if (n === 0) return w.finish();
  // Times: the first in full, then the first delta, then deltas of deltas.
  let prev = 0;
  let prevDelta = 0;
  samples.forEach((s, i) => {
    const ts = s.ts;
    if (!Number.isInteger(ts) || Math.abs(ts) >= MAX_TIME)
      throw new BlockCodecError(`sample time ${ts} is not a whole number of ms a block can hold`);
    if (i === 0) {
      w.bits(ts < 0 ? 1 : 0, 1);
      w.wide(Math.abs(ts), 50);
    } else {
      const delta = ts - prev;
      writeClassed(w, zigzag(i === 1 ? delta : delta - prevDelta), TIME_WIDTHS);
      prevDelta = delta;
    }
    prev = ts;
  });
  const kinds = samples.map(kindOf);
  writeRuns(w, n, (i) => kinds[i] ?? KIND_NULL, 2);
  writeRuns(w, n, (i) => (samples[i]?.quality ?? 0) >>> 0, 32);
  const numbers: number[] = [];
  const texts: string[] = [];
  samples.forEach((s, i) => {
    if (kinds[i] === KIND_NUMBER) numbers.push(s.value ?? 0);
    else if (kinds[i] === KIND_TEXT) texts.push(s.text ?? '');
  });
  if (numbers.length > 0) writeValues(w, numbers);
  if (texts.length > 0) {
    // Dictionary: each distinct text once (UTF-8, as SQLite stores it), then an index per text sample.
    const dict = new Map<string, number>();
    for (const t of texts) if (!dict.has(t)) dict.set(t, dict.size);
    writeClassed(w, dict.size, RUN_WIDTHS);
    const encoder = new TextEncoder();
    for (const t of dict.keys()) {
      const bytes = encoder.encode(t);
      writeClassed(w, bytes.length, RUN_WIDTHS);
      for (const b of bytes) w.bits(b, 8);
    }
    const width = bitsFor(dict.size);
    for (const t of texts) w.bits(dict.get(t) ?? 0, width);
  }
  return w.finish();
};

/** Decodes a block back into the tag's samples, in the order they were encoded. */
export const decodeBlock = (tagId: number, data: Uint8Array): Sample[] => {
  if (data.length === 0 || data[0] !== BLOCK_VERSION)
    throw new BlockCodecError(`block of tag ${tagId} has unknown version ${data[0] ?? 'none'}`);
  const r = new BitReader(data, 1);
  const n = readClassed(r, RUN_WIDTHS);
  if (n === 0) return [];
  const times: number[] = new Array<number>(n);
  let prev = 0;
  let delta = 0;
  for (let i = 0; i < n; i++) {
    if (i === 0) {
      const neg = r.bit() === 1;
      const m = r.wide(50);
      prev = neg ? -m : m;
    } else {
      const d = unzigzag(readClassed(r, TIME_WIDTHS));
      delta = i === 1 ? d : delta + d;
      prev += delta;
    }
    times[i] = prev;
  }
  const kinds = readRuns(r, n, 2);
  const qualities = readRuns(r, n, 32);
  const numberCount = kinds.reduce((c, k) => c + (k === KIND_NUMBER ? 1 : 0), 0);
  const textCount = kinds.reduce((c, k) => c + (k === KIND_TEXT ? 1 : 0), 0);
  const numbers = numberCount > 0 ? readValues(r, numberCount) : [];
  let texts: string[] = [];
  if (textCount > 0) {
    const size = readClassed(r, RUN_WIDTHS);
    const decoder = new TextDecoder();
    const dict: string[] = [];
    for (let d = 0; d < size; d++) {
      const bytes = new Uint8Array(readClassed(r, RUN_WIDTHS));
      for (let b = 0; b < bytes.length; b++) bytes[b] = r.bits(8);
      dict.push(decoder.decode(bytes));
    }
    const width = bitsFor(size);
    texts = Array.from({ length: textCount }, () => dict[r.bits(width)] ?? '');
  }
  const out: Sample[] = new Array<Sample>(n);
  let ni = 0;
  let ti = 0;
  for (let i = 0; i < n; i++) {
    const ts = times[i] ?? 0;
    const quality = qualities[i] ?? 0;
    const kind = kinds[i];
    if (kind === KIND_NUMBER) out[i] = { tagId, ts, value: numbers[ni++] ?? null, quality };
    else if (kind === KIND_TEXT) out[i] = { tagId, ts, value: null, quality, text: texts[ti++] ?? '' };
    else out[i] = { tagId, ts, value: null, quality };
  }
  return out;
};
