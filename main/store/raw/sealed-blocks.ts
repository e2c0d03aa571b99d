import type { Sample } from '../../domain/sample/sample.js';
import type { Db } from '../database.js';

/**
 * A tag's older raw samples, sealed into compact blocks (table sample_blocks, migration 10). Only raw-samples.ts
 * uses this; everything else reads raw samples through it.
 *
 * SCAFFOLD (issue 19, being built): the real codec-backed implementation replaces this file. Until then no block is
 * ever written, so an empty answer is the correct one.
 */
export class SealedBlocks {
  constructor(private readonly db: Db) {}

  /** Samples of a tag in [from, to] held in blocks, oldest first, at most `limit`. */
  range(_tagId: number, _from: number, _to: number, _limit: number): Sample[] {
    void this.db;
    return [];
  }

  /** Samples of a tag in [from, to] held in blocks, newest first, at most `limit` (for latest values). */
  rangeDesc(_tagId: number, _from: number, _to: number, _limit: number): Sample[] {
    return [];
  }

  /** True when a sample of this tag at exactly `ts` is held in a block (duplicate detection on insert). */
  has(_tagId: number, _ts: number): boolean {
    return false;
  }

  /** The newest time any block of this tag covers, or null: samples after it cannot be in a block. */
  sealedUntil(_tagId: number): number | null {
    return null;
  }

  /** Time of the tag's oldest sample held in a block, or null. */
  oldest(_tagId: number): number | null {
    return null;
  }

  /** Samples held in blocks (all tags). */
  count(): number {
    return 0;
  }

  /** Deletes blocks that end before `cutoff`, at most `limit` blocks; returns the samples they held. */
  deleteBefore(_cutoff: number, _limit: number): number {
    return 0;
  }

  /** Deletes at most `limit` blocks of this tag; returns the samples they held. */
  deleteTag(_tagId: number, _limit: number): number {
    return 0;
  }
}
