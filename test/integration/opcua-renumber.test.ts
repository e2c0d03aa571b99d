import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../main/app/create-app.js';
import { formatBrowsePath } from '../../main/collect/opcua/browse-path.js';
import { StatusCodes } from '../../main/domain/sample/status-codes.js';
import type { CallName } from '../../main/contract/wire.js';
import type { CallOutput } from '../../main/contract/contract.js';
import type { DeviceView } from '../../main/domain/device/device-view.js';
import type { Logger } from '../../main/log/logger.js';
import { freePort } from '../helpers/free-port.js';
import { startOpcUaServer, type OpcUaServerProcess } from '../helpers/opcua-server.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

/**
 * A PLC download that renumbers every node (test/fixtures/opcua-renumber-server.ts): the server restarts on the same
 * port with new numeric ids, its plant namespace shifted from ns=2 to ns=3, and half the old ids naming decoy variables.
 * Every tag must come back on its new node, by its browse path, without a user action.
 */

const PUMPS = 20;
/** Pumps 1..15 were added by browsing (browse path known); 16..20 came without one and learn it at first connect. */
const WITH_PATH = 15;
const NS = 'urn:twinedge:test:renumber';
const fixture = fileURLToPath(new URL('../fixtures/opcua-renumber-server.ts', import.meta.url));
const pathOf = (k: number): string =>
  formatBrowsePath([
    { namespaceUri: NS, name: 'Plant' },
    { namespaceUri: NS, name: `Pump${k}` },
    { namespaceUri: NS, name: 'Flow' },
  ]);

const call = async <K extends CallName>(app: App, name: K, input: unknown = {}): Promise<CallOutput<K>> => {
  const r = await app.router.invoke(name, input);
  if (!r.ok) throw new Error(`${name}: ${r.error.code}: ${r.error.message}`);
  return r.value as CallOutput<K>;
};

const dir = tempDir('twinedge-renumber-');
const lines: string[] = [];
const log: Logger = {
  debug: () => {},
  info: (m) => void lines.push(m),
  warn: (m) => void lines.push(m),
  error: (m) => void lines.push(m),
};
let port = 0;
let server: OpcUaServerProcess | null = null;
let app: App;
let device: DeviceView;

const startServer = async (generation: number): Promise<void> => {
  server = await startOpcUaServer(port, join(dir.path, 'server-pki'), {
    fixture: { script: fixture, args: [String(generation), String(PUMPS)] },
  });
};

/** The stored OPC UA tag configs of the device. */
const uaTags = async () => {
  const d = (await call(app, 'devices.list'))[0]!;
  return d.config.protocol === 'opcua' ? d.config.tags : [];
};

/** Tag name -> [value, quality, ts] of its newest stored sample. */
const latest = (): Map<string, [number | null, number, number]> => {
  const ids = new Map(device.tags.map((t) => [t.id, t.name]));
  return new Map(
    app.store!.samples.latest([...ids.keys()]).map(([id, ts, value, quality]) => [ids.get(id)!, [value, quality, ts]]),
  );
};

beforeAll(async () => {
  port = await freePort();
  await startServer(1);
  app = await createApp({
    dataDir: dir.path,
    shell: 'browser',
    version: 'test',
    logger: log,
    demo: { enabled: false },
  });
  const tags = [
    ...Array.from({ length: PUMPS }, (_, i) => i + 1).map((k) => ({
      name: `Pump${k}.Flow`,
      nodeId: `ns=2;i=${1000 + k}`,
      samplingIntervalMs: 100,
      browsePath: k <= WITH_PATH ? pathOf(k) : '',
    })),
    // Removed in the PLC: its path resolves in neither generation, and its node id is unknown.
    { name: 'Pump99.Flow', nodeId: 'ns=2;i=1099', samplingIntervalMs: 100, browsePath: pathOf(99) },
  ];
  device = await call(app, 'devices.save', {
    name: 'Renumbered PLC',
    protocol: 'opcua',
    settings: { endpointUrl: server!.endpointUrl, publishingIntervalMs: 100, reconnectMaxDelayMs: 1000 },
    tags,
  });
}, 90_000);

