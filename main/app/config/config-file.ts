import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AppError } from '../../domain/errors/app-error.js';
import { describeIssues } from './config-apply.js';
import { ConfigFile, devicesWithoutStorage, type LoadedConfigFile } from '../../domain/config/config-file-schema.js';

export { ConfigFile } from '../../domain/config/config-file-schema.js';

/** Reads and validates a config file; the error names the file, the bad field's path and what was expected. */
export const loadConfigFile = (path: string): LoadedConfigFile => {
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
  if (parsed.success) return { ...parsed.data, devicesWithoutStorage: devicesWithoutStorage(json) };
  const fields = parsed.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(top level)',
    message: issue.message,
  }));
  throw new AppError('invalid_input', describeIssues(path, fields), fields);
};

/** The published JSON Schema (main/app/config/twinedge-config.schema.json is generated from this). */
export const configJsonSchema = (): unknown => ({
  title: 'TwinEdge Desktop headless configuration',
  ...z.toJSONSchema(ConfigFile, { io: 'input', unrepresentable: 'any' }),
});
