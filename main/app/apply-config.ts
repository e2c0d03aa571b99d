import type { AlarmService } from '../alerts/alarm-service.js';
import { checkConfigReferences, describeIssues, resolveConfigRule } from './config/config-apply.js';
import type { ConfigFile, LoadedConfigFile } from '../domain/config/config-file-schema.js';
import type { Logger } from '../log/logger.js';
import type { StoredDevice } from '../store/devices-repo.js';
import type { Store } from '../store/store.js';
import type { SyncService, SyncSettings } from '../sync/sync-service.js';
import { AppError, errorMessage } from '../domain/errors/app-error.js';
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
 * Settings key of the device and rule names the last applied file declared: what the next file may take away.
 * Names only (never settings or secrets); devices and rules made in the UI are never in it, so never touched.
 */
export const managedKey = 'config.managed';

export interface Managed {
  devices: string[];
  rules: string[];
}

const readManaged = (store: Store): Managed => {
  const v = store.settings.get(managedKey) as Partial<Managed> | undefined;
  const names = (a: unknown): string[] => (Array.isArray(a) ? a.filter((x): x is string => typeof x === 'string') : []);
  return { devices: names(v?.devices), rules: names(v?.rules) };
};

/**
 * Applies a validated config file to the store, idempotently: devices upserted by name, alarm rules upserted
 * by name (as local rules), sync settings set (never the API key). References are checked first; a file
 * with a bad reference is refused whole, and the store keeps the last good settings.
 *
 * What the previous file declared and this one no longer does is taken away: its alarm rules are deleted
 * (configuration only), its devices are disabled, not deleted, so their stored samples stay.
 *
 * All store writes are one transaction: if any fails, nothing of this file stays. The alarm engine and the
 * sync service act on the writes only after the commit (the engine re-reads the store either way), so
 * nothing in memory runs ahead of a store that rolled back. Collectors are started by the caller afterwards.
 */
export const applyConfigFile = (deps: {
  file: string;
  config: LoadedConfigFile;
  store: Store;
  alarms: AlarmService | null;
  sync: SyncService | null;
  log: Logger;
  now?: () => number;
}): void => {
  const { config, store, alarms, sync, log } = deps;
  const issues = checkConfigReferences(config, store.devices.list());
  if (issues.length > 0) throw new AppError('invalid_input', describeIssues(deps.file, issues), issues);

  let applied: ReturnType<typeof writeConfig>;
  try {
    applied = store.transaction(() => writeConfig(deps));
  } catch (err) {
    throw new AppError(
      err instanceof AppError ? err.code : 'internal',
      `Config file ${deps.file} could not be applied, none of it was kept: ${errorMessage(err)}`,
      err instanceof AppError ? err.fields : undefined,
      { cause: err },
    );
  } finally {
    // Committed or rolled back: the engine's rules are what the store now holds.
    alarms?.reload();
  }
  if (applied.syncSettings) sync?.settingsStored(applied.syncSettings);

  for (const name of applied.removedRules) {
    log.info(`Config file ${deps.file}: alarm rule "${name}" is no longer in the file: deleted.`);
  }
  for (const name of applied.disabledDevices) {
    log.info(
      `Config file ${deps.file}: device "${name}" is no longer in the file: collection stopped, its stored ` +
        'samples kept; delete it in Devices to remove them.',
    );
  }
  const removed = [
    ...(applied.removedRules.length > 0 ? [`${applied.removedRules.length} alarm rules deleted`] : []),
    ...(applied.disabledDevices.length > 0 ? [`${applied.disabledDevices.length} devices disabled`] : []),
  ];
  log.info(
    `Config file ${deps.file} applied: ${config.devices.length} devices (${applied.devices} changed), ` +
      `${config.alarmRules.length} alarm rules (${applied.rules} changed)${config.sync ? ', sync settings' : ''}` +
      `${removed.length > 0 ? `; no longer in the file: ${removed.join(', ')}` : ''}.`,
  );
};

/**
 * A file's OPC UA tag without a browse path keeps the one the collector learned for the same node (tag-relocator.ts):
 * otherwise every start would erase it again, and the tag could not be found after the PLC renumbers its nodes.
 */
const keepLearnedPaths = (
  declared: ConfigFile['devices'][number],
  stored: StoredDevice['config'],
): ConfigFile['devices'][number] => {
  if (declared.protocol !== 'opcua' || stored.protocol !== 'opcua') return declared;
  const learned = new Map(stored.tags.map((t) => [t.name, t]));
  return {
    ...declared,
    tags: declared.tags.map((t) => {
      const s = learned.get(t.name);
      return t.browsePath === '' && s && s.nodeId === t.nodeId && s.browsePath !== ''
        ? { ...t, browsePath: s.browsePath }
        : t;
    }),
  };
};

