import { z } from 'zod';
import { epochMs, id } from '../schema-parts.js';
import { resolutions, type Resolution } from './resolution.js';

// A trend query and a CSV export of a range: what to read, and the file it gives.

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
