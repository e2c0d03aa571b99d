/** Samples per second over a sliding window, for the status bar. */
export class RateMeter {
  private readonly points: { at: number; total: number }[] = [];
  private total = 0;

  constructor(private readonly windowMs = 5000) {}

  add(n: number): void {
    this.total += n;
  }

  /** Call about once a second; returns the rate over the window. */
  rate(now = Date.now()): number {
    this.points.push({ at: now, total: this.total });
    while (this.points.length > 2 && now - (this.points[0]?.at ?? now) > this.windowMs) this.points.shift();
    const first = this.points[0];
    if (!first || now === first.at) return 0;
    return ((this.total - first.total) * 1000) / (now - first.at);
  }
}
