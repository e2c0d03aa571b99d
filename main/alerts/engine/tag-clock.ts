/**
 * The sample clock of one tag: the newest source timestamp among its samples and the wall time when that sample
 * was seen. Kept per tag (not per engine) because devices' clocks differ. Survives setRules.
 */
export class TagClock {
  ts = -Infinity;
  wall = 0;
  /**
   * The earliest moment (sample time) a delay of a rule on this tag may run out: a sample at or after it settles
   * the tag's waiting rules. May be earlier than the real one (a wait cancelled since), never later.
   */
  nextDue = Infinity;

  seen(ts: number, wall: number): void {
    if (ts > this.ts) {
      this.ts = ts;
      this.wall = wall;
    }
  }
}
