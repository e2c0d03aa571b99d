import { controlTags } from '../../main/collect/demo/control-registers.js';
import { ModbusLines } from '../../main/collect/modbus/line-registry.js';
import { createTransport } from '../../main/collect/modbus/create-transport.js';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DemoPlant } from '../../main/collect/demo/demo-plant.js';
import { freePort, portIsFree } from '../../main/collect/demo/free-port.js';
import { signals } from '../../main/collect/demo/signals.js';
import { createCollector } from '../../main/collect/create-collector.js';
import { EnvSecretStore } from '../../main/secrets/env-store.js';
import { DeviceInput } from '../../main/domain/device/device-schema.js';
import { StatusCodes } from '../../main/domain/sample/status-codes.js';
import { type Collector } from '../../main/collect/types.js';
import { Recorder } from '../helpers/device.js';
import { waitFor } from '../helpers/wait.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twinedge-demo-'));
const plants: DemoPlant[] = [];
const collectors: Collector[] = [];

afterAll(async () => {
  for (const c of collectors) await c.stop();
  for (const p of plants) await p.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const portOf = (endpoint: string): number => Number(/:(\d+)$/.exec(endpoint)![1]);

describe('DemoPlant', () => {
  it('serves both protocols, its device configs are valid and read every signal with good quality', async () => {
    const plant = new DemoPlant();
    plants.push(plant);
    const ep = await plant.start({ dir, tickMs: 100 });
    expect(ep.opcuaEndpoint).toMatch(/^opc\.tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(ep.modbusHost).toBe('127.0.0.1');

    const configs = plant.deviceConfigs().map((c) => DeviceInput.parse(c));
    expect(configs.map((c) => c.name)).toEqual(['Demo pump skid (OPC UA)', 'Demo pump skid (Modbus)']);
    expect(configs[0]!.tags).toHaveLength(signals.length);
    // Modbus adds the controller registers: setpoint, batch id, status bits, energy counter.
    expect(configs[1]!.tags).toHaveLength(signals.length + controlTags.length);
    expect(configs[0]!.protocol === 'opcua' && configs[0]!.settings.endpointUrl).toBe(ep.opcuaEndpoint);
    expect(configs[1]!.protocol === 'modbus' && configs[1]!.settings.port).toBe(ep.modbusPort);

    const modbusLines = new ModbusLines(createTransport);
    const recs = configs.map((config, i) => {
      const rec = new Recorder();
      const device = { id: i + 1, config, tagIds: new Map(config.tags.map((t, j) => [t.name, j + 1])) };
      const c = createCollector(device, rec, {
        pkiDir: path.join(dir, 'client-pki'),
        modbusLines,
        secrets: new EnvSecretStore({}),
      });
      collectors.push(c);
      c.start();
      return rec;
    });
    for (const [i, rec] of recs.entries()) {
      const n = configs[i]!.tags.length;
      await waitFor(() => rec.latest().size === n, 30_000, 'every signal');
      const latest = [...rec.latest().values()];
      expect(latest.every((s) => s.quality === StatusCodes.Good && (s.value !== null || s.text !== undefined))).toBe(
        true,
      );
      expect(rec.state).toMatchObject({ state: 'connected', message: null });
    }
    const mbLatest = recs[1]!.latest();
    const mbTag = (name: string) => mbLatest.get(configs[1]!.tags.findIndex((t) => t.name === name) + 1)!;
    expect(mbTag('Batch ID').text).toBe('B-20261130-01');
    expect(mbTag('T-101 level setpoint').value).toBe(50);
    // The status word's bits agree with the plain signals.
    expect(mbTag('Status: P-101 running').value).toBe(mbTag('P-101 running').value);
    // Same plant behind both protocols: the energy counter agrees (float32 on Modbus).
    const energyTag = signals.findIndex((s) => s.key === 'P101.Energy') + 1;
    const ua = recs[0]!.latest().get(energyTag)!.value!;
    const mb = recs[1]!.latest().get(energyTag)!.value!;
    expect(Math.abs(ua - mb)).toBeLessThan(1);
  });

  it('a second instance falls back to other ports, and stop() releases them', async () => {
    const a = plants[0]!;
    const b = new DemoPlant();
    plants.push(b);
    const epA = await a.start({ dir }); // already running: same endpoints
    const epB = await b.start({ dir: path.join(dir, 'b') });
    expect(portOf(epB.opcuaEndpoint)).not.toBe(portOf(epA.opcuaEndpoint));
    expect(epB.modbusPort).not.toBe(epA.modbusPort);
    for (const c of collectors) await c.stop();
    await b.stop();
    await a.stop();
    for (const port of [portOf(epA.opcuaEndpoint), epA.modbusPort, portOf(epB.opcuaEndpoint), epB.modbusPort]) {
      expect(await portIsFree(port)).toBe(true);
    }
  });

  it('another program taking the OPC UA port between the start and the listen: falls back, or says so', async () => {
    const taken: net.Server[] = [];
    /** Another program binding the port at the worst moment: after any check, just before node-opcua listens. */
    const occupy = (port: number): Promise<void> =>
      new Promise((resolve, reject) => {
        const srv = net.createServer().once('error', reject);
        srv.listen(port, '127.0.0.1', () => resolve());
        taken.push(srv);
      });
    try {
      const preferred = await freePort();
      const plant = new DemoPlant();
      plants.push(plant);
      let tried: number[] = [];
      const ep = await plant.start({
        dir: path.join(dir, 'race'),
        modbusPort: 0,
        opcuaPreferredPort: preferred,
        beforeOpcUaListen: async (port) => {
          tried.push(port);
          if (port === preferred) await occupy(port);
        },
      });
      expect(tried[0]).toBe(preferred);
      expect(portOf(ep.opcuaEndpoint)).not.toBe(preferred);
      expect(portOf(ep.opcuaEndpoint)).toBe(tried.at(-1));
      expect(await portIsFree(portOf(ep.opcuaEndpoint))).toBe(false);
      await plant.stop();

      // An explicit port is exactly that port: taken, the demo plant does not start and says why.
      tried = [];
      const fixed = new DemoPlant();
      plants.push(fixed);
      const port = await freePort();
      await expect(
        fixed.start({
          dir: path.join(dir, 'fixed'),
          modbusPort: 0,
          opcuaPort: port,
          beforeOpcUaListen: (p) => occupy(p),
        }),
      ).rejects.toThrow(`OPC UA port 127.0.0.1:${port} is used by another program`);
      expect(fixed.running).toBe(false);
    } finally {
      for (const srv of taken) await new Promise((r) => srv.close(r));
    }
  });
});
