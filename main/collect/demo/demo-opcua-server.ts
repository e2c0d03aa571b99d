import path from 'node:path';
import {
  DataType,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAServer,
  RegisterServerMethod,
  SecurityPolicy,
  StatusCodes as UaStatusCodes,
  Variant,
  makeEUInformation,
  type UAVariable,
} from 'node-opcua';
import { quietOpcUaLogs } from '../opcua/quiet-logs.js';
import { freePort } from './free-port.js';
import { signals } from './signals.js';

/**
 * The demo plant on OPC UA: a PumpSkid folder with one variable per signal (Double with
 * engineering units, or Boolean), updated from the model with the model time as source timestamp.
 * Listens on 127.0.0.1 and advertises 127.0.0.1 so the endpoint URL works as given.
 *
 * The signals are read-only (the simulation owns them). One writable variable, the tank level setpoint
 * (PumpSkid.T101.LevelSetpoint, 20-80 %, a write outside is refused with BadOutOfRange), lets a user try an
 * OPC UA write; the simulated PI loop follows the Modbus setpoint, not this one.
 */

export const DEMO_SETPOINT_NODE_ID = 'ns=1;s=PumpSkid.T101.LevelSetpoint';
export const DEMO_SETPOINT_RANGE = { low: 20, high: 80 } as const;

export interface DemoOpcUaServerOptions {
  /** 0 = pick a free port. */
  port: number;
  /**
   * When `port` is taken at the moment of listening (another program, another TwinEdge), listen on a free port
   * instead of failing. Default false: an explicit port is exactly that port.
   */
  fallback?: boolean;
  /** Called just before each listen attempt with its port: the moment another program may take it (tests). */
  beforeListen?: (port: number) => Promise<void>;
  /** PKI folder for the server's own certificate and trust lists. */
  pkiDir: string;
  /** Sampling rate the server allows on its variables; the default suits 100 ms subscriptions. */
  minimumSamplingIntervalMs?: number;
}

const HOST = '127.0.0.1';
const MAX_ATTEMPTS = 5;

/** node-opcua passes the socket's EADDRINUSE up, sometimes wrapped in its own message. */
const addressInUse = (e: unknown): boolean => {
  for (let x: unknown = e; x instanceof Error; x = x.cause) {
    if ((x as NodeJS.ErrnoException).code === 'EADDRINUSE' || /EADDRINUSE/.test(x.message)) return true;
  }
  return false;
};

export class DemoOpcUaServer {
  private server: OPCUAServer | null = null;
  private variables: (UAVariable | null)[] = [];
  private port = 0;
  private setpoint = 50;

  get endpointUrl(): string {
    return `opc.tcp://${HOST}:${this.port}`;
  }

  /**
   * Listens race-free: no "is it free?" check ahead of time (another program can take the port between the check and
   * the listen), but a listen that fails with EADDRINUSE is retried on a fresh free port, like the Modbus demo server.
   */
  async start(opts: DemoOpcUaServerOptions): Promise<string> {
    quietOpcUaLogs();
    let port = opts.port || (await freePort(HOST));
    for (let attempt = 1; ; attempt++) {
      try {
        await this.listen(port, opts);
        return this.endpointUrl;
      } catch (e) {
        if (!(opts.fallback || opts.port === 0) || !addressInUse(e) || attempt >= MAX_ATTEMPTS) {
          throw addressInUse(e) ? new Error(`OPC UA port ${HOST}:${port} is used by another program`, { cause: e }) : e;
        }
        port = await freePort(HOST);
      }
    }
  }

