import type { Handlers } from '../../contract/router.js';
import type { TrendView } from '../../domain/history/trend-view.js';
import {
  DashboardMappingError,
  dashboardToView,
  viewToDashboard,
  type TagRef,
  type ViewShape,
} from '../../history/dashboard-views.js';
import { toOverlays, type OverlayTag } from '../../history/prediction-overlay.js';
import { TwinEdgeApiError, errorText } from '../../sync/client/api-error.js';
import { listAll } from '../../sync/client/pages.js';
import { TwinEdgeNotConfigured, type SyncService } from '../../sync/sync-service.js';
import type { PredictionAnswer as Prediction } from '../../sync/api/answers.js';
import type { TrendViewsRepo } from '../../store/trend-views-repo.js';
import { AppError } from '../../domain/errors/app-error.js';

type TrendCloudCalls = 'history.predictions' | 'views.toDashboard' | 'views.fromDashboard';

/** The saved views as the cloud calls need them. */
export interface ViewsAccess {
  /** Throws AppError('not_found') for an unknown id. */
  get(id: number): TrendView;
  /** Stores a new view under a name not yet taken (the name is made unique if needed). */
  createFromDashboard(shape: ViewShape, dashboardId: string): TrendView;
  setDashboard(id: number, dashboardId: string): TrendView;
}

export interface TrendCloudDeps {
  sync: () => SyncService;
  tags: () => ReadonlyMap<number, TagRef>;
  views: () => ViewsAccess;
}

/** The saved-views repo as the cloud calls use it. */
export const viewsAccess = (repo: TrendViewsRepo): ViewsAccess => ({
  get: (id) => {
    const view = repo.get(id);
    if (!view) throw new AppError('not_found', `Trend view ${id} does not exist (deleted meanwhile?).`);
    return view;
  },
  createFromDashboard: (shape, dashboardId) => {
    const taken = new Set(repo.list().map((v) => v.name));
    let name = shape.name;
    for (let n = 2; taken.has(name); n++) name = `${shape.name.slice(0, 90)} (${n})`;
    const view = repo.save({ ...shape, name, hiddenTagIds: [] });
    return repo.setDashboard(view.id, dashboardId);
  },
  setDashboard: (id, dashboardId) => repo.setDashboard(id, dashboardId),
});

/** At most this many prediction pages per device and request: the key's budget is shared with uploads. */
const MAX_PREDICTION_PAGES = 10;

/** TwinEdge errors as the renderer's typed errors. */
function cloudError(err: unknown): never {
  if (err instanceof DashboardMappingError) throw new AppError('conflict', err.message);
  if (err instanceof TwinEdgeNotConfigured) throw new AppError('unavailable', err.message);
  if (err instanceof TwinEdgeApiError) {
    throw new AppError(err.status === 404 ? 'not_found' : 'unavailable', err.userMessage);
  }
  throw err;
}

/** Trend views to and from TwinEdge dashboards, and ML predictions to overlay on trends. */
export const trendCloudHandlers = (d: TrendCloudDeps): Pick<Handlers, TrendCloudCalls> => ({
  'views.toDashboard': async ({ id }) => {
    const views = d.views();
    const view = views.get(id);
    const sync = d.sync();
    try {
      const body = viewToDashboard(view, d.tags(), (tagId) => sync.cloudTarget(tagId));
      const saved = await sync.saveDashboard(body, view.dashboardId);
      return views.setDashboard(id, saved.id);
    } catch (err) {
      return cloudError(err);
    }
  },
  'views.fromDashboard': async ({ dashboardId }) => {
    const sync = d.sync();
    try {
      const dashboard = await sync.cloud().getDashboard(dashboardId);
      const { view, missing } = dashboardToView(dashboard, d.tags(), (a, t) => sync.localTag(a, t));
      return { view: d.views().createFromDashboard(view, dashboard.id), missing };
    } catch (err) {
      return cloudError(err);
    }
  },
  'history.predictions': async ({ tagIds, from, to }) => {
    const sync = d.sync();
    const tags = d.tags();
    const charted: OverlayTag[] = tagIds.flatMap((tagId) => {
      const tag = tags.get(tagId);
      return tag ? [{ tagId, tagName: tag.name, assetId: sync.cloudTarget(tagId)?.assetId ?? null }] : [];
    });
    const unlinked = [...new Set(charted.filter((t) => t.assetId === null).map((t) => tags.get(t.tagId)?.deviceName))];
    const assets = [...new Set(charted.flatMap((t) => (t.assetId ? [t.assetId] : [])))];
    if (assets.length === 0) {
      return { overlays: [], note: 'Predictions need the device registered in TwinEdge (Cloud sync view).' };
    }
    const predictions: Prediction[] = [];
    try {
      const client = sync.cloud();
      for (const assetId of assets) {
        const q = { asset_id: assetId, start: new Date(from).toISOString(), end: new Date(to).toISOString() };
        predictions.push(
          ...(await listAll((page) => client.predictions({ ...q, page, per_page: 100 }), {
            maxPages: MAX_PREDICTION_PAGES,
          })),
        );
      }
    } catch (err) {
      return { overlays: [], note: `Predictions could not be fetched from TwinEdge: ${errorText(err)}` };
    }
    const overlays = toOverlays(charted, predictions);
    const notes: string[] = [];
    if (unlinked.length > 0) notes.push(`No predictions for ${unlinked.join(', ')}: not registered in TwinEdge.`);
    if (overlays.length === 0) notes.push('TwinEdge has no predictions for these tags in this range.');
    return { overlays, note: notes.length > 0 ? notes.join(' ') : null };
  },
});
