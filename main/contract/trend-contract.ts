import { z } from 'zod';
import { id } from '../domain/schema-parts.js';

/** The trends and history part of the renderer contract: inputs that only calls take (the rest is main/domain/history). */

export const ViewIdInput = z.object({ id }).strict();
export const DashboardIdInput = z.object({ dashboardId: z.string().min(1).max(200) }).strict();
