import type { Sample } from '../sample/sample.js';

/** A sample's value for comparison: a number, or null (no value: bad quality, or a string tag's text). */
const sameValue = (a: Sample, b: Sample): boolean => a.value === b.value && a.text === b.text;

/**
 * PI-style exception test for one tag. A collected sample is stored when its value differs from the last stored
 * one by more than the deadband (0: any change; a bool, a text or a missing value: any change), when the quality
 * changed, or when `maxIntervalMs` passed since the last stored sample. The last collected sample not stored is
 * held: when a change is stored, the held one is stored first, so the stored trend steps where the collected one
 * did (a flat line, then the step) instead of ramping across the time nothing was stored.
 *
 * Samples must come in time order: the caller (storage-filter.ts) lets late ones bypass the filter.
 */
export class ExceptionFilter {
  private lastStored: Sample | null = null;
  private held: Sample | null = null;

  constructor(
    /** Engineering units; 0 = store every change (lossless). */
    private readonly deadband: number,
    private readonly maxIntervalMs: number,
    /** Bools: any change counts, whatever the deadband (a deadband of 1 would hide every switch). */
    private readonly discrete: boolean,
  ) {}

  /** Appends to `out` what `s` makes stored: nothing, `s`, or the held sample then `s`. */
  push(s: Sample, out: Sample[]): void {
    const last = this.lastStored;
    if (last === null) return this.store(s, out);
    if (s.quality !== last.quality || this.changed(s, last)) {
      if (this.held) out.push(this.held);
      return this.store(s, out);
    }
    if (s.ts - last.ts >= this.maxIntervalMs) return this.store(s, out);
    this.held = s;
  }

  /** Stores the held sample, if any (shutdown, a policy change, a removed tag): the last collected one is kept. */
  flush(out: Sample[]): void {
    if (this.held) this.store(this.held, out);
  }

  private changed(s: Sample, last: Sample): boolean {
    if (s.value === null || last.value === null || this.discrete || s.text !== undefined) return !sameValue(s, last);
    return this.deadband > 0 ? Math.abs(s.value - last.value) > this.deadband : s.value !== last.value;
  }

  private store(s: Sample, out: Sample[]): void {
    out.push(s);
    this.lastStored = s;
    this.held = null;
  }
}
