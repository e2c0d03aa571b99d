import { keyInfo } from './keys.js';
import { alertRoutes } from './alerts.js';
import { dashboardRoutes } from './dashboards.js';
import { deviceRoutes } from './devices.js';
import { mlRoutes } from './ml.js';
import { ok, type Route } from './route.js';
import { telemetryRoutes } from './telemetry.js';

/** Every operation of the OpenAPI document, with the scope it records. */
export const routes: Route[] = [
  { method: 'GET', template: '/auth/key', scope: null, holds: 'key', handler: (ctx) => ok({ data: keyInfo(ctx.key) }) },
  ...telemetryRoutes,
  ...deviceRoutes,
  ...dashboardRoutes,
  ...alertRoutes,
  ...mlRoutes,
];

const compiled = routes.map((route) => {
  const names: string[] = [];
  const pattern = route.template.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { route, names, regex: new RegExp(`^${pattern}$`) };
});

/** The route for a method and a path below /v1; `pathKnown` tells 404 from a method the path does not have. */
export const matchRoute = (
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | { route: undefined; pathKnown: boolean } => {
  let pathKnown = false;
  for (const { route, names, regex } of compiled) {
    const m = regex.exec(path);
    if (!m) continue;
    pathKnown = true;
    if (route.method !== method) continue;
    const params: Record<string, string> = {};
    names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1] ?? '')));
    return { route, params };
  }
  return { route: undefined, pathKnown };
};
