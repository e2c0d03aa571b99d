import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppError } from '../../main/app/errors.js';
import { configJsonSchema, loadConfigFile } from '../../main/config/config-file.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('headless config file', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.remove());

  const write = (content: unknown): string => {
    const path = join(dir.path, 'plant.json');
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  const refusal = (path: string): AppError => {
    try {
      loadConfigFile(path);
    } catch (err) {
      return err as AppError;
    }
    throw new Error('expected the file to be refused');
  };

  it('loads devices and fills defaults', () => {
    const cfg = loadConfigFile(
      write({
        demoPlant: false,
        devices: [
          {
            name: 'Line 3 PLC',
            protocol: 'opcua',
            settings: { endpointUrl: 'opc.tcp://plc-3:4840' },
            tags: [{ name: 'Oven temp', unit: '°C', nodeId: 'ns=3;s=Oven.Temp' }],
          },
        ],
      }),
    );
    expect(cfg.demoPlant).toBe(false);
    expect(cfg.devices[0]).toMatchObject({
      enabled: true,
      settings: { securityMode: 'None', publishingIntervalMs: 1000 },
      tags: [{ samplingIntervalMs: 1000 }],
    });
  });

  it('names the path of the bad field and what was expected', () => {
    const err = refusal(
      write({
        devices: [
          { name: 'ok', protocol: 'modbus', settings: { host: 'plc' }, tags: [] },
          { name: 'bad', protocol: 'modbus', settings: { host: 'plc', unitId: 300 }, tags: [] },
        ],
      }),
    );
    expect(err.code).toBe('invalid_input');
    expect(err.message).toContain('plant.json is invalid');
    expect(err.message).toMatch(/devices\.1\.settings\.unitId: .*255/);
  });

  it('refuses unknown keys, duplicate names and broken JSON with the file name', () => {
    expect(refusal(write({ devcies: [] })).message).toMatch(/devcies/);
    const dup = { name: 'x', protocol: 'modbus', settings: { host: 'plc' }, tags: [] };
    expect(refusal(write({ devices: [dup, dup] })).message).toMatch(/devices\.1\.name: duplicate device name "x"/);
    expect(refusal(write('{ "devices": [ ')).message).toMatch(/plant\.json is not valid JSON/);
    expect(refusal(join(dir.path, 'missing.json')).message).toMatch(/Cannot read config file .*missing\.json/);
  });

  it('never keeps a password: one written into a device identity is dropped, and the schema offers none', () => {
    const secret = 'Pa55-in-a-config-file';
    const cfg = loadConfigFile(
      write({
        devices: [
          {
            name: 'Line 3 PLC',
            protocol: 'opcua',
            settings: {
              endpointUrl: 'opc.tcp://plc-3:4840',
              identity: { type: 'username', userName: 'operator', password: secret },
            },
            tags: [{ name: 'Oven temp', nodeId: 'ns=3;s=Oven.Temp' }],
          },
        ],
      }),
    );
    expect(cfg.devices[0]).toMatchObject({ settings: { identity: { type: 'username', userName: 'operator' } } });
    expect(JSON.stringify(cfg)).not.toContain(secret);
    expect(JSON.stringify(configJsonSchema())).not.toMatch(/"password"/i);
  });

  it('the published JSON Schema is the one generated from the code', () => {
    const published = JSON.parse(readFileSync('main/config/twinedge-config.schema.json', 'utf8')) as unknown;
    expect(published).toEqual(configJsonSchema());
  });
});
