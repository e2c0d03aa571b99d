/** mulberry32: a tiny seeded PRNG. Returns floats in [0, 1); the same seed gives the same sequence. */
export const seededRandom = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/**
 * Small seeded PRNG (mulberry32, with helpers): the demo plant must replay identically for a given seed so tests
 * and bug reports are reproducible. Not for anything security related.
 */
export class Prng {
  private readonly random: () => number;
  private spare: number | null = null;

  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.random();
  }

  /** Uniform in [min, max). */
  range(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Standard normal (Box-Muller, caching the second value). */
  gauss(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    const u = Math.max(this.next(), 1e-12);
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** True with the probability of at least one Poisson event at `perHour` in `dtS` seconds. */
  chance(perHour: number, dtS: number): boolean {
    return this.next() < 1 - Math.exp((-perHour * dtS) / 3600);
  }
}
