import type { Sample } from '../sample/sample.js';

type NumericSample = Sample & { value: number };
const numeric = (s: Sample): s is NumericSample => s.value !== null && s.text === undefined;

/**
 * Swinging-door compression for one numeric tag, as in PI's archive: from the last archived point A, a sample N
 * may replace the held snapshot S as long as the straight line from A to N passes within `deviation` of every
 * sample since A. The doors are the slopes that line may take: each sample P narrows them to
 * [(P - deviation - A) / dt, (P + deviation - A) / dt]. When N's slope falls outside, S is archived and becomes A.
 * So linear interpolation between archived points never misses a sample by more than `deviation`.
 *
 * Also archived: a sample `maxIntervalMs` or more after A (a flat line still shows the device alive), and at a
 * quality change or a sample without a number both the held one and the new one (no line is drawn across them).
 * Samples must come in time order (storage-filter.ts lets late ones bypass).
 */
export class SwingingDoor {
  private archived: NumericSample | null = null;
  /** Always a number of the archived point's quality (anything else is archived at once). */
  private held: NumericSample | null = null;
  private low = -Infinity;
  private high = Infinity;

  constructor(
    /** Engineering units, > 0. */
    private readonly deviation: number,
    private readonly maxIntervalMs: number,
  ) {}

  /** Appends to `out` the points `s` makes archived (in time order). */
  push(s: Sample, out: Sample[]): void {
    const a = this.archived;
    if (a === null || !numeric(s) || s.quality !== a.quality) {
      if (this.held) out.push(this.held);
      return this.archive(s, out);
    }
    // Outside the doors: the line from A to s would miss a sample since A; the held point is where it ends.
    const slope = (s.value - a.value) / (s.ts - a.ts);
    let from = a;
    if (this.held && (slope < this.low || slope > this.high)) {
      from = this.held;
      this.archive(this.held, out);
    }
    const dt = s.ts - from.ts;
    if (dt >= this.maxIntervalMs) return this.archive(s, out);
    this.low = Math.max(this.low, (s.value - this.deviation - from.value) / dt);
    this.high = Math.min(this.high, (s.value + this.deviation - from.value) / dt);
    this.held = s;
  }

  /** Archives the held snapshot, if any. */
  flush(out: Sample[]): void {
    if (this.held) this.archive(this.held, out);
  }

  private archive(s: Sample, out: Sample[]): void {
    out.push(s);
    // A sample without a number cannot anchor a line: the next number is archived as it comes.
    this.archived = numeric(s) ? s : null;
    this.held = null;
    this.low = -Infinity;
    this.high = Infinity;
  }
}
