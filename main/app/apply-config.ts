import type { AlarmService } from '../alerts/alarm-service.js';
import { checkConfigReferences, describeIssues, resolveConfigRule } from '../config/config-apply.js';
import type { ConfigFile } from '../config/config-file-schema.js';
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/store.js';
import type { SyncService } from '../sync/sync-service.js';
import { AppError } from './errors.js';
import { writeUiSettings } from './ui-settings.js';

/** Settings key of the last config file applied whole (file and time), for the "last good settings" message. */
export const lastAppliedKey = 'config.lastApplied';

export interface LastApplied {
  file: string;
  at: number;
}

export const readLastApplied = (store: Store | null): LastApplied | null => {
  const v = store?.settings.get(lastAppliedKey) as Partial<LastApplied> | undefined;
  return v && typeof v.file === 'string' && typeof v.at === 'number' ? { file: v.file, at: v.at } : null;
};

/** JSON with object keys sorted, so two equal settings compare equal whatever order their keys came in. */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_key, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
const same = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b);

/**
 * Applies a validated config file to the store, idempotently: devices upserted by name, alarm rules upserted
 * by name (as local rules), sync settings set (never the API key). References are checked first; a file
 * with a bad reference is refused whole, and the store keeps the last good settings.
 */
export const applyConfigFile = (deps: {
  file: string;
  config: ConfigFile;
  store: Store;
  alarms: AlarmService | null;
  sync: SyncService | null;
  log: Logger;
  now?: () => number;
}): void => {
  const { config, store, alarms, sync, log } = deps;
  const issues = checkConfigReferences(config, store.devices.list());
  if (issues.length > 0) throw new AppError('invalid_input', describeIssues(deps.file, issues), issues);

  let devices = 0;
  for (const device of config.devices) {
    const existing = store.devices.list().find((d) => d.config.name === device.name);
    if (existing) {
      const { id: _id, ...current } = existing.config;
      const currentTags = current.tags.map(({ id: _tagId, ...t }) => t);
      if (same({ ...current, tags: currentTags }, device)) continue;
    }
    store.devices.save({ ...device, ...(existing ? { id: existing.id } : {}) });
    devices++;
  }

  let rules = 0;
  if (alarms) {
    for (const rule of config.alarmRules) {
      const resolved = resolveConfigRule(rule, store.devices.list());
      const existing = alarms.rules().find((r) => r.source === 'local' && r.name === rule.name);
      if (existing) {
        const { id: _id, source: _s, cloudId: _c, createdAt: _ca, updatedAt: _ua, ...current } = existing;
        if (same(current, resolved)) continue;
      }
      alarms.saveRule({ ...resolved, ...(existing ? { id: existing.id } : {}) }, 'local');
      rules++;
    }
  } else if (config.alarmRules.length > 0) {
    log.warn('Config file: alarm rules not applied (the data store is not open).');
  }

  if (config.sync && sync) {
    const { paused, ...settings } = config.sync;
    const before = sync.status();
    const changed = {
      ...(settings.baseUrl !== undefined && settings.baseUrl.replace(/\/+$/, '') !== before.baseUrl
        ? { baseUrl: settings.baseUrl }
        : {}),
      ...(settings.capMiB !== undefined && settings.capMiB * 1024 * 1024 !== before.backlog.capBytes
        ? { capMiB: settings.capMiB }
        : {}),
      ...(settings.policy !== undefined && settings.policy !== before.backlog.policy
        ? { policy: settings.policy }
        : {}),
    };
    if (Object.keys(changed).length > 0) sync.configure(changed);
    if (paused !== undefined && paused !== before.paused) sync.setPaused(paused);
  }
  if (config.demoPlant !== undefined) writeUiSettings(store, { demoPlant: config.demoPlant });

  store.settings.set(lastAppliedKey, { file: deps.file, at: (deps.now ?? Date.now)() } satisfies LastApplied);
  log.info(
    `Config file ${deps.file} applied: ${config.devices.length} devices (${devices} changed), ` +
      `${config.alarmRules.length} alarm rules (${rules} changed)${config.sync ? ', sync settings' : ''}.`,
  );
};
