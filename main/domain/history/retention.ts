import { z } from 'zod';

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
