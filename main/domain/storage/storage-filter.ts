import type { Sample } from '../sample/sample.js';
import { ExceptionFilter } from './exception-filter.js';
import type { ResolvedPolicy } from './storage-policy.js';
import { SwingingDoor } from './swinging-door.js';

/** What the filter needs to know of a tag. */
export interface TagFilterSpec {
  policy: ResolvedPolicy;
  /** A bool: any change is stored and it is never compressed (a line between 0 and 1 means nothing). */
  discrete: boolean;
}

/** One tag's chain: exception test, then (compression > 0, numbers only) the swinging door. */
class TagFilter {
  private readonly exception: ExceptionFilter;
  private readonly door: SwingingDoor | null;
  private readonly passed: Sample[] = [];
  /** The newest sample seen: older ones are late and bypass the filter. */
  lastTs = -Infinity;

  constructor(spec: TagFilterSpec) {
    const p = spec.policy;
    this.exception = new ExceptionFilter(p.deadband, p.maxIntervalMs, spec.discrete);
    this.door = p.compression > 0 && !spec.discrete ? new SwingingDoor(p.compression, p.maxIntervalMs) : null;
  }

  push(s: Sample, out: Sample[]): void {
    this.lastTs = s.ts;
    if (!this.door) return this.exception.push(s, out);
    this.exception.push(s, this.passed);
    this.drain(out);
  }

  flush(out: Sample[]): void {
    if (!this.door) return this.exception.flush(out);
    this.exception.flush(this.passed);
    this.drain(out);
    this.door.flush(out);
  }

  private drain(out: Sample[]): void {
    // A string tag's text is never compressed: it goes past the door (which archives around it).
    for (const p of this.passed) this.door?.push(p, out);
    this.passed.length = 0;
  }
}

/**
 * The storage filter of the sample pipeline: per tag, the policy in force decides which collected samples are
 * stored (see storage-policy.ts). Mode `every` and tags it was not told about pass everything (what was stored
 * before storage policies existed). Late samples (backfill from the device's history, or older than the tag's
 * newest) pass unfiltered: late data is never thrown away, and it must not disturb the live tag's state.
 */
export class StorageFilter {
  private readonly tags = new Map<number, TagFilter | null>();

  /** Sets a tag's policy. A tag that had one should be `remove`d first (its held points flushed). */
  set(tagId: number, spec: TagFilterSpec): void {
    this.tags.set(tagId, spec.policy.mode === 'every' ? null : new TagFilter(spec));
  }

  /** Forgets a tag; returns its held points, to be stored. */
  remove(tagId: number): Sample[] {
    const out: Sample[] = [];
    this.tags.get(tagId)?.flush(out);
    this.tags.delete(tagId);
    return out;
  }

  /** The samples of `batch` to store, in order (a held sample comes just before the one that released it). */
  filter(batch: readonly Sample[]): Sample[] {
    const out: Sample[] = [];
    for (const s of batch) {
      const tag = this.tags.get(s.tagId);
      if (!tag || s.historical || s.ts <= tag.lastTs) out.push(s);
      else tag.push(s, out);
    }
    return out;
  }

  /** Every tag's held points (shutdown): to be stored before the writer closes. The tags keep their policies. */
  flush(): Sample[] {
    const out: Sample[] = [];
    for (const tag of this.tags.values()) tag?.flush(out);
    return out;
  }

  /** Tags with a policy set (for the app's bookkeeping and tests). */
  tagIds(): number[] {
    return [...this.tags.keys()];
  }
}

/**
 * Runs a policy over one tag's samples (in time order) as the pipeline would, held points flushed at the end:
 * the samples that would be stored. Used by benchmarks and tests to measure a policy on recorded data.
 */
export const filterSamples = (
  policy: ResolvedPolicy,
  samples: readonly Sample[],
  options: { discrete?: boolean } = {},
): Sample[] => {
  const filter = new StorageFilter();
  const ids = new Set(samples.map((s) => s.tagId));
  for (const id of ids) filter.set(id, { policy, discrete: options.discrete ?? false });
  return [...filter.filter(samples), ...filter.flush()];
};
