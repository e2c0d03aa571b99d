import { DashboardBody, type Dashboard } from '../../../main/sync/api/model.js';
import { notFound, parseBody } from './api-error.js';
import { paginate, pageParams } from './pagination.js';
import { ok, type Ctx, type Route } from './route.js';
import { iso } from './state.js';

const find = (ctx: Ctx): Dashboard => {
  const id = ctx.params.id ?? '';
  const dashboard = ctx.state.dashboards.get(id);
  if (!dashboard) throw notFound('Dashboard', id);
  return dashboard;
};

export const dashboardRoutes: Route[] = [
  {
    method: 'GET',
    template: '/dashboards',
    scope: 'read:assets',
    holds: 'dashboard',
    handler: (ctx) => ok(paginate(ctx.state.dashboards.all(), pageParams(ctx.query))),
  },
  {
    method: 'POST',
    template: '/dashboards',
    scope: 'write:assets',
    holds: 'dashboard',
    handler: (ctx) => {
      const body = parseBody(DashboardBody, ctx.body);
      const now = iso(ctx.now);
      const dashboard: Dashboard = { ...body, id: ctx.state.ids.next('dashboard'), created_at: now, updated_at: now };
      return ok({ data: ctx.state.dashboards.put(dashboard) }, 201);
    },
  },
  {
    method: 'GET',
    template: '/dashboards/{id}',
    scope: 'read:assets',
    holds: 'dashboard',
    handler: (ctx) => ok({ data: find(ctx) }),
  },
  {
    method: 'PUT',
    template: '/dashboards/{id}',
    scope: 'write:assets',
    holds: 'dashboard',
    handler: (ctx) => {
      const current = find(ctx);
      const body = parseBody(DashboardBody, ctx.body);
      const dashboard: Dashboard = {
        ...body,
        id: current.id,
        created_at: current.created_at,
        updated_at: iso(ctx.now),
      };
      return ok({ data: ctx.state.dashboards.put(dashboard) });
    },
  },
];
