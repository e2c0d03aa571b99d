import { TrainingBody, type MlModel, type Prediction, type TrainingJob } from '../../../main/sync/api/model.js';
import { notFound, parseBody, validationError } from './api-error.js';
import { instantParam, paginate, pageParams } from './pagination.js';
import { hashUnit } from './hash-unit.js';
import { ok, type Ctx, type Route } from './route.js';
import { iso, type SimState, type StoredJob } from './state.js';

const HOUR = 3_600_000;
/** Clock time a job waits in the queue, and its total time to completion. */
export const TRAINING_QUEUED_MS = 3_000;
export const TRAINING_TOTAL_MS = 30_000;
export const ANOMALY_THRESHOLD = 0.8;

/** The simulated model's score for an asset at an hour: a pure function so tests can assert predictions. */
export const anomalyScore = (assetId: string, hourMs: number): number =>
  Math.round(hashUnit(`${assetId}|${hourMs}`) * 1e6) / 1e6;

const jobView = (job: StoredJob, now: number): TrainingJob => {
  const elapsed = now - job.created_ms;
  const status: TrainingJob['status'] =
    elapsed >= TRAINING_TOTAL_MS ? 'completed' : elapsed >= TRAINING_QUEUED_MS ? 'running' : 'queued';
  const progress =
    status === 'completed'
      ? 1
      : status === 'running'
        ? Math.min(0.99, (elapsed - TRAINING_QUEUED_MS) / (TRAINING_TOTAL_MS - TRAINING_QUEUED_MS))
        : 0;
  const updated =
    status === 'completed' ? job.created_ms + TRAINING_TOTAL_MS : status === 'running' ? now : job.created_ms;
  return {
    id: job.id,
    name: job.name,
    status,
    progress: Math.round(progress * 1000) / 1000,
    model_id: job.model_id,
    error: null,
    created_at: iso(job.created_ms),
    updated_at: iso(updated),
  };
};

/** Turns jobs whose time is up into ready models (done on every ML read, so progress follows the clock). */
export const advanceTraining = (state: SimState, now: number): void => {
  for (const job of state.jobs.all()) {
    if (job.model_id !== null || now - job.created_ms < TRAINING_TOTAL_MS) continue;
    const model: MlModel = {
      id: state.ids.next('ml_model'),
      name: job.name,
      type: job.model_type,
      status: 'ready',
      asset_id: job.asset_id,
      tag_names: job.tag_names,
      metrics: { precision: 0.91, recall: 0.87, f1: 0.89 },
      created_at: iso(job.created_ms + TRAINING_TOTAL_MS),
    };
    state.models.put(model);
    state.jobs.put({ ...job, model_id: model.id });
  }
};

export const startJob = (state: SimState, body: TrainingBody, now: number): StoredJob =>
  state.jobs.put({
    id: state.ids.next('training_job'),
    name: body.name,
    model_type: body.model_type,
    asset_id: body.asset_id,
    tag_names: body.tag_names,
    created_ms: now,
    model_id: null,
  });

const predictions = (ctx: Ctx): ReturnType<typeof ok> => {
  const p = pageParams(ctx.query);
  const assetId = ctx.query.asset_id;
  if (!assetId) throw validationError([{ field: 'asset_id', message: 'is required' }]);
  advanceTraining(ctx.state, ctx.now);
  const modelId = ctx.query.model_id;
  let model: MlModel | undefined;
  if (modelId) {
    model = ctx.state.models.get(modelId);
    if (!model) throw notFound('Model', modelId);
  } else {
    model = ctx.state.models
      .all()
      .filter((m) => m.asset_id === assetId && m.status === 'ready')
      .at(-1);
  }
  const end = instantParam(ctx.query, 'end') ?? ctx.now;
  const start = instantParam(ctx.query, 'start') ?? end - 24 * HOUR;
  if (!model || end <= start) return ok(paginate([], p));
  const first = Math.ceil(start / HOUR) * HOUR;
  const total = Math.max(0, Math.ceil((end - first) / HOUR));
  const from = (p.page - 1) * p.per_page;
  const data: Prediction[] = [];
  for (let i = from; i < Math.min(total, from + p.per_page); i++) {
    const t = first + i * HOUR;
    const score = anomalyScore(assetId, t);
    data.push({
      timestamp: iso(t),
      model_id: model.id,
      asset_id: assetId,
      tag_name: model.tag_names[0] ?? null,
      anomaly_score: score,
      predicted_value: model.type === 'forecast' ? Math.round((50 + 10 * Math.sin(t / HOUR / 4)) * 100) / 100 : null,
      is_anomaly: score > ANOMALY_THRESHOLD,
    });
  }
  return ok({ data, meta: { page: p.page, per_page: p.per_page, total } });
};

export const mlRoutes: Route[] = [
  {
    method: 'GET',
    template: '/ml/models',
    scope: 'read:telemetry',
    holds: 'ml_model',
    handler: (ctx) => {
      advanceTraining(ctx.state, ctx.now);
      return ok(paginate(ctx.state.models.all(), pageParams(ctx.query)));
    },
  },
  {
    method: 'POST',
    template: '/ml/training',
    scope: 'write:telemetry',
    holds: 'training_job',
    handler: (ctx) => {
      const body = parseBody(TrainingBody, ctx.body);
      return ok({ data: jobView(startJob(ctx.state, body, ctx.now), ctx.now) }, 202);
    },
  },
  {
    method: 'GET',
    template: '/ml/training/{id}',
    scope: 'read:telemetry',
    holds: 'training_job',
    handler: (ctx) => {
      advanceTraining(ctx.state, ctx.now);
      const id = ctx.params.id ?? '';
      const job = ctx.state.jobs.get(id);
      if (!job) throw notFound('Training job', id);
      return ok({ data: jobView(job, ctx.now) });
    },
  },
  { method: 'GET', template: '/ml/predictions', scope: 'read:telemetry', holds: 'prediction', handler: predictions },
];
