import { z } from 'zod';
import type { SettingsRepo } from '../store/settings-repo.js';
import { AlertEventAnswer, AlertRuleAnswer, DashboardAnswer, MlModelAnswer } from './api/answers.js';
import type { Page, PageQuery, TwinEdgeCloudApi } from './client/client-api.js';
import { errorText } from './client/api-error.js';
import { listAll } from './client/pages.js';
import type { Clock } from './clock.js';

export interface Cached<T> {
  items: T[];
  fetchedAt: number | null;
  error: string | null;
}

/** Every item of a list, 100 per page (bounded: a server that never ends is an error, not a hang). */
export const listEvery = <T>(fetch: (q: PageQuery) => Promise<Page<T>>): Promise<T[]> =>
  listAll((page) => fetch({ page, per_page: 100 }), { maxPages: 50 });

const kinds = {
  alertRules: z.array(AlertRuleAnswer),
  alertEvents: z.array(AlertEventAnswer),
  dashboards: z.array(DashboardAnswer),
  models: z.array(MlModelAnswer),
} as const;
type Kind = keyof typeof kinds;
type ItemOf<K extends Kind> = z.infer<(typeof kinds)[K]>[number];

/**
 * The last copy of TwinEdge's alert rules and events, dashboards and ML models, kept in the store so the
 * views have something to show offline and after a restart, with when it was fetched and why a refresh failed.
 */
export class CloudCache {
  constructor(
    private readonly settings: SettingsRepo,
    private readonly clock: Clock,
  ) {}

  get<K extends Kind>(kind: K): Cached<ItemOf<K>> {
    const raw = this.settings.get(`cloud.cache.${kind}`) as
      { items?: unknown; fetchedAt?: unknown; error?: unknown } | undefined;
    const items = kinds[kind].safeParse(raw?.items);
    return {
      items: items.success ? items.data : [],
      fetchedAt: typeof raw?.fetchedAt === 'number' ? raw.fetchedAt : null,
      error: typeof raw?.error === 'string' ? raw.error : null,
    };
  }

  async refresh<K extends Kind>(kind: K, client: TwinEdgeCloudApi): Promise<Cached<ItemOf<K>>> {
    const before = this.get(kind);
    try {
      const items = (await this.fetch(kind, client)) as ItemOf<K>[];
      this.settings.set(`cloud.cache.${kind}`, { items, fetchedAt: this.clock.now(), error: null });
    } catch (err) {
      this.settings.set(`cloud.cache.${kind}`, { ...before, error: errorText(err) });
    }
    return this.get(kind);
  }

  /** Adds an item created through the app (e.g. a pushed alert rule) without waiting for the next refresh. */
  add<K extends Kind>(kind: K, item: ItemOf<K>): void {
    const c = this.get(kind);
    this.settings.set(`cloud.cache.${kind}`, { ...c, items: [...c.items, item] });
  }

  /** Adds an item, replacing the cached one with the same id. */
  put<K extends Kind>(kind: K, item: ItemOf<K>): void {
    const c = this.get(kind);
    this.settings.set(`cloud.cache.${kind}`, { ...c, items: [...c.items.filter((i) => i.id !== item.id), item] });
  }

  private fetch(kind: Kind, client: TwinEdgeCloudApi): Promise<unknown[]> {
    switch (kind) {
      case 'alertRules':
        return listEvery((q) => client.listAlertRules(q));
      case 'alertEvents':
        return listEvery((q) => client.listAlertEvents(q));
      case 'dashboards':
        return listEvery((q) => client.listDashboards(q));
      case 'models':
        return listEvery((q) => client.listModels(q));
    }
  }
}
