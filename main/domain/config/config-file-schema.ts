import { z } from 'zod';
import { AlarmRuleInput, compareOperators, textOperators } from '../alarm/rule-schema.js';
import { SyncConfigureInput } from '../sync/sync-configure-input.js';
import { ModbusDeviceFields, OpcUaDeviceFields, resolvablePolicies } from '../device/device-schema.js';

/**
 * The headless config file (`--config FILE`): devices and tags, alarm rules and cloud sync settings declared
 * as JSON, for gateways set up by script. Everything is matched by name on every start (devices by device
 * name, rules by rule name, tags by device name + tag name): the file wins for what it names, and applying it
 * twice changes nothing. The TwinEdge API key is never in this file: it stays in the OS keychain, or in the
 * environment (TWINEDGE_SECRETS_FROM_ENV=1) for services.
 */

const deviceName = z.string().trim().min(1, 'name the device (as in "devices" or already configured)');
const tagRef = { device: deviceName, tagName: z.string().trim().min(1, 'name the tag') };

const finite = z.number().finite();
/** The rule conditions of main/alerts/rule-schema.ts, with tags and devices referenced by name instead of id. */
const ConfigCondition = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('threshold'), ...tagRef, operator: z.enum(compareOperators), threshold: finite }).strict(),
  z
    .object({
      kind: z.literal('range'),
      ...tagRef,
      operator: z.enum(['between', 'outside']),
      low: finite,
      high: finite,
    })
    .strict(),
  z
    .object({
      kind: z.literal('rate'),
      ...tagRef,
      operator: z.enum(['>', '<']),
      perMinute: finite,
      windowSeconds: z.number().min(1).max(3600),
    })
    .strict(),
  z.object({ kind: z.literal('stale'), ...tagRef, afterSeconds: z.number().min(1).max(86_400) }).strict(),
  z.object({ kind: z.literal('quality'), ...tagRef, includeUncertain: z.boolean().default(false) }).strict(),
  z
    .object({
      kind: z.literal('text'),
      ...tagRef,
      operator: z.enum(textOperators),
      text: z.string().min(1).max(200),
    })
    .strict(),
  z
    .object({ kind: z.literal('offline'), device: deviceName, afterSeconds: z.number().min(0).max(86_400).default(0) })
    .strict(),
]);
export type ConfigCondition = z.output<typeof ConfigCondition>;

export const ConfigAlarmRule = AlarmRuleInput.omit({ id: true, conditions: true })
  .extend({
    conditions: z.array(ConfigCondition).min(1, 'a rule needs at least one condition').max(10),
  })
  .strict();
export type ConfigAlarmRule = z.output<typeof ConfigAlarmRule>;

export const ConfigSync = SyncConfigureInput.extend({
  /** Pause uploads (samples are still buffered). */
  paused: z.boolean().optional(),
})
  .strict()
  .describe('Cloud sync settings. The API key is never here: it stays in the keychain or TWINEDGE_SECRET_* env vars');

export const ConfigFile = z
  .object({
    $schema: z.string().optional(),
    demoPlant: z.boolean().optional().describe('Run the built-in demo plant (default true)'),
    // No ids in a file: devices are matched by name.
    devices: z
      .array(
        z.discriminatedUnion('protocol', [
          OpcUaDeviceFields.omit({ id: true }).superRefine(resolvablePolicies),
          ModbusDeviceFields.omit({ id: true }).superRefine(resolvablePolicies),
        ]),
      )
      .default([]),
    alarmRules: z.array(ConfigAlarmRule).default([]).describe('Local alarm rules, matched by name'),
    sync: ConfigSync.optional(),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.devices.forEach((d, i) => {
      if (seen.has(d.name))
        ctx.addIssue({ code: 'custom', message: `duplicate device name "${d.name}"`, path: ['devices', i, 'name'] });
      seen.add(d.name);
    });
    const rules = new Set<string>();
    cfg.alarmRules.forEach((r, i) => {
      if (rules.has(r.name))
        ctx.addIssue({ code: 'custom', message: `duplicate rule name "${r.name}"`, path: ['alarmRules', i, 'name'] });
      rules.add(r.name);
      r.conditions.forEach((c, j) => {
        if (c.kind === 'range' && c.low > c.high)
          ctx.addIssue({
            code: 'custom',
            message: 'low must not be above high',
            path: ['alarmRules', i, 'conditions', j, 'high'],
          });
      });
    });
  });

export type ConfigFile = z.infer<typeof ConfigFile>;
