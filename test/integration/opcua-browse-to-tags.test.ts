import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../main/app/create-app.js';
import type { BrowseEntry } from '../../main/domain/opcua/browse.js';
import type { CallName } from '../../main/contract/wire.js';
import type { CallOutput } from '../../main/contract/contract.js';
import { silentLogger } from '../../main/log/logger.js';
import { startPlcServer, type PlcServer } from '../helpers/opcua-plc-server.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

/**
 * From the browse tree to stored samples through the app's router, against the test PLC: rows of opcua.browse made
 * into tags exactly as the address-space panel does (node id, IndexRange, field path, browse path), collected, and
 * read back from the store: numbers from fields and elements, text from a String variable, in samples.latest and in
 * the raw CSV export.
 */

const dir = tempDir('twinedge-browse-tags-');
let plc: PlcServer;
let app: App;

const call = async <K extends CallName>(name: K, input: unknown = {}): Promise<CallOutput<K>> => {
  const r = await app.router.invoke(name, input);
  if (!r.ok) throw new Error(`${name}: ${r.error.code}: ${r.error.message}`);
  return r.value as CallOutput<K>;
};

beforeAll(async () => {
  plc = await startPlcServer(path.join(dir.path, 'plc'), { mode: 'dictionary', updateMs: 0 });
  app = await createApp({
    dataDir: path.join(dir.path, 'app'),
    shell: 'browser',
    version: 'test',
    logger: silentLogger,
    demo: { enabled: false },
  });
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await plc?.stop();
  dir.remove();
});

describe('browse rows become tags that collect', () => {
  it('fields, an element and a String variable store the server values', async () => {
    const device = await call('devices.save', {
      name: 'PLC',
      protocol: 'opcua',
      settings: { endpointUrl: plc.endpointUrl, publishingIntervalMs: 100 },
      tags: [],
    });
    const browse = (row?: BrowseEntry): Promise<BrowseEntry[]> =>
      call('opcua.browse', {
        deviceId: device.id,
        ...(row
          ? {
              nodeId: row.nodeId,
              browsePath: row.browsePath,
              ...(row.part ? { indexRange: row.part.indexRange, field: row.part.field } : {}),
            }
          : {}),
      });
    const find = async (parent: BrowseEntry | undefined, name: string): Promise<BrowseEntry> => {
      const r = (await browse(parent)).find((x) => x.displayName === name);
      if (!r) throw new Error(`no ${name}`);
      return r;
    };
    const plcFolder = await find(undefined, 'Plc');
    const structs = await find(plcFolder, 'Structs');
    const pumps = await find(structs, 'Pumps');
    const second = await find(pumps, '[1]');
    const motor = await find(second, 'Motor');
    const rows = [
      ['Pumps[1].Motor.Serial', await find(motor, 'Serial')],
      ['Pumps[1].Speed', await find(second, 'Speed')],
      ['Double[4]', await find(await find(await find(plcFolder, 'Arrays'), 'Double'), '[4]')],
      ['String', await find(await find(plcFolder, 'Scalars'), 'String')],
    ] as const;
    const tags = rows.map(([name, r]) => ({
      name,
      nodeId: r.nodeId,
      indexRange: r.part?.indexRange ?? '',
      field: r.part?.field ?? '',
      browsePath: r.browsePath,
      samplingIntervalMs: 100,
    }));
    const saved = await call('devices.save', { ...device.config, id: device.id, tags });
    expect(saved.config.protocol === 'opcua' && saved.config.tags.map((t) => [t.indexRange, t.field])).toEqual([
      ['1', 'Motor.Serial'],
      ['1', 'Speed'],
      ['4', ''],
      ['', ''],
    ]);
    const uri = plc.server.engine.addressSpace!.getOwnNamespace().namespaceUri;
    expect(tags[0]!.browsePath).toBe(`/[${uri}]Plc/[${uri}]Structs/[${uri}]Pumps`);

    const ids = saved.tags.map((t) => t.id);
    let latest: CallOutput<'samples.latest'> = [];
    await waitFor(async () => {
      latest = await call('samples.latest', { tagIds: ids });
      return latest.length === ids.length;
    }, 20_000);
    const byTag = new Map(latest.map((s) => [s[0], s]));
    const at = (i: number) => byTag.get(ids[i]!)!;
    expect([at(0)[2], at(0)[3], at(0)[4]]).toEqual([null, 0, 'M-1']);
    expect([at(1)[2], at(1)[3]]).toEqual([200, 0]);
    expect([at(2)[2], at(2)[3]]).toEqual([5.5, 0]);
    expect([at(3)[2], at(3)[3], at(3)[4]]).toEqual([null, 0, 'Pump station 4 — ready']);

    const csv = await call('history.export', {
      tagIds: ids,
      from: Date.now() - 3_600_000,
      to: Date.now() + 60_000,
      resolution: 'raw',
    });
    expect(csv.csv).toMatch(/,PLC,Pumps\[1\]\.Motor\.Serial,M-1,,good/i);
    expect(csv.csv).toMatch(/,PLC,String,Pump station 4 — ready,,good/i);
    expect(csv.csv).toMatch(/,PLC,Double\[4\],5\.5,,good/i);
  });
});
