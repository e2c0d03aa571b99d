import type { AlarmCondition, AlarmRuleConfig } from '../../domain/alarm/rule-schema.js';
import { AppError } from '../../domain/errors/app-error.js';
import type { StoredDevice } from '../../store/devices-repo.js';
import type { ConfigAlarmRule, ConfigCondition, ConfigFile } from '../../domain/config/config-file-schema.js';

/** A problem found while checking the file against what is configured: the field's path and what is wrong. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** What is known about a device when checking references: from the file, else from the store. */
interface KnownDevice {
  protocol: string;
  tagNames: ReadonlySet<string>;
}

/**
 * Checks what the schema alone cannot: that rules name devices and tags that exist (in the file or already
 * in the store) and that a device of the file does not change the protocol of the stored device of that name.
 * Runs before anything is applied, so a broken file changes nothing.
 */
export const checkConfigReferences = (cfg: ConfigFile, stored: readonly StoredDevice[]): ConfigIssue[] => {
  const issues: ConfigIssue[] = [];
  const known = new Map<string, KnownDevice>();
  for (const d of stored) {
    known.set(d.config.name, { protocol: d.config.protocol, tagNames: new Set(d.tags.map((t) => t.name)) });
  }
  cfg.devices.forEach((d, i) => {
    const existing = known.get(d.name);
    if (existing && existing.protocol !== d.protocol) {
      issues.push({
        path: `devices.${i}.protocol`,
        message: `device "${d.name}" is already configured as ${existing.protocol}; a device cannot change protocol (rename it)`,
      });
    }
    known.set(d.name, { protocol: d.protocol, tagNames: new Set(d.tags.map((t) => t.name)) });
  });
  cfg.alarmRules.forEach((rule, i) => {
    rule.conditions.forEach((c, j) => {
      const at = `alarmRules.${i}.conditions.${j}`;
      const device = known.get(c.device);
      if (!device) {
        issues.push({ path: `${at}.device`, message: `no device "${c.device}"` });
        return;
      }
      if (c.kind !== 'offline' && !device.tagNames.has(c.tagName)) {
        issues.push({ path: `${at}.tagName`, message: `no tag "${c.tagName}" on device "${c.device}"` });
      }
    });
  });
  return issues;
};

/** Turns a rule of the file into the engine's form, with ids looked up from the (already updated) store. */
export const resolveConfigRule = (rule: ConfigAlarmRule, devices: readonly StoredDevice[]): AlarmRuleConfig => {
  const device = (name: string): StoredDevice => {
    const d = devices.find((x) => x.config.name === name);
    if (!d) throw new AppError('invalid_input', `Alarm rule "${rule.name}": no device "${name}".`);
    return d;
  };
  const tagId = (c: Exclude<ConfigCondition, { kind: 'offline' }>): number => {
    const t = device(c.device).tags.find((x) => x.name === c.tagName);
    if (!t) throw new AppError('invalid_input', `Alarm rule "${rule.name}": no tag "${c.tagName}" on "${c.device}".`);
    return t.id;
  };
  const conditions = rule.conditions.map((c): AlarmCondition => {
    if (c.kind === 'offline') return { kind: 'offline', deviceId: device(c.device).id, afterSeconds: c.afterSeconds };
    const { device: _device, tagName: _tagName, ...rest } = c;
    return { ...rest, tagId: tagId(c) };
  });
  return { ...rule, conditions };
};

/** "alarmRules.2.name: duplicate rule name" lines, indented under a first line naming the file. */
export const describeIssues = (file: string, issues: readonly ConfigIssue[]): string =>
  `Config file ${file} is invalid:\n${issues.map((f) => `  ${f.path}: ${f.message}`).join('\n')}`;
