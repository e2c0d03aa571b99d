import { z } from 'zod';

/** The trends and history part of the renderer contract (spread into `calls` in contract.ts). */

import { id } from '../domain/schema-parts.js';

export const ViewIdInput = z.object({ id }).strict();
export const DashboardIdInput = z.object({ dashboardId: z.string().min(1).max(200) }).strict();

// ---- ML predictions overlay --------------------------------------------------------------------
