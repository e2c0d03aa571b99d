import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AppError } from '../app/errors.js';
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

/** Reads and validates a config file; the error names the file, the bad field's path and what was expected. */
export const loadConfigFile = (path: string): ConfigFile => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new AppError('invalid_input', `Cannot read config file ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new AppError('invalid_input', `Config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = ConfigFile.safeParse(json);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(top level)',
    message: issue.message,
  }));
  const lines = fields.map((f) => `  ${f.path}: ${f.message}`).join('\n');
  throw new AppError('invalid_input', `Config file ${path} is invalid:\n${lines}`, fields);
};

/** The published JSON Schema (main/config/twinedge-config.schema.json is generated from this). */
export const configJsonSchema = (): unknown => ({
  title: 'TwinEdge Desktop headless configuration',
  ...z.toJSONSchema(ConfigFile, { io: 'input', unrepresentable: 'any' }),
});
