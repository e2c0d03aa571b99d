// TwinEdge's lists the views show (alert rules and events, dashboards, models): read from the cache, refreshed on ask.
import type { CloudAlerts, CloudList } from '../domain/cloud/cloud-list.js';
import type { AlertRuleBody } from '../domain/cloud/alert-rule-body.js';
import type { Logger } from '../log/logger.js';
import type {
  AlertEventAnswer as AlertEvent,
  AlertRuleAnswer as AlertRule,
  DashboardAnswer as Dashboard,
  MlModelAnswer as MlModel,
} from './api/answers.js';
import type { DashboardBody } from './api/model.js';
import { TwinEdgeApiError } from './client/api-error.js';
import type { CloudCache } from './cloud-cache.js';
import type { CloudClients } from './cloud-clients.js';
import type { KeyLifecycle } from './key-lifecycle.js';
import type { RefreshCadence } from './refresh-cadence.js';

export interface CloudListsOptions {
  cache: CloudCache;
  clients: CloudClients;
  keys: KeyLifecycle;
  cadence: RefreshCadence;
  log: Logger;
}

/** The cached lists, and the writes (a new alert rule, a saved dashboard) that keep them current. */
export class CloudLists {
  constructor(private readonly o: CloudListsOptions) {}

  async alerts(refresh: boolean): Promise<CloudAlerts> {
    const { cache, clients } = this.o;
    if (refresh && clients.call) await this.o.cadence.refreshAlerts(clients.call);
    const rules = cache.get('alertRules');
    const events = cache.get('alertEvents');
    return {
      rules: rules.items,
      events: events.items,
      fetchedAt: rules.fetchedAt,
      error: rules.error ?? events.error ?? (clients.call ? null : 'Not connected to TwinEdge (no API key).'),
    };
  }

  /** TwinEdge's alert events as last fetched, while a key is set (none without one, as the Active list shows). */
  openAlertEvents(): AlertEvent[] {
    return this.o.keys.key === null ? [] : this.o.cache.get('alertEvents').items;
  }

  async createAlertRule(body: AlertRuleBody): Promise<AlertRule> {
    const rule = await this.o.clients.require().createAlertRule(body);
    this.o.cache.add('alertRules', rule);
    this.o.log.info(`Alert rule "${rule.name}" created in TwinEdge (${rule.id}).`);
    return rule;
  }

  async dashboards(refresh: boolean): Promise<CloudList<Dashboard>> {
    const { cache, clients } = this.o;
    if (refresh && clients.call) await cache.refresh('dashboards', clients.call);
    return this.withNoKey(cache.get('dashboards'));
  }

  async models(refresh: boolean): Promise<CloudList<MlModel>> {
    const { cache, clients } = this.o;
    if (refresh && clients.call) await cache.refresh('models', clients.call);
    return this.withNoKey(cache.get('models'));
  }

  /** Creates or updates a dashboard (recreated when it was deleted in TwinEdge) and keeps the cached list current. */
  async saveDashboard(body: DashboardBody, id: string | null): Promise<Dashboard> {
    const client = this.o.clients.require();
    let saved: Dashboard | null = null;
    if (id) {
      try {
        saved = await client.updateDashboard(id, body);
      } catch (err) {
        if (!(err instanceof TwinEdgeApiError && err.status === 404)) throw err;
      }
    }
    saved ??= await client.createDashboard(body);
    this.o.cache.put('dashboards', saved);
    this.o.log.info(`Dashboard "${saved.name}" saved in TwinEdge (${saved.id}).`);
    return saved;
  }

  private withNoKey<T>(c: CloudList<T>): CloudList<T> {
    return this.o.clients.call || c.error ? c : { ...c, error: 'Not connected to TwinEdge (no API key).' };
  }
}
