import { z } from 'zod';

// Schema pieces several domain and contract schemas share.

/** A row id in the store. */
export const id = z.number().int().positive();
/** An instant, epoch milliseconds. */
export const epochMs = z.number().int().nonnegative();