afterAll(async () => {
  await app?.stop();
  await server?.kill();
  dir.remove();
});

describe('tags that survive a PLC download', () => {
  it('before: good values; tags without a browse path learn it once; a removed node is Bad naming its path', async () => {
    await waitFor(
      () => {
        const l = latest();
        return device.tags.every((t) => t.name === 'Pump99.Flow' || l.get(t.name)?.[1] === StatusCodes.Good);
      },
      30_000,
      'every tag good on the first server',
    );
    for (let k = 1; k <= PUMPS; k++) expect(latest().get(`Pump${k}.Flow`)?.[0]).toBe(1000 + k);
    await waitFor(
      async () => (await uaTags()).every((t) => t.name === 'Pump99.Flow' || t.browsePath !== ''),
      15_000,
      'browse paths learned',
    );
    const stored = (await call(app, 'devices.list'))[0]!;
    const config = await uaTags();
    for (let k = WITH_PATH + 1; k <= PUMPS; k++) {
      expect(config.find((t) => t.name === `Pump${k}.Flow`)?.browsePath).toBe(pathOf(k));
    }
    expect(stored.tags.map((t) => t.id)).toEqual(device.tags.map((t) => t.id));
    expect(lines.some((l) => l.includes(`browse path stored for ${PUMPS - WITH_PATH} tags`))).toBe(true);

    const d = await call(app, 'devices.diagnostics', { id: device.id });
    const lost = d.tagProblems.find((p) => p.name === 'Pump99.Flow');
    expect(lost?.quality).toBe(StatusCodes.BadNodeIdUnknown);
    expect(lost?.message).toContain('Plant/Pump99/Flow');
  }, 60_000);

  it('after a restart with renumbered ids and a shifted namespace: 100 % back within 30 s, history continues', async () => {
    const movedBefore = lines.filter((l) => l.includes(' moved from node ')).length;
    await server!.kill();
    const killedAt = Date.now();
    await startServer(2);
    const back = (): boolean => {
      const l = latest();
      let n = 0;
      for (let k = 1; k <= PUMPS; k++) {
        const s = l.get(`Pump${k}.Flow`);
        if (s && s[0] === 2000 + k && s[1] === StatusCodes.Good && s[2] >= killedAt) n++;
      }
      return n === PUMPS;
    };
    await waitFor(back, 30_000, 'every tag back on its new node');
    const seconds = (Date.now() - killedAt) / 1000;

    const stored = (await call(app, 'devices.list'))[0]!;
    const config = await uaTags();
    for (let k = 1; k <= PUMPS; k++) {
      expect(config.find((t) => t.name === `Pump${k}.Flow`)?.nodeId).toBe(`ns=3;i=${5000 + PUMPS - k}`);
    }
    // Same store ids: the trend and the cloud see one tag, before and after.
    expect(stored.tags.map((t) => t.id)).toEqual(device.tags.map((t) => t.id));
    // No decoy value (an old id now naming another variable) was ever stored after the restart.
    for (const t of device.tags) {
      const h = app.store!.samples.history(t.id, killedAt, Date.now() + 1000, 100_000);
      expect(h.values.filter((v) => v === -1)).toEqual([]);
    }
    const moved = lines.filter((l) => l.includes(' moved from node ')).slice(movedBefore);
    expect(moved).toHaveLength(PUMPS);
    expect(moved).toContain(
      `Device "Renumbered PLC": tag "Pump2.Flow" moved from node ns=2;i=1002 to ns=3;i=${5000 + PUMPS - 2}, found ` +
        'again by its browse path Plant/Pump2/Flow; its history continues.',
    );
    const d = await call(app, 'devices.diagnostics', { id: device.id });
    expect(d.tagProblems.map((p) => p.name)).toEqual(['Pump99.Flow']);
    console.log(`renumber: ${PUMPS}/${PUMPS} tags back after ${seconds.toFixed(1)} s, ${moved.length} re-resolutions`);
  }, 60_000);
});
