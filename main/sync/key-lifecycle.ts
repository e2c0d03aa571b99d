// The TwinEdge API key: read from the keychain, set, removed and tested, bound to the host it was entered for.
import type { SyncStatus } from '../domain/sync/sync-status.js';
import type { KeyTestResult } from '../domain/sync/key-test.js';
import { baseUrlProblem, hostOf } from '../domain/sync/base-url.js';
import type { Logger } from '../log/logger.js';
import { secretRedactor } from '../log/redactor.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { Store } from '../store/store.js';
import type { KeyInfoAnswer } from './api/answers.js';
import type { RequestBudget } from './budget.js';
import type { TwinEdgeCloudApi } from './client/client-api.js';
import { errorText, httpStatus } from './client/api-error.js';
import type { Clock } from './clock.js';
import { TwinEdgeNotConfigured } from './not-configured.js';
import type { SyncHealth } from './sync-health.js';
import { settingKeys, type SyncSettingsStore } from './sync-settings.js';

/** Where the API key lives in the secret store. */
export const API_KEY_SECRET = 'twinedge/api-key';

export interface KeyLifecycleOptions {
  store: Store;
  secrets: SecretStore;
  settings: SyncSettingsStore;
  budget: RequestBudget;
  health: SyncHealth;
  clock: Clock;
  log: Logger;
}

/** Holds the key (it never leaves this object except on the wire) and what TwinEdge said about it. */
export class KeyLifecycle {
  key: string | null = null;
  keyError: string | null = null;
  tier: SyncStatus['budget']['tier'] = null;
  /** GET /auth/key answered 404: this service does not tell a key's tier and limits (asked again for a new client). */
  keyInfoUnsupported = false;

  constructor(private readonly o: KeyLifecycleOptions) {}

  private get baseUrl(): string {
    return this.o.settings.baseUrl;
  }

  get keyHost(): string | null {
    return this.o.settings.keyHost;
  }

  /** Reads the stored key at start; a keychain that cannot be read leaves sync off, with the reason. */
  async load(): Promise<void> {
    try {
      this.key = await this.o.secrets.get(API_KEY_SECRET);
      secretRedactor.register(this.key);
      this.keyError = null;
      // A key stored before keys were bound to a host is bound to the host it has been used with.
      const host = hostOf(this.baseUrl);
      if (this.key && host && typeof this.o.store.settings.get(settingKeys.keyHost) !== 'string')
        this.o.store.settings.set(settingKeys.keyHost, host);
    } catch (err) {
      this.key = null;
      this.keyError = `The TwinEdge API key could not be read from ${this.o.secrets.description}: ${errorText(err)}`;
      this.o.log.warn(this.keyError);
    }
  }

  /** Stores a new key bound to the configured host, and forgets what was said about the old one; returns the host. */
  async set(key: string): Promise<string> {
    // Registered before anything can fail with it: from now on the key cannot reach a log line.
    secretRedactor.register(key);
    const host = hostOf(this.baseUrl);
    const problem = baseUrlProblem(this.baseUrl);
    if (problem || !host)
      throw new TwinEdgeNotConfigured(`The TwinEdge address ${this.baseUrl} cannot be used: ${problem ?? 'not a URL'}`);
    await this.o.secrets.set(API_KEY_SECRET, key);
    this.o.store.settings.set(settingKeys.keyHost, host);
    this.key = key;
    this.keyError = null;
    this.o.health.keyRefused = null;
    this.o.health.lastError = null;
    return host;
  }

  async remove(): Promise<void> {
    await this.o.secrets.delete(API_KEY_SECRET);
    this.o.store.settings.delete(settingKeys.keyHost);
    this.key = null;
    this.tier = null;
  }

  /** Why the key may not be sent to the configured address (not https, or another host than it was entered for). */
  blockReason(): string | null {
    if (!this.key) return null;
    const problem = baseUrlProblem(this.baseUrl);
    if (problem) return `Cloud sync is off: the TwinEdge address ${this.baseUrl} cannot be used (${problem}).`;
    const host = hostOf(this.baseUrl);
    const bound = this.keyHost;
    if (bound && host !== bound)
      return `Cloud sync is off: the API key was entered for ${bound}, and TwinEdge is now set to ${host ?? this.baseUrl}. Enter the key again for ${host ?? 'the new address'} (Cloud sync view); it is never sent to another host.`;
    return null;
  }

  /** Tier and limits from GET /auth/key, where the service reported them. */
  useKeyInfo(k: KeyInfoAnswer): void {
    this.tier = k.tier === 'unknown' ? null : k.tier;
    const { per_minute: perMinute, per_day: perDay } = k.limits;
    if (perMinute !== null && perDay !== null && perMinute > 0 && perDay > 0)
      this.o.budget.setLimits({ perMinute, perDay });
  }

  /** GET /auth/key failed in a refresh: a service without it is noted once and not asked again, else an error. */
  keyInfoFailed(err: unknown): void {
    const status = httpStatus(err);
    if (status === 404 || status === 403) {
      // GET /auth/key is our addition: a service without it simply does not tell.
      this.keyInfoUnsupported = true;
      this.o.log.info(
        `TwinEdge at ${hostOf(this.baseUrl) ?? this.baseUrl} does not report the key's tier and limits (${status} to GET /auth/key): uploads are paced for the smallest tier (Trial) until its rate-limit headers say more.`,
      );
    } else this.o.health.lastError = { at: this.o.clock.now(), message: errorText(err) };
  }

  /** Asks TwinEdge whether it takes the key (and its tier); `onInfo` runs once tier and limits are known. */
  async test(client: TwinEdgeCloudApi | null, onInfo: () => void): Promise<KeyTestResult> {
    if (!client) return { ok: false, info: null, message: this.blockReason() ?? this.keyError ?? 'No API key is set.' };
    try {
      const k = await client.keyInfo();
      this.useKeyInfo(k);
      onInfo();
      const tier = k.tier === 'unknown' ? null : k.tier;
      const perMinute = k.limits.per_minute;
      const perDay = k.limits.per_day;
      const limits = perMinute !== null && perDay !== null ? `, ${perMinute} requests/min, ${perDay} requests/day` : '';
      return {
        ok: true,
        info:
          tier && perMinute !== null && perDay !== null
            ? { name: k.name, tier, scopes: k.scopes, perMinute, perDay }
            : null,
        message: `Key accepted: ${tier ? `${tier} tier` : 'tier not reported'}${limits}.`,
      };
    } catch (err) {
      if (httpStatus(err) !== 404) {
        return { ok: false, info: null, message: errorText(err) };
      }
      this.keyInfoUnsupported = true;
    }
    // The service does not describe keys (GET /auth/key is our addition): one cheap call says whether it takes it.
    const unknownLimits =
      'it does not report the key’s tier or limits, so uploads are paced for the smallest (Trial) until its rate-limit headers say more';
    try {
      await client.listDevices({ page: 1, per_page: 1 });
      return { ok: true, info: null, message: `Key accepted by TwinEdge; ${unknownLimits}.` };
    } catch (err) {
      if (httpStatus(err) === 403)
        return {
          ok: true,
          info: null,
          message: `Key accepted by TwinEdge, with limited scopes (it may not read devices: 403 to GET /devices); ${unknownLimits}.`,
        };
      return { ok: false, info: null, message: errorText(err) };
    }
  }
}
