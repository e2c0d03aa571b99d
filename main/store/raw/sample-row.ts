import type { Sample } from '../../domain/sample/sample.js';

/** A row of the `samples` table as read (ts, value, quality, text). */
export interface SampleRow {
  ts: number;
  value: number | null;
  quality: number;
  text: string | null;
}

/** A row as a Sample: a string tag's row has its text and no value; `text` is absent for numbers, as in Sample. */
export const rowToSample = (tagId: number, r: SampleRow): Sample =>
  r.text === null
    ? { tagId, ts: r.ts, value: r.value, quality: r.quality }
    : { tagId, ts: r.ts, value: null, quality: r.quality, text: r.text };
