// Bit-level writer and reader for the block codec: most-significant bit first, values up to 53 bits wide.

const TWO32 = 2 ** 32;

/** Appends bits to a growing byte buffer. */
export class BitWriter {
  private buf = new Uint8Array(256);
  private len = 0;
  /** Pending bits (fewer than 8 between calls), right-aligned, and how many. */
  private cur = 0;
  private used = 0;

  /** Writes the low `n` bits of `v` (0 <= n <= 32; v an unsigned integer below 2^n). */
  bits(v: number, n: number): void {
    if (n > 24) {
      // The accumulator holds fewer than 8 pending bits: 24 more still fit in 31 bits.
      this.bits(Math.floor(v / 65536), n - 16);
      v &= 0xffff;
      n = 16;
    }
    this.cur = (this.cur << n) | v;
    this.used += n;
    while (this.used >= 8) {
      this.used -= 8;
      this.pushByte((this.cur >>> this.used) & 0xff);
    }
    this.cur &= (1 << this.used) - 1;
  }

  /** Writes an unsigned integer below 2^n, n up to 53. */
  wide(v: number, n: number): void {
    if (n <= 32) {
      this.bits(v, n);
      return;
    }
    const hi = Math.floor(v / TWO32);
    this.bits(hi, n - 32);
    this.bits(v - hi * TWO32, 32);
  }

  /** Bits written so far. */
  get bitLength(): number {
    return this.len * 8 + this.used;
  }

  /** Appends everything another writer holds (its bits, not padded). */
  append(other: BitWriter): void {
    for (let i = 0; i < other.len; i++) this.bits(other.buf[i] ?? 0, 8);
    if (other.used > 0) this.bits(other.cur, other.used);
  }

  /** The bytes, the last one zero-padded. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.len + (this.used > 0 ? 1 : 0));
    out.set(this.buf.subarray(0, this.len));
    if (this.used > 0) out[this.len] = this.cur << (8 - this.used);
    return out;
  }

  private pushByte(b: number): void {
    if (this.len === this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.len++] = b;
  }
}

/** Thrown when a block ends before the bits its header promises (a damaged block). */
export class BitStreamEndError extends Error {
  override readonly name = 'BitStreamEndError';
}

/** Reads what a BitWriter wrote. */
export class BitReader {
  private pos: number;
  private readonly limit: number;

  /** `startByte`: where the bit stream starts in `data`. */
  constructor(
    private readonly data: Uint8Array,
    startByte = 0,
  ) {
    this.pos = startByte * 8;
    this.limit = data.length * 8;
  }

  /** Reads `n` bits (0 <= n <= 32) as an unsigned integer. */
  bits(n: number): number {
    if (n > 24) {
      const hi = this.bits(n - 16);
      return hi * 65536 + this.bits(16);
    }
    if (n === 0) return 0;
    const pos = this.pos;
    if (pos + n > this.limit) throw new BitStreamEndError('block data ends early');
    const d = this.data;
    const i = pos >>> 3;
    // A 32-bit window from the byte holding the first bit: offset (< 8) + n (<= 24) bits fit in it.
    const word = ((d[i] ?? 0) << 24) | ((d[i + 1] ?? 0) << 16) | ((d[i + 2] ?? 0) << 8) | (d[i + 3] ?? 0);
    this.pos = pos + n;
    return (word << (pos & 7)) >>> (32 - n);
  }

  /** Reads an unsigned integer of up to 53 bits. */
  wide(n: number): number {
    if (n <= 32) return this.bits(n);
    const hi = this.bits(n - 32);
    return hi * TWO32 + this.bits(32);
  }

  bit(): number {
    const pos = this.pos;
    if (pos >= this.limit) throw new BitStreamEndError('block data ends early');
    this.pos = pos + 1;
    return ((this.data[pos >>> 3] ?? 0) >>> (7 - (pos & 7))) & 1;
  }
}

/**
 * Unsigned integers in size classes: class k is written as k one-bits, a zero (not after the last class), then the
 * value in widths[k] bits. Small values cost few bits; any value below 2^(last width) fits.
 */
export const writeClassed = (w: BitWriter, v: number, widths: readonly number[]): void => {
  const last = widths.length - 1;
  for (let k = 0; k <= last; k++) {
    const width = widths[k] ?? 53;
    if (k === last || v < 2 ** width) {
      if (k > 0) w.bits(k === last ? (1 << k) - 1 : ((1 << k) - 1) << 1, k === last ? k : k + 1);
      else w.bits(0, 1);
      w.wide(v, width);
      return;
    }
  }
};

export const readClassed = (r: BitReader, widths: readonly number[]): number => {
  const last = widths.length - 1;
  let k = 0;
  while (k < last && r.bit() === 1) k++;
  return r.wide(widths[k] ?? 53);
};

/** Signed to unsigned, small magnitudes small (exact for |v| < 2^52). */
export const zigzag = (v: number): number => (v >= 0 ? 2 * v : -2 * v - 1);
export const unzigzag = (z: number): number => (z % 2 === 0 ? z / 2 : -(z + 1) / 2);
