/**
 * The recent samples of one tag for one window length, as a growable ring buffer (two typed arrays, no per-sample
 * allocation once it has grown to the tag's rate). Times are the samples' source timestamps; a sample older than
 * the newest one already kept is ignored (out of order). Shared by every rate condition on the same (tag, window).
 */
export class RateWindow {
  private ts: Float64Array;
  private values: Float64Array;
  private head = 0; // index of the oldest sample
  private size = 0;

  constructor(
    readonly tagId: number,
    readonly windowMs: number,
    capacity = 16,
  ) {
    this.ts = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
  }

  get count(): number {
    return this.size;
  }

  push(ts: number, value: number): void {
    const cap = this.ts.length;
    if (this.size > 0) {
      const newest = (this.head + this.size - 1) % cap;
      if (ts < this.ts[newest]!) return;
    }
    // Drop what fell out of the window [ts − windowMs, ts].
    const from = ts - this.windowMs;
    while (this.size > 0 && this.ts[this.head]! < from) {
      this.head = (this.head + 1) % cap;
      this.size--;
    }
    if (this.size === cap) this.grow();
    const at = (this.head + this.size) % this.ts.length;
    this.ts[at] = ts;
    this.values[at] = value;
    this.size++;
  }

  /** Change per minute from the oldest to the newest sample in the window; NaN with fewer than two samples. */
  perMinute(): number {
    if (this.size < 2) return NaN;
    const cap = this.ts.length;
    const newest = (this.head + this.size - 1) % cap;
    const dt = this.ts[newest]! - this.ts[this.head]!;
    if (dt <= 0) return NaN;
    return ((this.values[newest]! - this.values[this.head]!) * 60_000) / dt;
  }

  private grow(): void {
    const cap = this.ts.length;
    const ts = new Float64Array(cap * 2);
    const values = new Float64Array(cap * 2);
    for (let i = 0; i < this.size; i++) {
      ts[i] = this.ts[(this.head + i) % cap]!;
      values[i] = this.values[(this.head + i) % cap]!;
    }
    this.ts = ts;
    this.values = values;
    this.head = 0;
  }
}
