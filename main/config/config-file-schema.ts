import { z } from 'zod';
import { ModbusDeviceInput, OpcUaDeviceInput } from './device-schema.js';

/**
 * The headless config file (`--config FILE`): devices and tags declared as JSON, for gateways set up
 * by script. Devices are matched by name on every start; the file wins for the devices it names.
 */
export const ConfigFile = z
  .object({
    $schema: z.string().optional(),
    demoPlant: z.boolean().optional().describe('Run the built-in demo plant (default true)'),
    // No ids in a file: devices are matched by name.
    devices: z
      .array(
        z.discriminatedUnion('protocol', [OpcUaDeviceInput.omit({ id: true }), ModbusDeviceInput.omit({ id: true })]),
      )
      .default([]),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.devices.forEach((d, i) => {
      if (seen.has(d.name))
        ctx.addIssue({ code: 'custom', message: `duplicate device name "${d.name}"`, path: ['devices', i, 'name'] });
      seen.add(d.name);
    });
  });

export type ConfigFile = z.infer<typeof ConfigFile>;
