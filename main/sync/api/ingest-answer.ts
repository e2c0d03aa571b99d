import type { PointRejection } from './model.js';

/**
 * What a 2xx answer to an ingest said, read tolerantly. The reference documents no ingest answer, so any 2xx is
 * a delivery: per-point rejections are taken from the answer when it carries them in a shape we recognise, and
 * otherwise every point counts as accepted and `understood` is false (the caller says so in the log, once per
 * distinct `shape`).
 */
export interface IngestOutcome {
  /** Points TwinEdge took (as it said, or all of them when it did not say). */
  accepted: number;
  /** Rejections that name the point (index into the batch). */
  rejected: PointRejection[];
  /** Points the answer counts as rejected without saying which (recorded as one summary). */
  unlisted: number;
  /** The answer had a shape we recognise. */
  understood: boolean;
  /** A short signature of the answer's shape, e.g. `data{count:number}` or `empty`. */
  shape: string;
}

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

const typeOf = (v: Json): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Keys and value types, sorted: two answers of the same shape have the same signature whatever their values. */
export const shapeOf = (v: Json): string => {
  if (v === undefined) return 'empty';
  if (!isObject(v)) return typeOf(v);
  const inner = (o: Record<string, Json>): string =>
    `{${Object.keys(o)
      .sort()
      .map((k) => `${k}:${typeOf(o[k])}`)
      .join(',')}}`;
  if ('data' in v) return `data${isObject(v.data) ? inner(v.data) : `:${typeOf(v.data)}`}`;
  return inner(v);
};

const count = (v: Json): number | null =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0
    ? v
    : typeof v === 'string' && /^\d+$/.test(v)
      ? Number(v)
      : null;

/** One rejection entry: `{index, code?, message?}` (also `error`, `reason`, `detail` for the message). */
const rejection = (v: Json, size: number): PointRejection | null => {
  if (!isObject(v)) return null;
  const index = count(v.index ?? v.point ?? v.position);
  if (index === null || index >= size) return null;
  const message = [v.message, v.error, v.reason, v.detail].find((m): m is string => typeof m === 'string');
  const code = typeof v.code === 'string' && v.code.trim() !== '' ? v.code.trim().toUpperCase() : 'REJECTED';
  return { index, code, message: message ?? 'rejected by TwinEdge (no reason given)' };
};

/** A list of rejections, or null when `v` is not one (an entry without an index makes the list unusable). */
const rejectionList = (v: Json, size: number): PointRejection[] | null => {
  if (!Array.isArray(v)) return null;
  const out: PointRejection[] = [];
  for (const item of v) {
    const r = rejection(item, size);
    if (!r) return null;
    out.push(r);
  }
  // The same point named twice counts once.
  const seen = new Set<number>();
  return out.filter((r) => (seen.has(r.index) ? false : (seen.add(r.index), true)));
};

/**
 * Reads the parsed JSON body (undefined for an empty one) of a 2xx ingest answer for a batch of `size` points.
 * Recognised: `{accepted, rejected: [...]}` (ours), `{accepted, rejected: N, errors: [...]}`, `{accepted}` and
 * `{accepted, rejected: N}`, each inside `{data: ...}` or bare.
 */
export const readIngestAnswer = (body: Json, size: number): IngestOutcome => {
  const shape = shapeOf(body);
  const all = (): IngestOutcome => ({ accepted: size, rejected: [], unlisted: 0, understood: false, shape });
  const d = isObject(body) && 'data' in body ? body.data : body;
  if (!isObject(d)) return all();
  const accepted = count(d.accepted);
  const listed = rejectionList(d.rejected, size) ?? rejectionList(d.errors, size);
  const rejectedCount = count(d.rejected);
  if (accepted === null && listed === null) return all();
  const rejected = listed ?? [];
  const said = accepted ?? size - rejected.length;
  if (said > size) return all();
  // Counted as rejected but not named: the difference between what was sent and what was accepted or listed.
  const namedOrAccepted = said + rejected.length;
  const unlisted = Math.max(0, Math.min(size - namedOrAccepted, rejectedCount ?? size - namedOrAccepted));
  const understood = namedOrAccepted + unlisted === size;
  if (!understood) return all();
  return { accepted: said, rejected, unlisted, understood, shape };
};
