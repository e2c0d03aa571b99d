// The two TwinEdge clients (uploads, other calls), made for the current key and address, and what their answers tell.
import { hostOf } from '../domain/sync/base-url.js';
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/store.js';
import type { RequestBudget } from './budget.js';
import type { TwinEdgeCloudApi } from './client/client-api.js';
import type { MisreadInfo } from './client/request.js';
import { TwinEdgeClient, type IngestPath } from './client/twinedge-client.js';
import { systemClock, type Clock } from './clock.js';
import type { KeyLifecycle } from './key-lifecycle.js';
import { TwinEdgeNotConfigured } from './not-configured.js';
import type { SyncHealth } from './sync-health.js';
import { settingKeys, type SyncSettingsStore } from './sync-settings.js';

export type ClientFactory = (o: {
  baseUrl: string;
  apiKey: () => Promise<string | null>;
  uploads: boolean;
}) => TwinEdgeCloudApi;

export interface CloudClientsOptions {
  store: Store;
  settings: SyncSettingsStore;
  keys: KeyLifecycle;
  budget: RequestBudget;
  health: SyncHealth;
  clock: Clock;
  log: Logger;
  clientFactory?: ClientFactory;
}

/** Null while no key is set or the key may not go to the configured address. */
export class CloudClients {
  upload: TwinEdgeCloudApi | null = null;
  call: TwinEdgeCloudApi | null = null;

  constructor(private readonly o: CloudClientsOptions) {}

  /** Makes both clients again (key or address changed). */
  make(): void {
    const { keys, health } = this.o;
    keys.keyInfoUnsupported = false;
    health.answered = false;
    keys.tier = null;
    const block = keys.blockReason();
    if (!keys.key || block) {
      if (block) this.o.log.warn(block);
      this.upload = null;
      this.call = null;
      return;
    }
    const apiKey = (): Promise<string | null> => Promise.resolve(keys.key);
    const baseUrl = this.o.settings.baseUrl;
    const host = hostOf(baseUrl) ?? baseUrl;
    const remembered = this.o.store.settings.get(settingKeys.ingestPath) as
      { host?: unknown; path?: unknown } | undefined;
    const ingestPath: IngestPath | undefined =
      remembered?.host === host && (remembered.path === '/telemetry' || remembered.path === '/telemetry/ingest')
        ? remembered.path
        : undefined;
    const make = (uploads: boolean): TwinEdgeCloudApi =>
      this.o.clientFactory?.({ baseUrl, apiKey, uploads }) ??
      new TwinEdgeClient({
        baseUrl,
        apiKey,
        clock: this.o.clock,
        timeoutClock: systemClock,
        // The uploader retries by itself, with its batch kept on disk; other calls get a few quick retries.
        maxRetries: uploads ? 0 : 2,
        ...(ingestPath ? { ingestPath } : {}),
        onIngestPath: (path) => {
          this.o.store.settings.set(settingKeys.ingestPath, { host, path });
          this.o.log.warn(
            `TwinEdge at ${host} has no ingest route ${path === '/telemetry' ? '/telemetry/ingest' : '/telemetry'}: telemetry goes to POST ${path} from now on.`,
          );
        },
        onMisread: (info) => this.misread(info),
        onRateLimit: (state) => this.o.budget.observe(state),
        onRequest: ({ status, method, path }) => {
          if (status !== null) health.answered = true;
          if (status === 401) {
            // Logged once per refusal (not per retry): the key itself never is, the redactor sees to that.
            if (!health.keyRefused) this.o.log.warn(`TwinEdge refused the API key: ${status} to ${method} ${path}.`);
            health.keyRefused = `TwinEdge answered ${status} to ${method} ${path}`;
          } else if (status === 403) {
            // A key with fewer scopes is refused one thing, not everything: said once per route, sync goes on.
            health.warnOnce(
              `403 ${method} /${path.split('/')[1] ?? ''}`,
              `The API key may not ${method === 'GET' ? 'read' : 'change'} ${path} in TwinEdge (403 to ${method} ${path}): what needs it is skipped; the rest of cloud sync goes on.`,
            );
          } else if (status !== null && status < 400) health.keyRefused = null;
        },
      });
    this.upload = make(true);
    this.call = make(false);
  }

  /** The client for on-demand calls; throws TwinEdgeNotConfigured, with the reason, while there is none. */
  require(): TwinEdgeCloudApi {
    if (!this.call)
      throw new TwinEdgeNotConfigured(
        this.o.keys.blockReason() ?? this.o.keys.keyError ?? 'No TwinEdge API key is set (Cloud sync view).',
      );
    return this.call;
  }

  /** A successful answer with parts we could not read: said once per route and problem, as a WARN. */
  private misread(info: MisreadInfo): void {
    this.o.health.warnOnce(
      `${info.method} ${info.path} ${info.what.replace(/\[\d+\]/g, '[]')}`,
      `TwinEdge answered ${info.method} ${info.path} with ${info.status}, but this version could not read all of it (${info.what}); the rest was used.`,
    );
  }
}
