// Reference Gorilla encoder (Pelkonen et al., "Gorilla: A Fast, Scalable, In-Memory Time Series Database", VLDB 2015,
// section 4.1), counting bits only: no container, no block boundaries. The baseline the block codec is held to.

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** One series' encoder state; add() samples in time order, then read bits. */
export class GorillaBits {
  bits = 0;
  private n = 0;
  private prevTs = 0;
  private prevDelta = 0;
  private hi = 0;
  private lo = 0;
  private lead = -1;
  private trail = 0;

  /** A sample; values are float64 (a null or text repeats the previous value: one bit, in the baseline's favour). */
  add(ts: number, value: number | null): void {
    if (value !== null) {
      f64[0] = value;
    } else {
      u32[HI] = this.hi;
      u32[1 - HI] = this.lo;
    }
    const hi = u32[HI] ?? 0;
    const lo = u32[1 - HI] ?? 0;
    if (this.n === 0) {
      // Header: the first time in full (64 bits), the first value in full (64 bits).
      this.bits += 64 + 64;
    } else {
      const delta = ts - this.prevTs;
      if (this.n === 1) this.bits += 14;
      else {
        const dod = delta - this.prevDelta;
        // '0'; '10' + 7 bits [-63, 64]; '110' + 9 bits [-255, 256]; '1110' + 12 bits [-2047, 2048]; '1111' + 32 bits.
        if (dod === 0) this.bits += 1;
        else if (dod >= -63 && dod <= 64) this.bits += 2 + 7;
        else if (dod >= -255 && dod <= 256) this.bits += 3 + 9;
        else if (dod >= -2047 && dod <= 2048) this.bits += 4 + 12;
        else this.bits += 4 + 32;
      }
      this.prevDelta = delta;
      const xh = (hi ^ this.hi) >>> 0;
      const xl = (lo ^ this.lo) >>> 0;
      if (xh === 0 && xl === 0) this.bits += 1;
      else {
        const lead = Math.min(31, xh !== 0 ? Math.clz32(xh) : 32 + Math.clz32(xl));
        const trail = xl !== 0 ? 31 - Math.clz32(xl & -xl) : 32 + 31 - Math.clz32(xh & -xh);
        if (this.lead >= 0 && lead >= this.lead && trail >= this.trail) this.bits += 2 + (64 - this.lead - this.trail);
        else {
          this.lead = lead;
          this.trail = trail;
          this.bits += 2 + 5 + 6 + (64 - lead - trail);
        }
      }
    }
    this.prevTs = ts;
    this.hi = hi;
    this.lo = lo;
    this.n++;
  }
}

/** Gorilla series per tag, fed sample by sample. */
export class GorillaReference {
  private readonly series = new Map<number, GorillaBits>();

  add(tagId: number, ts: number, value: number | null): void {
    let s = this.series.get(tagId);
    if (!s) {
      s = new GorillaBits();
      this.series.set(tagId, s);
    }
    s.add(ts, value);
  }

  /** Bytes all series take. */
  bytes(): number {
    let bits = 0;
    for (const s of this.series.values()) bits += s.bits;
    return bits / 8;
  }
}
