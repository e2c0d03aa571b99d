import { z } from 'zod';
import { epochMs, id } from '../schema-parts.js';

// A saved trend view: tags, range and axes, as the user arranged them.

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
