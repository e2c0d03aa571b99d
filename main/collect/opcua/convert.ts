import type { DataValue } from 'node-opcua';
import { StatusCodes, type Sample } from '../types.js';

/**
 * DataValue -> Sample. Numbers pass through, booleans become 0/1 (so a run signal can be trended),
 * 64-bit integers ([high, low] in node-opcua) become numbers, anything else (strings, arrays,
 * structures) is null: the historian stores numbers only.
 */
export const numericValue = (v: unknown): number | null => {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'number') {
    return v[0] * 2 ** 32 + (v[1] >>> 0); // Int64/UInt64 as [high, low]
  }
  return null;
};

export const sampleOf = (tagId: number, dv: DataValue, now = Date.now()): Sample => {
  const quality = dv.statusCode?.value ?? StatusCodes.Bad;
  const ts = dv.sourceTimestamp?.getTime() ?? dv.serverTimestamp?.getTime() ?? now;
  const severityBad = quality >>> 30 >= 2;
  return {
    tagId,
    ts: Number.isFinite(ts) ? ts : now,
    value: severityBad ? null : numericValue(dv.value?.value),
    quality,
  };
};
