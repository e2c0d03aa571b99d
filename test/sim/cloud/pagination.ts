import { perPage as perPageLimits, type PageMeta } from '../../../main/sync/api/model.js';
import { validationError } from './api-error.js';

export interface PageParams {
  page: number;
  per_page: number;
}

const positiveInt = (raw: string | undefined, field: string, fallback: number): number => {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < 1) {
    throw validationError([{ field, message: 'must be a positive integer' }]);
  }
  return n;
};

/** page >= 1; per_page 1..100 (default 20); beyond → VALIDATION_ERROR, as the document says. */
export const pageParams = (query: Record<string, string>): PageParams => {
  const page = positiveInt(query.page, 'page', 1);
  const per_page = positiveInt(query.per_page, 'per_page', perPageLimits.default);
  if (per_page > perPageLimits.max) {
    throw validationError([{ field: 'per_page', message: `must be at most ${perPageLimits.max}` }]);
  }
  return { page, per_page };
};

export const paginate = <T>(items: readonly T[], p: PageParams): { data: T[]; meta: PageMeta } => ({
  data: items.slice((p.page - 1) * p.per_page, p.page * p.per_page),
  meta: { page: p.page, per_page: p.per_page, total: items.length },
});

/** ISO 8601 query instant → epoch ms, or VALIDATION_ERROR. */
export const instantParam = (query: Record<string, string>, field: string): number | undefined => {
  const raw = query[field];
  if (raw === undefined || raw === '') return undefined;
  const ms = parseIsoInstant(raw);
  if (ms === undefined) throw validationError([{ field, message: 'must be an ISO 8601 date-time' }]);
  return ms;
};

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Strict ISO 8601 date-time with a zone (a bare local time would mean different instants on different hosts). */
export const parseIsoInstant = (raw: string): number | undefined => {
  if (!ISO_INSTANT.test(raw)) return undefined;
  const ms = Date.parse(raw);
  return Number.isFinite(ms) ? ms : undefined;
};
