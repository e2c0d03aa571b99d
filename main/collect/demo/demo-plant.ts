import { controlTags } from './control-registers.js';
import path from 'node:path';
import type { DeviceConfigInput } from '../../domain/device/device-schema.js';
import { DemoModbusServer } from './demo-modbus-server.js';
import type { DemoOpcUaServer } from './demo-opcua-server.js';
import { PlantModel } from './plant-model.js';
import { signals } from './signals.js';

/**
 * The demo plant: one simulated pump skid served over OPC UA and Modbus TCP on loopback, plus the
 * two device configurations that read it, so a new user sees live data without a PLC.
 */

export interface DemoPlantStartOptions {
  /** Data folder; the OPC UA server keeps its PKI under it. */
  dir: string;
  /** How often the model advances and the servers update (ms). */
  tickMs?: number;
  /** Simulated seconds per second. */
  speed?: number;
  /** Undefined: 48400, or any free port when that is taken at the moment of listening. 0: any free port. */
  opcuaPort?: number;
  /** The port tried first when opcuaPort is undefined (the port used last time; default 48400). */
  opcuaPreferredPort?: number;
  /** Passed to the OPC UA server: called just before it listens (tests take the port there). */
  beforeOpcUaListen?: (port: number) => Promise<void>;
  /** Undefined: 15020 (or modbusPreferredPort) if free, else any free port. 0: any free port. */
  modbusPort?: number;
  /** The port tried first when modbusPort is undefined (the port used last time; default 15020). */
  modbusPreferredPort?: number;
  seed?: number;
}

export interface DemoPlantEndpoints {
  opcuaEndpoint: string;
  modbusHost: string;
  modbusPort: number;
}

export const DEMO_OPCUA_PORT = 48400;
export const DEMO_MODBUS_PORT = 15020;
const HOST = '127.0.0.1';

export class DemoPlant {
  private model: PlantModel | null = null;
  private opcua: DemoOpcUaServer | null = null;
  private modbus: DemoModbusServer | null = null;
  private timer: NodeJS.Timeout | null = null;
  private endpoints: DemoPlantEndpoints | null = null;

  get running(): boolean {
    return this.endpoints !== null;
  }

  async start(opts: DemoPlantStartOptions): Promise<DemoPlantEndpoints> {
    if (this.endpoints) return this.endpoints;
    const tickMs = opts.tickMs ?? 250;
    const model = new PlantModel({ seed: opts.seed ?? 2026, startTime: Date.now(), speed: opts.speed ?? 1 });
    // Loaded only when the demo plant runs: the server pulls in node-opcua.
    const opcua = new (await import('./demo-opcua-server.js')).DemoOpcUaServer();
    const modbus = new DemoModbusServer();
    try {
      modbus.update(model.values());
      const modbusPort = await this.listenModbus(modbus, opts.modbusPort, opts.modbusPreferredPort);
      const opcuaEndpoint = await opcua.start({
        port: opts.opcuaPort ?? opts.opcuaPreferredPort ?? DEMO_OPCUA_PORT,
        fallback: opts.opcuaPort === undefined,
        pkiDir: path.join(opts.dir, 'demo-opcua-pki'),
        ...(opts.beforeOpcUaListen ? { beforeListen: opts.beforeOpcUaListen } : {}),
      });
      opcua.update(model.time, model.values());
      this.model = model;
      this.opcua = opcua;
      this.modbus = modbus;
      this.endpoints = { opcuaEndpoint, modbusHost: HOST, modbusPort };
    } catch (e) {
      await Promise.allSettled([opcua.stop(), modbus.close()]);
      throw e;
    }
    // Advance by measured time so model time tracks the wall clock even when ticks run late.
    let last = Date.now();
    this.timer = setInterval(() => {
      const now = Date.now();
      model.levelSetpoint = modbus.levelSetpoint();
      model.step(now - last);
      last = now;
      const values = model.values();
      modbus.update(values);
      opcua.update(model.time, values);
    }, tickMs);
    this.timer.unref();
    return this.endpoints;
  }

  private async listenModbus(
    server: DemoModbusServer,
    port: number | undefined,
    preferred = DEMO_MODBUS_PORT,
  ): Promise<number> {
    if (port !== undefined) return server.listen(port);
    try {
      return await server.listen(preferred);
    } catch {
      return server.listen(0); // preferred port taken (another instance): any free port
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const { opcua, modbus } = this;
    this.opcua = null;
    this.modbus = null;
    this.model = null;
    this.endpoints = null;
    await Promise.allSettled([opcua?.stop(), modbus?.close()]);
  }

  /** The two pre-configured demo devices (for the running servers, or the preferred ports). */
  deviceConfigs(): DeviceConfigInput[] {
    const ep = this.endpoints ?? {
      opcuaEndpoint: `opc.tcp://${HOST}:${DEMO_OPCUA_PORT}`,
      modbusHost: HOST,
      modbusPort: DEMO_MODBUS_PORT,
    };
    return [
      {
        name: 'Demo pump skid (OPC UA)',
        protocol: 'opcua',
        enabled: true,
        settings: {
          endpointUrl: ep.opcuaEndpoint,
          securityMode: 'None',
          securityPolicy: 'None',
          publishingIntervalMs: 1000,
        },
        tags: signals.map((s) => ({ name: s.name, unit: s.unit, nodeId: s.nodeId, samplingIntervalMs: 500 })),
      },
      {
        name: 'Demo pump skid (Modbus)',
        protocol: 'modbus',
        enabled: true,
        settings: { host: ep.modbusHost, port: ep.modbusPort, unitId: 1, pollIntervalMs: 1000, timeoutMs: 2000 },
        tags: [
          ...signals.map((s) => ({
            name: s.name,
            unit: s.unit,
            area: s.modbus.area,
            address: s.modbus.address,
            dataType: s.modbus.dataType,
            wordOrder: s.modbus.wordOrder,
          })),
          ...controlTags,
        ],
      },
    ];
  }
}
