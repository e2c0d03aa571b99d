// The tiers history is read from: raw samples, or the per-minute and per-hour rollups.

/** Where a series' points come from: raw samples, or the per-minute / per-hour rollups. */
export const resolutions = ['raw', '1m', '1h'] as const;

export type Resolution = (typeof resolutions)[number];

export const resolutionMs: Record<Resolution, number> = { raw: 0, '1m': 60_000, '1h': 3_600_000 };

/** OPC UA BadNoData: the quality of a gap marker (a point inserted where nothing was stored). */
export const GAP_QUALITY = 0x809b0000;
