import { z } from 'zod';

/** The trends and history part of the renderer contract (spread into `calls` in contract.ts). */

const id = z.number().int().positive();
const epochMs = z.number().int().nonnegative();

/** Where a series' points come from: raw samples, or the per-minute / per-hour rollups. */
export const resolutions = ['raw', '1m', '1h'] as const;
export type Resolution = (typeof resolutions)[number];
export const resolutionMs: Record<Resolution, number> = { raw: 0, '1m': 60_000, '1h': 3_600_000 };

/** OPC UA BadNoData: the quality of a gap marker (a point inserted where nothing was stored). */
export const GAP_QUALITY = 0x809b0000;

/** One tag's history over a range. */
export interface TrendSeries {
  tagId: number;
  /** The store tier that answered: the coarsest one with at least one bucket per pixel. */
  resolution: Resolution;
  /** Width of each output bucket in ms when reduced (min/max/avg per bucket); null: one point per raw sample. */
  bucketMs: number | null;
  /** Epoch ms, ascending: sample time, or bucket start when reduced. */
  ts: number[];
  /**
   * The sample's value, or the bucket's average of usable (good or uncertain) samples. Null is a gap: a
   * bad-quality sample, a bucket with no usable sample, or a marker inserted where nothing was stored.
   */
  values: (number | null)[];
  /** Envelope per bucket when reduced (so spikes survive zooming out); null when not reduced. */
  min: (number | null)[] | null;
  max: (number | null)[] | null;
  /** Status code per point: the sample's, or the worst in the bucket; GAP_QUALITY for gap markers. */
  quality: number[];
  /** Samples aggregated per bucket when reduced; null when not reduced. */
  count: number[] | null;
  /**
   * Points with ts < cloudUntil are older history not from the local store: from TwinEdge (GET /telemetry,
   * aggregated) or from the device's own OPC UA server (HistoryRead); `fillSource` says which. Null when none are.
   */
  cloudUntil: number | null;
  /** Width of those buckets (TwinEdge's interval when coarser than the chart's); null when none or raw values. */
  cloudBucketMs: number | null;
  /** Where the points before cloudUntil come from; null when none do. */
  fillSource: HistoryFillSource | null;
  /** Why older data could not be filled from TwinEdge (offline, no key, device not linked); null otherwise. */
  cloudNote: string | null;
  /** Why older data could not be filled from the device's server (not connected, no HistoryRead access); null otherwise. */
  serverNote: string | null;
}

/** Sources of history older than the local store: TwinEdge, or the OPC UA server's own history. */
export type HistoryFillSource = 'twinedge' | 'server';

export interface TrendResult {
  from: number;
  to: number;
  series: TrendSeries[];
  /** Oldest raw sample and oldest rollup still stored (over the asked tags); null when none. */
  oldestRaw: number | null;
  oldestRollup: number | null;
}

export const TrendQuery = z
  .object({
    tagIds: z.array(id).min(1).max(50, 'at most 50 tags on one chart'),
    from: epochMs,
    to: epochMs,
    /** Chart width: the query returns at most about this many buckets per series. */
    pixels: z.number().int().min(10).max(8000).default(1000),
    /** Fill the part of the range older than local history from TwinEdge, when online. */
    cloud: z.boolean().default(false),
    /** Fill it from the device's own OPC UA server (HistoryRead) where its nodes keep history; TwinEdge after it. */
    server: z.boolean().default(false),
  })
  .strict()
  .refine((q) => q.from < q.to, { message: 'the start must be before the end', path: ['from'] });

export const ExportQuery = z
  .object({
    tagIds: z.array(id).min(1).max(50),
    from: epochMs,
    to: epochMs,
    /** raw: every stored sample; 1m / 1h: one row per bucket with min, max, avg, count. */
    resolution: z.enum(resolutions).default('raw'),
  })
  .strict()
  .refine((q) => q.from < q.to, { message: 'the start must be before the end', path: ['from'] });

export interface CsvExport {
  filename: string;
  csv: string;
  rows: number;
  resolution: Resolution;
}

// ---- retention -------------------------------------------------------------------------------

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

// ---- saved trend views -------------------------------------------------------------------------

export const TrendRange = z.discriminatedUnion('kind', [
  /** The last N minutes, following live data when `follow` is set. */
  z
    .object({
      kind: z.literal('relative'),
      minutes: z
        .number()
        .int()
        .min(1)
        .max(10 * 366 * 24 * 60),
    })
    .strict(),
  z
    .object({ kind: z.literal('absolute'), from: epochMs, to: epochMs })
    .strict()
    .refine((r) => r.from < r.to, { message: 'the start must be before the end', path: ['from'] }),
]);
export type TrendRange = z.infer<typeof TrendRange>;

/** One y-axis per engineering unit; min/max null means auto-scale. */
export const AxisSetting = z
  .object({
    unit: z.string().max(40),
    min: z.number().finite().nullable(),
    max: z.number().finite().nullable(),
  })
  .strict()
  // An inverted or empty range draws series upside down or flat, with no ticks.
  .refine((a) => a.min === null || a.max === null || a.min < a.max, {
    message: 'the axis minimum must be below its maximum',
    path: ['min'],
  });
export type AxisSetting = z.infer<typeof AxisSetting>;

export const TrendViewInput = z
  .object({
    /** Absent: a new view. */
    id: id.optional(),
    name: z.string().trim().min(1, 'give the view a name').max(100),
    tagIds: z.array(id).min(1, 'pick at least one tag').max(50),
    axes: z.array(AxisSetting).max(50),
    range: TrendRange,
    follow: z.boolean(),
    /** Tags hidden with the legend toggles. */
    hiddenTagIds: z.array(id).max(50).default([]),
  })
  .strict();
export type TrendViewInput = z.input<typeof TrendViewInput>;

export interface TrendView {
  id: number;
  name: string;
  tagIds: number[];
  axes: AxisSetting[];
  range: TrendRange;
  follow: boolean;
  hiddenTagIds: number[];
  /** The TwinEdge dashboard this view was saved as or opened from. */
  dashboardId: string | null;
  createdAt: number;
  updatedAt: number;
}

export const ViewIdInput = z.object({ id }).strict();
export const DashboardIdInput = z.object({ dashboardId: z.string().min(1).max(200) }).strict();

export interface DashboardImport {
  view: TrendView;
  /** Dashboard series with no local tag (other sites, deleted tags): left out, named here. */
  missing: string[];
}

// ---- ML predictions overlay --------------------------------------------------------------------

export const PredictionsOverlayQuery = z
  .object({ tagIds: z.array(id).min(1).max(50), from: epochMs, to: epochMs })
  .strict()
  .refine((q) => q.from < q.to, { message: 'the start must be before the end', path: ['from'] });

export interface PredictionOverlay {
  tagId: number;
  modelId: string;
  /** Device-wide predictions (no tag name in TwinEdge) are overlaid on each of the device's tags. */
  deviceWide: boolean;
  points: { ts: number; score: number; predicted: number | null; anomaly: boolean }[];
}

export interface PredictionsResult {
  overlays: PredictionOverlay[];
  /** Why predictions are not shown (no key, offline, device not linked); null when they are. */
  note: string | null;
}
