import {
  aggregations,
  ingestLimits,
  intervals,
  IngestRequest,
  TelemetryPoint,
  type Aggregation,
  type IngestResult,
  type Interval,
  type PointRejection,
} from '../../../main/sync/api/model.js';
import { ApiError, parseBody, validationError } from './api-error.js';
import { idempotent } from './idempotency.js';
import { instantParam, pageParams, parseIsoInstant } from './pagination.js';
import { ok, type Answer, type Ctx, type Route } from './route.js';
import type { PointFilter } from './telemetry-store.js';

const DAY_MS = 86_400_000;

/** One point against TelemetryPoint plus the checks zod cannot make (real instant, finite, not far future). */
const checkPoint = (raw: unknown, index: number, now: number): TelemetryPoint | PointRejection => {
  const reject = (code: string, message: string): PointRejection => ({ index, code, message });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return reject('INVALID_FIELD', 'not an object');
  const obj = raw as Record<string, unknown>;
  for (const field of ['asset_id', 'tag_name', 'timestamp', 'value', 'quality']) {
    if (!(field in obj)) return reject('MISSING_FIELD', `${field} is required`);
  }
  if (typeof obj.tag_name === 'string' && obj.tag_name.length > 256) {
    return reject('TAG_NAME_TOO_LONG', 'tag_name is longer than 256 characters');
  }
  if (typeof obj.value === 'number' && !Number.isFinite(obj.value)) {
    return reject('INVALID_VALUE', 'value must be a finite number');
  }
  const parsed = TelemetryPoint.safeParse(obj);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return reject('INVALID_FIELD', `${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'invalid'}`);
  }
  const ts = parseIsoInstant(parsed.data.timestamp);
  if (ts === undefined) return reject('INVALID_TIMESTAMP', 'timestamp must be an ISO 8601 date-time with a zone');
  if (ts > now + DAY_MS) return reject('TIMESTAMP_IN_FUTURE', 'timestamp is more than 1 day in the future');
  return parsed.data;
};

const ingest = (ctx: Ctx): Answer => {
  const { state } = ctx;
  state.counters.ingestRequests++;
  const body = parseBody(IngestRequest, ctx.body);
  if (body.data.length > ingestLimits.maxPoints) {
    throw new ApiError(413, 'PAYLOAD_TOO_LARGE', `at most ${ingestLimits.maxPoints} points per request`, {
      max_points: ingestLimits.maxPoints,
      received: body.data.length,
    });
  }
  return idempotent(ctx, () => {
    const accepted: TelemetryPoint[] = [];
    const rejected: PointRejection[] = [];
    body.data.forEach((raw, i) => {
      const r = checkPoint(raw, i, ctx.now);
      if ('index' in r) rejected.push(r);
      else accepted.push(r);
    });
    state.telemetry.insert(accepted, ctx.now);
    const result: IngestResult = { accepted: accepted.length, rejected };
    return ok({ data: result });
  });
};

const filterOf = (q: Record<string, string>): PointFilter => {
  const f: PointFilter = {};
  if (q.asset_id) f.asset_id = q.asset_id;
  if (q.tag_name) f.tag_name = q.tag_name;
  const start = instantParam(q, 'start');
  const end = instantParam(q, 'end');
  if (start !== undefined) f.start = start;
  if (end !== undefined) f.end = end;
  return f;
};

const oneOf = <T extends string>(q: Record<string, string>, field: string, allowed: readonly T[]): T | undefined => {
  const raw = q[field];
  if (raw === undefined || raw === '') return undefined;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw validationError([{ field, message: `must be one of ${allowed.join(', ')}` }]);
  }
  return raw as T;
};

const query = (ctx: Ctx): Answer => {
  const p = pageParams(ctx.query);
  // data_source_id is accepted but filters nothing: simulated points carry no data source.
  const filter = filterOf(ctx.query);
  const aggregation = oneOf<Aggregation>(ctx.query, 'aggregation', aggregations);
  const interval = oneOf<Interval>(ctx.query, 'interval', intervals);
  if (aggregation && !interval) throw validationError([{ field: 'interval', message: 'required with aggregation' }]);
  const offset = (p.page - 1) * p.per_page;
  const { rows, total } = interval
    ? ctx.state.telemetry.aggregate(filter, aggregation ?? 'avg', interval, p.per_page, offset)
    : ctx.state.telemetry.query(filter, p.per_page, offset);
  return ok({ data: rows, meta: { page: p.page, per_page: p.per_page, total } });
};

const latest = (ctx: Ctx): Answer => ok({ data: ctx.state.telemetry.latest(filterOf(ctx.query)) });

export const telemetryRoutes: Route[] = [
  { method: 'GET', template: '/telemetry', scope: 'read:telemetry', holds: 'telemetry_row', handler: query },
  { method: 'POST', template: '/telemetry', scope: 'write:telemetry', holds: 'ingest_result', handler: ingest },
  { method: 'POST', template: '/telemetry/ingest', scope: 'write:telemetry', holds: 'ingest_result', handler: ingest },
  { method: 'GET', template: '/telemetry/latest', scope: 'read:telemetry', holds: 'telemetry_row', handler: latest },
];
