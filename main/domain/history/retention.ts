import { z } from 'zod';
import type { RawClass } from './raw-class.js';

// How long raw samples and rollups are kept, and what the store's cap holds.

export interface RetentionSettings {
  /** Raw samples older than this are deleted. */
  rawDays: number;
  /** Rollups older than this are deleted (at least rawDays). */
  rollupDays: number;
  /** Total size cap for the store: beyond it the oldest raw samples go first, then the oldest rollups. */
  maxBytes: number;
  /** Alarm history (raised, cleared, acknowledged, shelved) older than this is deleted. */
  alarmEventDays: number;
}

export const RetentionInput = z
  .object({
    rawDays: z.number().int().min(1).max(3650),
    rollupDays: z.number().int().min(1).max(36500),
    maxBytes: z
      .number()
      .int()
      .min(64 * 1024 * 1024, 'at least 64 MiB'),
    alarmEventDays: z.number().int().min(1).max(36500),
  })
  .partial()
  .strict();

/** Measured cost of one class of tag's raw samples, as rows (recent, late) and as sealed blocks. */
export interface RawClassCost {
  class: RawClass;
  /** Tags of this class holding raw samples. */
  tags: number;
  rowSamples: number;
  blockSamples: number;
  /** The table's pages shared out per sample (rows by their record size, blocks by their encoded size); null: none. */
  rowBytesPerSample: number | null;
  blockBytesPerSample: number | null;
  /** Samples of this class stored in the last hour, times 24. */
  samplesPerDay: number;
}

/** What the store holds and costs, for the retention settings. */
export interface RetentionStatus {
  settings: RetentionSettings;
  /** Pages in use (what the cap is measured against) and the file size (database plus log). */
  usedBytes: number;
  fileBytes: number;
  rawSamples: number;
  rollupRows: Record<'1m' | '1h', number>;
  /** Large stores are counted from the hourly rollups (counting rows would stall ingest): figures are close, not exact. */
  countsApproximate: boolean;
  oldestRaw: number | null;
  oldestRollup: number | null;
  /** Alarm history entries kept, and the oldest one's time. */
  alarmEvents: number;
  oldestAlarmEvent: number | null;
  /** Measured disk cost per raw sample and per rollup row (indexes included); null until measurable. */
  bytesPerSample: number | null;
  bytesPerRollupRow: number | null;
  /** Raw samples stored per day at the recent ingest rate, and tags recording. */
  samplesPerDay: number;
  /**
   * Per class of tag (only classes with samples). Empty on a store too large to measure per class (walking every
   * row would stall ingest): then bytesPerSample is the only figure.
   */
  rawClasses: RawClassCost[];
  tags: number;
  lastRun: {
    at: number;
    deletedSamples: number;
    deletedRollups: number;
    deletedAlarmEvents: number;
    durationMs: number;
    /** True when the size cap (not the age limits) made it delete. */
    capReached: boolean;
  } | null;
}

/** Expected disk use for a retention choice at the measured rates (shown next to each setting). */
export function estimateRetention(
  s: RetentionSettings,
  st: Pick<RetentionStatus, 'bytesPerSample' | 'bytesPerRollupRow' | 'samplesPerDay' | 'tags'>,
): { rawBytes: number; rollupBytes: number; totalBytes: number; fitsCap: boolean } {
  const rawBytes = Math.round(st.samplesPerDay * s.rawDays * (st.bytesPerSample ?? 40));
  // Per tag and day: 1,440 minute rows and 24 hour rows.
  const rollupBytes = Math.round(st.tags * s.rollupDays * (1440 + 24) * (st.bytesPerRollupRow ?? 80));
  const totalBytes = rawBytes + rollupBytes;
  return { rawBytes, rollupBytes, totalBytes, fitsCap: totalBytes <= s.maxBytes };
}

/** The cost per sample that new samples will settle at: sealed blocks once the class has some, else rows. */
export const settledBytesPerSample = (c: RawClassCost): number | null => c.blockBytesPerSample ?? c.rowBytesPerSample;

/**
 * Days of raw data (with their rollups, kept at least as long) a size cap holds at the recent rate; null when
 * nothing is being stored. Per class at its measured cost, else the store-wide figure (40 bytes before any).
 */
export function capDays(
  maxBytes: number,
  st: Pick<RetentionStatus, 'bytesPerSample' | 'bytesPerRollupRow' | 'samplesPerDay' | 'tags' | 'rawClasses'>,
): number | null {
  if (st.samplesPerDay <= 0) return null;
  const fallback = st.bytesPerSample ?? 40;
  const classed = st.rawClasses.reduce((n, c) => n + c.samplesPerDay, 0);
  const rawPerDay =
    st.rawClasses.reduce((b, c) => b + c.samplesPerDay * (settledBytesPerSample(c) ?? fallback), 0) +
    Math.max(0, st.samplesPerDay - classed) * fallback;
  const rollupPerDay = st.tags * (1440 + 24) * (st.bytesPerRollupRow ?? 80);
  return maxBytes / (rawPerDay + rollupPerDay);
}