/** A file entry without a storage policy leaves an existing device's policy as it is (see LoadedConfigFile). */
const keepStoredPolicy = (
  declared: ConfigFile['devices'][number],
  stored: StoredDevice['config'],
  config: LoadedConfigFile,
): ConfigFile['devices'][number] => {
  if (!config.devicesWithoutStorage?.has(declared.name)) return declared;
  const storage = stored.settings.storage;
  return declared.protocol === 'opcua'
    ? { ...declared, settings: { ...declared.settings, storage } }
    : { ...declared, settings: { ...declared.settings, storage } };
};

/** The store writes of `applyConfigFile`, run in its transaction; returns what the services must then act on. */
const writeConfig = (deps: Parameters<typeof applyConfigFile>[0]) => {
  const { config, store, alarms, sync, log } = deps;
  const previous = readManaged(store);

  // Names are unique in a file (the schema checks), so one read before the writes serves every lookup by name.
  const storedDevices = new Map(store.devices.list().map((d) => [d.config.name, d]));
  let devices = 0;
  for (const declared of config.devices) {
    const existing = storedDevices.get(declared.name);
    const device = existing
      ? keepStoredPolicy(keepLearnedPaths(declared, existing.config), existing.config, config)
      : declared;
    if (existing) {
      const { id: _id, ...current } = existing.config;
      const currentTags = current.tags.map(({ id: _tagId, ...t }) => t);
      if (same({ ...current, tags: currentTags }, device)) continue;
    }
    store.devices.save({ ...device, ...(existing ? { id: existing.id } : {}) });
    devices++;
  }
  // Disabled, not deleted: deleting a device deletes its history, which a file edit must never do.
  const inFile = new Set(config.devices.map((d) => d.name));
  const disabledDevices: string[] = [];
  for (const name of previous.devices.filter((n) => !inFile.has(n))) {
    const stored = storedDevices.get(name);
    if (!stored?.config.enabled) continue;
    store.devices.save({ ...stored.config, enabled: false });
    disabledDevices.push(name);
  }

  let rules = 0;
  const removedRules: string[] = [];
  if (alarms) {
    const localRules = new Map(
      store.alarms
        .rules()
        .filter((r) => r.source === 'local')
        .map((r) => [r.name, r]),
    );
    const devicesNow = store.devices.list();
    for (const rule of config.alarmRules) {
      const resolved = resolveConfigRule(rule, devicesNow);
      const existing = localRules.get(rule.name);
      if (existing) {
        const { id: _id, source: _s, cloudId: _c, createdAt: _ca, updatedAt: _ua, ...current } = existing;
        if (same(current, resolved)) continue;
      }
      alarms.storeRule({ ...resolved, ...(existing ? { id: existing.id } : {}) }, 'local');
      rules++;
    }
    const ruleNames = new Set(config.alarmRules.map((r) => r.name));
    for (const name of previous.rules.filter((n) => !ruleNames.has(n))) {
      const stored = localRules.get(name);
      if (!stored) continue;
      store.alarms.deleteRule(stored.id);
      removedRules.push(name);
    }
  } else if (config.alarmRules.length > 0) {
    log.warn('Config file: alarm rules not applied (the data store is not open).');
  }

  let syncSettings: SyncSettings | null = null;
  if (config.sync && sync) {
    const { paused, ...settings } = config.sync;
    const before = sync.status();
    syncSettings = {
      ...(settings.baseUrl !== undefined && settings.baseUrl.replace(/\/+$/, '') !== before.baseUrl
        ? { baseUrl: settings.baseUrl }
        : {}),
      ...(settings.capMiB !== undefined && settings.capMiB * 1024 * 1024 !== before.backlog.capBytes
        ? { capMiB: settings.capMiB }
        : {}),
      ...(settings.policy !== undefined && settings.policy !== before.backlog.policy
        ? { policy: settings.policy }
        : {}),
      ...(paused !== undefined && paused !== before.paused ? { paused } : {}),
    };
    if (Object.keys(syncSettings).length === 0) syncSettings = null;
    else sync.storeSettings(syncSettings);
  }
  if (config.demoPlant !== undefined) writeUiSettings(store, { demoPlant: config.demoPlant });

  store.settings.set(managedKey, {
    devices: config.devices.map((d) => d.name),
    rules: alarms ? config.alarmRules.map((r) => r.name) : previous.rules,
  } satisfies Managed);
  store.settings.set(lastAppliedKey, { file: deps.file, at: (deps.now ?? Date.now)() } satisfies LastApplied);
  return { devices, rules, removedRules, disabledDevices, syncSettings };
};
