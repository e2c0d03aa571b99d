import { z } from 'zod';

/**
 * How a tag's collected samples are stored (exception, then optional compression, as in PI):
 * - `every`: every collected sample (what devices stored before storage policies existed);
 * - `change`: a sample is stored when it differs from the last stored one by more than `deadband` (0 = any change:
 *   lossless), when `maxIntervalS` passed since the last stored sample (a flat line still proves the device alive),
 *   and whenever the quality changes. The sample held just before a stored change is stored with it, so the stored
 *   trend steps where the collected one stepped.
 * `compression` (> 0, `change` only) adds a swinging door: stored points are dropped as long as the straight line
 * between the points kept stays within `compression` of every sample collected in between. Lossy: the UI says so.
 * `band` says what `deadband` and `compression` are in: engineering units, or percent of the tag's span.
 */
export const storageModes = ['every', 'change'] as const;
export const storageBands = ['absolute', 'percent'] as const;
export type StorageMode = (typeof storageModes)[number];
export type StorageBand = (typeof storageBands)[number];

export const StoragePolicy = z
  .object({
    mode: z.enum(storageModes).default('change'),
    deadband: z.number().finite().min(0, 'a deadband is 0 or more').default(0),
    band: z.enum(storageBands).default('absolute'),
    /** Stored anyway after this long without a stored sample (PI's ExcMax). */
    maxIntervalS: z.number().int().min(1, 'at least 1 s').max(86_400, 'at most 86400 s (a day)').default(600),
    /** Swinging-door deviation; 0 = off (lossless). */
    compression: z.number().finite().min(0, 'a compression deviation is 0 or more').default(0),
  })
  .superRefine((p, ctx) => {
    if (p.band === 'percent' && p.deadband > 100) {
      ctx.addIssue({ code: 'custom', message: 'a percent deadband is 0 to 100', path: ['deadband'] });
    }
    if (p.band === 'percent' && p.compression > 100) {
      ctx.addIssue({ code: 'custom', message: 'a percent deviation is 0 to 100', path: ['compression'] });
    }
    if (p.mode === 'every' && (p.deadband !== 0 || p.compression !== 0)) {
      ctx.addIssue({
        code: 'custom',
        message: 'storing every sample has no deadband or compression; choose "on change"',
        path: ['mode'],
      });
    }
  });
export type StoragePolicy = z.infer<typeof StoragePolicy>;
export type StoragePolicyInput = z.input<typeof StoragePolicy>;

/** A new device's default: lossless, on change. */
export const defaultStoragePolicy: StoragePolicy = StoragePolicy.parse({});

/** What devices stored before storage policies existed (their migrated setting). */
export const everySamplePolicy: StoragePolicy = StoragePolicy.parse({ mode: 'every' });

/** A tag's span (engineering range), needed by percent bands; null ends when not known. */
export const TagSpan = {
  spanLow: z.number().finite().nullable().default(null),
  spanHigh: z.number().finite().nullable().default(null),
};

/** Per-tag storage: null uses the device's policy. */
export const tagStorage = StoragePolicy.nullable().default(null);

/** The policy in force for a tag. */
export const effectivePolicy = (device: StoragePolicy, tag: StoragePolicy | null): StoragePolicy => tag ?? device;

/** True when the stored trend may differ from the collected one (a deadband or a compression deviation). */
export const isLossy = (p: StoragePolicy): boolean => p.mode === 'change' && (p.deadband > 0 || p.compression > 0);

/** A policy resolved to engineering units and milliseconds, as the storage filter applies it. */
export interface ResolvedPolicy {
  mode: StorageMode;
  /** Engineering units. */
  deadband: number;
  maxIntervalMs: number;
  /** Engineering units; 0 = off. */
  compression: number;
}

/** Percent bands need the span: returns a message when they cannot be resolved. */
export const resolvePolicy = (
  p: StoragePolicy,
  span: { spanLow: number | null; spanHigh: number | null },
): ResolvedPolicy | string => {
  let scale = 1;
  if (p.band === 'percent' && (p.deadband > 0 || p.compression > 0)) {
    if (span.spanLow === null || span.spanHigh === null || !(span.spanHigh > span.spanLow)) {
      return "a percent deadband or deviation needs the tag's span (low below high)";
    }
    scale = (span.spanHigh - span.spanLow) / 100;
  }
  return {
    mode: p.mode,
    deadband: p.deadband * scale,
    maxIntervalMs: p.maxIntervalS * 1000,
    compression: p.mode === 'change' ? p.compression * scale : 0,
  };
};

/** The policy as a short text for tables and tooltips: "on change ±0.5 °C, max 600 s, compressed ±0.1 °C". */
export const describePolicy = (p: StoragePolicy, unit = ''): string => {
  if (p.mode === 'every') return 'every sample';
  const u = p.band === 'percent' ? ' % of span' : unit ? ` ${unit}` : '';
  const parts = [p.deadband > 0 ? `on change beyond ±${p.deadband}${u}` : 'on change (lossless)'];
  parts.push(`max ${p.maxIntervalS} s`);
  if (p.compression > 0) parts.push(`compressed ±${p.compression}${u}`);
  return parts.join(', ');
};
