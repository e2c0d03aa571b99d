import { alertEventStatuses, type AlertEvent, type AlertRule } from '../../../main/sync/api/model.js';
import { AlertRuleBody, severities } from '../../../main/domain/cloud/alert-rule-body.js';
import { parseBody, validationError } from './api-error.js';
import { instantParam, paginate, pageParams } from './pagination.js';
import { ok, type Ctx, type Route } from './route.js';
import { iso, type SimState } from './state.js';

const enumParam = <T extends string>(ctx: Ctx, field: string, allowed: readonly T[]): T | undefined => {
  const raw = ctx.query[field];
  if (raw === undefined || raw === '') return undefined;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw validationError([{ field, message: `must be one of ${allowed.join(', ')}` }]);
  }
  return raw as T;
};

/** Adds a triggered event (tests and seed data; the simulator does not evaluate rules against telemetry). */
export const addAlertEvent = (
  state: SimState,
  event: Partial<AlertEvent> & Pick<AlertEvent, 'rule_id' | 'rule_name' | 'severity'>,
): AlertEvent => {
  const full: AlertEvent = {
    id: state.ids.next('alert_event'),
    status: 'triggered',
    asset_id: null,
    tag_name: null,
    value: null,
    message: `${event.rule_name} triggered`,
    triggered_at: iso(state.clock.now()),
    acknowledged_at: null,
    resolved_at: null,
    ...event,
  };
  return state.alertEvents.put(full);
};

export const alertRoutes: Route[] = [
  {
    method: 'GET',
    template: '/alerts',
    scope: 'read:alerts',
    holds: 'alert_rule',
    handler: (ctx) => ok(paginate(ctx.state.alertRules.all(), pageParams(ctx.query))),
  },
  {
    method: 'POST',
    template: '/alerts',
    scope: 'write:alerts',
    holds: 'alert_rule',
    handler: (ctx) => {
      const body = parseBody(AlertRuleBody, ctx.body);
      const now = iso(ctx.now);
      const rule: AlertRule = { ...body, id: ctx.state.ids.next('alert_rule'), created_at: now, updated_at: now };
      return ok({ data: ctx.state.alertRules.put(rule) }, 201);
    },
  },
  {
    method: 'GET',
    template: '/alerts/events',
    scope: 'read:alerts',
    holds: 'alert_event',
    handler: (ctx) => {
      const p = pageParams(ctx.query);
      const status = enumParam(ctx, 'status', alertEventStatuses);
      const severity = enumParam(ctx, 'severity', severities);
      const since = instantParam(ctx.query, 'since');
      const events = ctx.state.alertEvents
        .all()
        .filter(
          (e) => (status === undefined || e.status === status) && (severity === undefined || e.severity === severity),
        )
        .filter((e) => since === undefined || Date.parse(e.triggered_at) >= since)
        // Newest first, as an alarm list reads.
        .sort((a, b) => Date.parse(b.triggered_at) - Date.parse(a.triggered_at));
      return ok(paginate(events, p));
    },
  },
];
