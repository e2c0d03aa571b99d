import { z } from 'zod';
import { ModbusSettings, ModbusTag } from './modbus-schema.js';
import { OpcUaSettings, OpcUaTag } from './opcua-schema.js';
import { effectivePolicy, resolvePolicy, type StoragePolicy } from '../storage/storage-policy.js';

interface TagSpanFields {
  spanLow: number | null;
  spanHigh: number | null;
}

export * from './modbus-schema.js';
export * from './opcua-schema.js';

/**
 * Device and tag settings: the one definition used by the contract (renderer edits), the store
 * (persisted JSON) and the headless config file. Limits are what real devices tolerate, not
 * what is convenient: a 1 ms Modbus poll would flood a PLC, a 0 s OPC UA publish is invalid.
 */

const name = z
  .string()
  .trim()
  .min(1, 'a name is required')
  .max(80, 'at most 80 characters')
  .regex(/^\P{Cc}*$/u, 'no control characters');

const uniqueTagNames = <T extends { name: string }>(tags: T[], ctx: z.RefinementCtx): void => {
  const seen = new Set<string>();
  tags.forEach((t, i) => {
    if (seen.has(t.name)) {
      ctx.addIssue({ code: 'custom', message: `duplicate tag name "${t.name}"`, path: [i, 'name'] });
    }
    seen.add(t.name);
  });
};

/** A percent band needs the tag's span: checked here, where the device's policy and the tag's meet. */
export const resolvablePolicies = (
  d: { settings: { storage: StoragePolicy }; tags: (TagSpanFields & { storage: StoragePolicy | null })[] },
  ctx: z.RefinementCtx,
): void => {
  d.tags.forEach((t, i) => {
    const problem = resolvePolicy(effectivePolicy(d.settings.storage, t.storage), t);
    if (typeof problem === 'string') ctx.addIssue({ code: 'custom', message: problem, path: ['tags', i, 'spanLow'] });
  });
};

/** The fields, unrefined (zod cannot omit from a refined object: the config file omits ids from these). */
export const OpcUaDeviceFields = z.object({
  id: z.number().int().positive().optional(),
  name,
  protocol: z.literal('opcua'),
  enabled: z.boolean().default(true),
  settings: OpcUaSettings,
  tags: z.array(OpcUaTag).max(100_000).superRefine(uniqueTagNames),
});

export const OpcUaDeviceInput = OpcUaDeviceFields.superRefine(resolvablePolicies);

/** The fields, unrefined (zod cannot omit from a refined object: the config file omits ids from these). */
export const ModbusDeviceFields = z.object({
  id: z.number().int().positive().optional(),
  name,
  protocol: z.literal('modbus'),
  enabled: z.boolean().default(true),
  settings: ModbusSettings,
  tags: z.array(ModbusTag).max(100_000).superRefine(uniqueTagNames),
});

export const ModbusDeviceInput = ModbusDeviceFields.superRefine(resolvablePolicies);

export const DeviceInput = z.discriminatedUnion('protocol', [OpcUaDeviceInput, ModbusDeviceInput]);

export type OpcUaDeviceInput = z.infer<typeof OpcUaDeviceInput>;
export type ModbusDeviceInput = z.infer<typeof ModbusDeviceInput>;
/** A device as configured (parsed: defaults filled in). */
export type DeviceConfig = z.infer<typeof DeviceInput>;
/** A device as a caller may send it (defaults optional). */
export type DeviceConfigInput = z.input<typeof DeviceInput>;
export type Protocol = DeviceConfig['protocol'];
