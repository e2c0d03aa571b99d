import type { ApiError } from './api-error.js';
import type { DialectRules } from './dialect.js';
import { oursDialect } from './dialect-ours.js';
import type { Answer, Resource, Route } from './route.js';

type JsonRecord = Record<string, unknown>;

const isRecord = (v: unknown): v is JsonRecord => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Where each resource lives, for the `_links.self` a HAL-minded service adds. */
const collection: Partial<Record<Resource, string>> = {
  device: '/v1/devices',
  dashboard: '/v1/dashboards',
  alert_rule: '/v1/alerts',
  alert_event: '/v1/alerts/events',
  ml_model: '/v1/ml/models',
  training_job: '/v1/ml/training',
};

/** Reference fields holding ids: numeric in this dialect wherever the stored id is a number. */
const idFields = ['id', 'rule_id', 'model_id'];
/** Fields this dialect sends as epoch milliseconds instead of ISO 8601 (telemetry timestamps stay ISO). */
const epochFields: Partial<Record<Resource, string[]>> = {
  device: ['created_at', 'updated_at'],
  alert_rule: ['created_at', 'updated_at'],
  ml_model: ['created_at'],
};

const isOdd = (id: unknown): boolean => typeof id === 'number' && id % 2 === 1;

/**
 * Enum values our model does not know, on a deterministic part of the objects so a short test sees both:
 * odd devices are 'maintenance', odd alert events 'major' and 'escalated'. Models use even ids, so the seeded
 * model (the first, odd) stays 'ready' and ML features stay testable; a trained one shows 'deploying'.
 */
const unknownEnums = (kind: Resource, obj: JsonRecord): JsonRecord => {
  if (kind === 'device' && isOdd(obj.id)) return { ...obj, status: 'maintenance' };
  if (kind === 'alert_event' && isOdd(obj.id)) return { ...obj, severity: 'major', status: 'escalated' };
  if (kind === 'ml_model' && typeof obj.id === 'number' && !isOdd(obj.id)) return { ...obj, status: 'deploying' };
  return obj;
};

const renderObject = (kind: Resource, raw: unknown): unknown => {
  if (!isRecord(raw)) return raw;
  let obj: JsonRecord = { ...raw };
  for (const field of idFields) {
    const v = obj[field];
    if (typeof v === 'string' && /^\d{1,15}$/.test(v)) obj[field] = Number(v);
  }
  for (const field of epochFields[kind] ?? []) {
    const v = obj[field];
    if (typeof v === 'string' && Number.isFinite(Date.parse(v))) obj[field] = Date.parse(v);
  }
  if (kind === 'ingest_result' && Array.isArray(obj.rejected)) {
    obj.rejected = (obj.rejected as unknown[]).map((r) =>
      isRecord(r) && typeof r.code === 'string' ? { ...r, code: r.code.toLowerCase() } : r,
    );
  }
  obj = unknownEnums(kind, obj);
  const base = collection[kind];
  const id = obj.id;
  const self =
    base !== undefined && (typeof id === 'string' || typeof id === 'number') ? { self: `${base}/${id}` } : {};
  return { ...obj, _links: self, tenant_id: 'tnt_sim' };
};

/** `details` in the list form another page of the docs shows: `[{ field, message }]`. */
const detailList = (details: unknown): { field: string; message: string }[] => {
  if (Array.isArray(details)) return details as { field: string; message: string }[];
  if (!isRecord(details)) return [];
  return Object.entries(details).map(([field, v]) => ({
    field,
    message: typeof v === 'string' ? v : JSON.stringify(v),
  }));
};

/**
 * Our semantics with everything a tolerant reader must survive: unknown fields on every object and envelope,
 * unknown enum values, numeric ids, epoch timestamps, lower-case error codes with list details.
 */
export const noisyDialect = (): DialectRules => {
  const ours = oursDialect();
  let traces = 0;
  const trace = (): string => `trc-${(++traces).toString(16).padStart(8, '0')}`;
  return {
    ...ours,
    name: 'noisy',
    numericIds: true,
    render: (route: Route, answer: Answer): Answer => {
      if (!isRecord(answer.body) || !('data' in answer.body)) return answer;
      const env = answer.body;
      const one = (item: unknown): unknown => (route.holds ? renderObject(route.holds, item) : item);
      const meta = isRecord(env.meta) ? { ...env.meta, has_more: hasMore(env.meta), next_cursor: null } : undefined;
      const body: JsonRecord = {
        ...env,
        data: Array.isArray(env.data) ? env.data.map(one) : one(env.data),
        ...(meta ? { meta } : {}),
        _links: { self: `/v1${route.template}` },
        x_trace: trace(),
      };
      return { ...answer, body };
    },
    renderError: (err: ApiError): Answer => {
      const { error } = err.body();
      return {
        status: err.status,
        headers: err.headers,
        body: {
          error: {
            code: error.code.toLowerCase(),
            message: error.message,
            details: detailList(error.details),
            doc_url: `https://docs.twinedgeai.com/errors/${error.code.toLowerCase()}`,
          },
          x_trace: trace(),
        },
      };
    },
  };
};

const hasMore = (meta: JsonRecord): boolean =>
  typeof meta.page === 'number' && typeof meta.per_page === 'number' && typeof meta.total === 'number'
    ? meta.page * meta.per_page < meta.total
    : false;
