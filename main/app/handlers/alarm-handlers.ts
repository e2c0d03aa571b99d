import type { Handlers } from '../../contract/router.js';
import type { AlarmService } from '../../alerts/alarm-service.js';
import { CloudRuleError, toCloudRule } from '../../sync/cloud-rules.js';
import { TwinEdgeNotConfigured, type SyncService } from '../../sync/sync-service.js';
import { TwinEdgeApiError } from '../../sync/client/api-error.js';
import { AppError } from '../../domain/errors/app-error.js';

type AlarmCalls =
  | 'alarms.active'
  | 'alarms.counts'
  | 'alarms.acknowledge'
  | 'alarms.shelve'
  | 'alarms.unshelve'
  | 'alarms.history'
  | 'alarms.rules'
  | 'alarms.saveRule'
  | 'alarms.deleteRule'
  | 'alarms.preview'
  | 'alarms.pushRule';

export interface AlarmHandlerDeps {
  alarms: () => AlarmService;
  /** Also maps the rule's tags to TwinEdge (SyncService.tagMap). */
  sync: () => SyncService;
  /** Who is acting, for acknowledgements and shelving. */
  actor: string;
}

/** Alarm calls: local rules, acknowledgement, shelving, history, previews, and pushing a rule to TwinEdge. */
export const alarmHandlers = (d: AlarmHandlerDeps): Pick<Handlers, AlarmCalls> => ({
  'alarms.active': () => d.alarms().active(),
  'alarms.counts': () => d.alarms().counts(),
  'alarms.acknowledge': ({ ruleIds, note }) => d.alarms().acknowledge(ruleIds, d.actor, note),
  'alarms.shelve': ({ ruleId, minutes, note }) => d.alarms().shelve(ruleId, minutes, d.actor, note),
  'alarms.unshelve': ({ ruleId }) => d.alarms().unshelve(ruleId, d.actor),
  'alarms.history': (f) => d.alarms().history(f),
  'alarms.rules': () => d.alarms().rules(),
  'alarms.saveRule': (rule) => d.alarms().saveRule(rule),
  'alarms.deleteRule': ({ id }) => {
    d.alarms().deleteRule(id);
    return { deleted: true as const };
  },
  'alarms.preview': ({ rule, minutes }) => d.alarms().preview(rule, minutes),
  'alarms.pushRule': async ({ id }) => {
    const rule = d.alarms().rule(id);
    if (rule.source === 'cloud') throw new AppError('conflict', `"${rule.name}" already comes from TwinEdge.`);
    try {
      const sync = d.sync();
      const created = await sync.createAlertRule(toCloudRule(rule, sync.tagMap()));
      return d.alarms().linkCloud(id, created.id);
    } catch (err) {
      if (err instanceof CloudRuleError) throw new AppError('invalid_input', err.message);
      if (err instanceof TwinEdgeNotConfigured) throw new AppError('unavailable', err.message);
      if (err instanceof TwinEdgeApiError) throw new AppError('unavailable', err.userMessage);
      throw err;
    }
  },
});