  private async listen(port: number, opts: DemoOpcUaServerOptions): Promise<void> {
    this.port = port;
    const serverCertificateManager = new OPCUACertificateManager({
      rootFolder: path.join(opts.pkiDir, 'server'),
      // A demo on loopback: accept any client certificate so encrypted connections work at once.
      automaticallyAcceptUnknownCertificate: true,
    });
    const userCertificateManager = new OPCUACertificateManager({
      rootFolder: path.join(opts.pkiDir, 'user'),
      automaticallyAcceptUnknownCertificate: true,
    });
    const server = new OPCUAServer({
      port: this.port,
      host: HOST,
      hostname: HOST,
      alternateHostname: ['localhost'],
      serverCertificateManager,
      userCertificateManager,
      securityModes: [MessageSecurityMode.None, MessageSecurityMode.SignAndEncrypt],
      securityPolicies: [SecurityPolicy.None, SecurityPolicy.Basic256Sha256],
      allowAnonymous: true,
      registerServerMethod: RegisterServerMethod.HIDDEN,
      buildInfo: { productName: 'TwinEdge demo pump skid', manufacturerName: 'TwinEdge' },
    });
    await server.initialize();
    this.build(server, opts.minimumSamplingIntervalMs ?? 100);
    await opts.beforeListen?.(this.port);
    try {
      await server.start();
    } catch (e) {
      await server.shutdown(0).catch(() => undefined);
      throw e;
    }
    this.server = server;
  }

  private build(server: OPCUAServer, minimumSamplingInterval: number): void {
    const addressSpace = server.engine.addressSpace;
    if (!addressSpace) throw new Error('OPC UA address space not initialised');
    // ConditionRefresh answers Good (no conditions) instead of BadInternalError: the Alarms view stays quiet.
    addressSpace.installAlarmsAndConditionsService();
    const ns = addressSpace.getOwnNamespace();
    const folder = ns.addFolder(addressSpace.rootFolder.objects, { browseName: 'PumpSkid', nodeId: 's=PumpSkid' });
    this.variables = signals.map((s) => {
      const nodeId = s.nodeId.replace(/^ns=1;/, '');
      const common = {
        organizedBy: folder,
        browseName: s.browseName,
        nodeId,
        description: s.description,
        displayName: s.name,
        minimumSamplingInterval,
        accessLevel: 'CurrentRead',
        userAccessLevel: 'CurrentRead',
      };
      if (s.kind === 'bool') {
        return ns.addVariable({ ...common, dataType: 'Boolean' });
      }
      return ns.addAnalogDataItem({
        ...common,
        dataType: 'Double',
        engineeringUnitsRange: { low: s.normal.min, high: s.normal.max },
        engineeringUnits: makeEUInformation(s.unit, s.unit, s.unit),
      });
    });
    ns.addAnalogDataItem({
      organizedBy: folder,
      browseName: 'T101.LevelSetpoint',
      nodeId: DEMO_SETPOINT_NODE_ID.replace(/^ns=1;/, ''),
      displayName: 'T-101 level setpoint',
      description: 'Tank T-101 level setpoint (writable, 20-80 %)',
      minimumSamplingInterval,
      accessLevel: 'CurrentRead | CurrentWrite',
      userAccessLevel: 'CurrentRead | CurrentWrite',
      dataType: 'Double',
      engineeringUnitsRange: DEMO_SETPOINT_RANGE,
      engineeringUnits: makeEUInformation('%', '%', 'percent'),
      value: {
        get: () => new Variant({ dataType: DataType.Double, value: this.setpoint }),
        set: (v: Variant) => {
          const x = Number(v.value);
          if (!Number.isFinite(x)) return UaStatusCodes.BadTypeMismatch;
          if (x < DEMO_SETPOINT_RANGE.low || x > DEMO_SETPOINT_RANGE.high) return UaStatusCodes.BadOutOfRange;
          this.setpoint = x;
          return UaStatusCodes.Good;
        },
      },
    });
  }

  /** The level setpoint last written over OPC UA (%). */
  levelSetpoint(): number {
    return this.setpoint;
  }

  /** Push the model's values (in `signals` order) with the model time as source timestamp. */
  update(time: number, values: readonly number[]): void {
    const ts = new Date(time);
    signals.forEach((s, i) => {
      const v = this.variables[i];
      if (!v) return;
      const x = values[i] ?? 0;
      v.setValueFromSource(
        s.kind === 'bool' ? { dataType: DataType.Boolean, value: x !== 0 } : { dataType: DataType.Double, value: x },
        UaStatusCodes.Good,
        ts,
      );
    });
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.variables = [];
    if (!server) return;
    // No grace period: the demo has no clients worth waiting for, and tests restart it at once.
    await server.shutdown(0);
  }
}
