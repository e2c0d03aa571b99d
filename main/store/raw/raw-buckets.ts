/** Bit 31 of an OPC UA status code: the sample is bad (same rule as the rollups and the trend queries). */
const BAD_BIT = 0x80000000;

/** The sample's quality has the bad bit set (0x80000000 and above): not usable for min, max, sum, first, last. */
export const isBad = (quality: number): boolean => (quality & BAD_BIT) !== 0;

/**
 * A running sum the way SQLite's sum() adds doubles (Kahan-Babuska-Neumaier): aggregating the decoded samples in
 * TypeScript gives the same last bits as the SQL that aggregated rows before.
 */
export class ExactSum {
  private sum = 0;
  private err = 0;
  private n = 0;

  add(x: number): void {
    const t = this.sum + x;
    this.err += Math.abs(this.sum) > Math.abs(x) ? this.sum - t + x : x - t + this.sum;
    this.sum = t;
    this.n++;
  }

  /** null when nothing was added (SQL's sum over no rows). */
  get value(): number | null {
    if (this.n === 0) return null;
    return Number.isFinite(this.err) ? this.sum + this.err : this.sum;
  }
}

/** Aggregates of one bucket of raw samples (usable ones for min, max, sum, first and last). */
export interface RawAggregate {
  /** Samples in the bucket, usable or not. */
  n: number;
  /** Usable samples. */
  count: number;
  /** Samples with the bad bit set. */
  bad: number;
  min: number | null;
  max: number | null;
  sum: number | null;
  firstTs: number | null;
  firstValue: number | null;
  lastTs: number | null;
  lastValue: number | null;
  /** Highest status code (worst quality). */
  worst: number;
  /** Time of the bucket's first and last sample, usable or not. */
  t0: number;
  t1: number;
}

/** Adds samples (time, value, quality), oldest first, into one bucket's aggregates. */
export class BucketAggregator {
  private n = 0;
  private count = 0;
  private bad = 0;
  private min: number | null = null;
  private max: number | null = null;
  private readonly sum = new ExactSum();
  private firstTs: number | null = null;
  private firstValue: number | null = null;
  private lastTs: number | null = null;
  private lastValue: number | null = null;
  private worst = 0;
  private t0 = 0;
  private t1 = 0;

  add(ts: number, value: number | null, quality: number): void {
    if (this.n === 0) {
      this.t0 = ts;
      this.worst = quality;
    }
    this.n++;
    this.t1 = ts;
    if (quality > this.worst) this.worst = quality;
    if (isBad(quality)) this.bad++;
    if (value === null || isBad(quality)) return;
    const v = value;
    this.count++;
    if (this.min === null || v < this.min) this.min = v;
    if (this.max === null || v > this.max) this.max = v;
    this.sum.add(v);
    if (this.firstTs === null) {
      this.firstTs = ts;
      this.firstValue = v;
    }
    this.lastTs = ts;
    this.lastValue = v;
  }

  get empty(): boolean {
    return this.n === 0;
  }

  result(): RawAggregate {
    return {
      n: this.n,
      count: this.count,
      bad: this.bad,
      min: this.min,
      max: this.max,
      sum: this.sum.value,
      firstTs: this.firstTs,
      firstValue: this.firstValue,
      lastTs: this.lastTs,
      lastValue: this.lastValue,
      worst: this.worst,
      t0: this.t0,
      t1: this.t1,
    };
  }
}
