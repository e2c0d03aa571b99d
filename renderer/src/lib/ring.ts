/**
 * Columnar ring buffer of one tag's samples: timestamps, values (NaN = no value) and status codes
 * in typed arrays. Grows by doubling up to `capacity`, then overwrites the oldest sample.
 * Samples are kept in timestamp order; a sample older than the newest is dropped (the chart is a
 * time series; history queries serve the past).
 */
export class SampleRing {
  private ts: Float64Array;
  private val: Float64Array;
  private q: Uint32Array;
  private head = 0; // index of the oldest sample
  private len = 0;

  constructor(
    readonly capacity = 20_000,
    initial = 256,
  ) {
    const n = Math.min(initial, capacity);
    this.ts = new Float64Array(n);
    this.val = new Float64Array(n);
    this.q = new Uint32Array(n);
  }

  get length(): number {
    return this.len;
  }

  get newestTs(): number {
    return this.len === 0 ? -Infinity : this.tsAt(this.len - 1);
  }

  get oldestTs(): number {
    return this.len === 0 ? Infinity : this.tsAt(0);
  }

  private idx(i: number): number {
    return (this.head + i) % this.ts.length;
  }

  tsAt(i: number): number {
    return this.ts[this.idx(i)]!;
  }

  private grow(): void {
    const n = Math.min(this.capacity, this.ts.length * 2);
    if (n === this.ts.length) return;
    const ts = new Float64Array(n);
    const val = new Float64Array(n);
    const q = new Uint32Array(n);
    for (let i = 0; i < this.len; i++) {
      const j = this.idx(i);
      ts[i] = this.ts[j]!;
      val[i] = this.val[j]!;
      q[i] = this.q[j]!;
    }
    this.ts = ts;
    this.val = val;
    this.q = q;
    this.head = 0;
  }

  push(ts: number, value: number | null, quality: number): boolean {
    if (this.len > 0 && ts <= this.newestTs) return false;
    if (this.len === this.ts.length) this.grow();
    if (this.len === this.ts.length) {
      // full at capacity: overwrite the oldest
      const j = this.head;
      this.ts[j] = ts;
      this.val[j] = value ?? NaN;
      this.q[j] = quality >>> 0;
      this.head = (this.head + 1) % this.ts.length;
      return true;
    }
    const j = this.idx(this.len);
    this.ts[j] = ts;
    this.val[j] = value ?? NaN;
    this.q[j] = quality >>> 0;
    this.len++;
    return true;
  }

  /** Puts older samples (ascending) in front of what is held; those not older than the oldest are skipped. */
  prepend(ts: ArrayLike<number>, values: ArrayLike<number | null>, quality: ArrayLike<number>): void {
    const limit = this.oldestTs;
    let n = 0;
    while (n < ts.length && ts[n]! < limit) n++;
    if (n === 0) return;
    const keep = Math.min(n, this.capacity - this.len);
    if (keep <= 0) return;
    const start = n - keep;
    const total = keep + this.len;
    let size = this.ts.length;
    while (size < total && size < this.capacity) size = Math.min(this.capacity, size * 2);
    const nts = new Float64Array(size);
    const nval = new Float64Array(size);
    const nq = new Uint32Array(size);
    for (let i = 0; i < keep; i++) {
      nts[i] = ts[start + i]!;
      nval[i] = values[start + i] ?? NaN;
      nq[i] = quality[start + i]! >>> 0;
    }
    for (let i = 0; i < this.len; i++) {
      const j = this.idx(i);
      nts[keep + i] = this.ts[j]!;
      nval[keep + i] = this.val[j]!;
      nq[keep + i] = this.q[j]!;
    }
    this.ts = nts;
    this.val = nval;
    this.q = nq;
    this.head = 0;
    this.len = total;
  }

  /** First index with ts >= t (binary search over the logical order). */
  private lowerBound(t: number): number {
    let lo = 0;
    let hi = this.len;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.tsAt(mid) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Samples with from <= ts <= to, plus one sample either side so lines reach the chart edges.
   * Timestamps in seconds (uPlot's unit), values with null for no value or bad quality.
   */
  slice(from: number, to: number): [number[], (number | null)[]] {
    const a = Math.max(0, this.lowerBound(from) - 1);
    const b = Math.min(this.len, this.lowerBound(to) + 1);
    const xs: number[] = new Array<number>(Math.max(0, b - a));
    const ys: (number | null)[] = new Array<number | null>(Math.max(0, b - a));
    for (let i = a; i < b; i++) {
      const j = this.idx(i);
      const v = this.val[j]!;
      xs[i - a] = this.ts[j]! / 1000;
      ys[i - a] = Number.isNaN(v) || this.q[j]! >>> 30 >= 2 ? null : v;
    }
    return [xs, ys];
  }
  /** Samples with from < ts <= to as epoch ms, values (null: no value or bad quality) and status codes. */
  sliceRaw(from: number, to: number): { ts: number[]; values: (number | null)[]; quality: number[] } {
    let a = this.lowerBound(from);
    while (a < this.len && this.tsAt(a) <= from) a++;
    const b = Math.min(this.len, this.lowerBound(to + 1));
    const ts: number[] = [];
    const values: (number | null)[] = [];
    const quality: number[] = [];
    for (let i = a; i < b; i++) {
      const j = this.idx(i);
      const v = this.val[j]!;
      ts.push(this.ts[j]!);
      values.push(Number.isNaN(v) || this.q[j]! >>> 30 >= 2 ? null : v);
      quality.push(this.q[j]!);
    }
    return { ts, values, quality };
  }
}
