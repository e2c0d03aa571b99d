import { z } from 'zod';

/**
 * Building blocks for reading TwinEdge's answers as a tolerant reader: the vendor documents endpoints and
 * envelopes but not the objects, so every reader here accepts the spellings the documentation shows and
 * keeps what it does not know instead of failing on it. Requests stay strict (model.ts body schemas).
 */

/** Ids come as strings in one reading and as numbers in another; the app keeps them as strings. */
export const id = z.union([z.string().min(1), z.number().int().nonnegative()]).transform(String);

/** An optional id: null, absent and empty all read as null. */
export const optionalId = z
  .union([z.string(), z.number().int().nonnegative(), z.null()])
  .optional()
  .transform((v) => (v === undefined || v === null || v === '' ? null : String(v)));

/** Epoch numbers above this are milliseconds, below it seconds (10^11 s is the year 5138). */
const MS_THRESHOLD = 1e11;

/** An instant as ISO 8601 text, from ISO text or epoch seconds/milliseconds (number or digit string); null if neither. */
export const toIso = (v: unknown): string | null => {
  let ms: number | null = null;
  if (typeof v === 'number' && Number.isFinite(v)) ms = v >= MS_THRESHOLD ? v : v * 1000;
  else if (typeof v === 'string') {
    const t = v.trim();
    if (/^\d+(\.\d+)?$/.test(t)) {
      const n = Number(t);
      ms = n >= MS_THRESHOLD ? n : n * 1000;
    } else if (t !== '') {
      const parsed = Date.parse(t);
      if (!Number.isNaN(parsed)) ms = parsed;
    }
  }
  if (ms === null || !Number.isFinite(ms)) return null;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
};

/** A required instant (ISO text or epoch); anything else fails the item. */
export const instant = z.unknown().transform((v, ctx) => {
  const iso = toIso(v);
  if (iso === null) {
    ctx.addIssue({ code: 'custom', message: 'not an ISO 8601 date-time or epoch number' });
    return z.NEVER;
  }
  return iso;
});

/** An instant the app only shows: unreadable or absent reads as null. */
export const optionalInstant = z
  .unknown()
  .optional()
  .transform((v) => toIso(v));

/** The value 'unknown', which every tolerant enum below adds to its known values. */
export const UNKNOWN = 'unknown' as const;

/**
 * One of `values`, matched case-insensitively; any other value (or none) reads as 'unknown', never as an
 * error: a new severity or status in TwinEdge must not hide the item that carries it.
 */
export const known = <const T extends string>(values: readonly T[]) =>
  z
    .unknown()
    .optional()
    .transform((v): T | typeof UNKNOWN => {
      if (typeof v !== 'string') return UNKNOWN;
      const lower = v.trim().toLowerCase();
      const hit = values.find((x) => x.toLowerCase() === lower);
      return hit ?? UNKNOWN;
    });

/** Text the app shows; absent or null reads as `fallback`. */
export const text = (fallback = '') =>
  z
    .union([z.string(), z.number(), z.null()])
    .optional()
    .transform((v) => (v === undefined || v === null ? fallback : String(v)));

/** Optional text: absent or null reads as null. */
export const optionalText = z
  .union([z.string(), z.number(), z.null()])
  .optional()
  .transform((v) => (v === undefined || v === null ? null : String(v)));

/** A number that may come as a numeric string; null when absent or not a number. */
export const optionalNumber = z
  .unknown()
  .optional()
  .transform((v) => {
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    return Number.isFinite(n) ? n : null;
  });

/**
 * A list whose unreadable items are skipped rather than failing the list: one odd alert must not hide the
 * others. What was skipped is counted with the first reason, so the caller can say so.
 */
export interface TolerantList<T> {
  items: T[];
  skipped: number;
  /** The first skipped item's problem, as `[index].field: message`. */
  firstProblem: string | null;
}

const issuePath = (path: readonly PropertyKey[]): string =>
  path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');

export const tolerantList = <T>(item: z.ZodType<T>) =>
  z.array(z.unknown()).transform((raw): TolerantList<T> => {
    const items: T[] = [];
    let skipped = 0;
    let firstProblem: string | null = null;
    raw.forEach((r, i) => {
      const parsed = item.safeParse(r);
      if (parsed.success) items.push(parsed.data);
      else {
        skipped++;
        const issue = parsed.error.issues[0];
        firstProblem ??= `[${i}]${issuePath(issue?.path ?? [])}: ${issue?.message ?? 'invalid'}`;
      }
    });
    return { items, skipped, firstProblem };
  });
