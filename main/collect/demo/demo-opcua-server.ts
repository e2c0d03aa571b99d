import path from 'node:path';
import {
  DataType,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAServer,
  RegisterServerMethod,
  SecurityPolicy,
  StatusCodes as UaStatusCodes,
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
 */

export interface DemoOpcUaServerOptions {
  /** 0 = pick a free port. */
  port: number;
  /** PKI folder for the server's own certificate and trust lists. */
  pkiDir: string;
  /** Sampling rate the server allows on its variables; the default suits 100 ms subscriptions. */
  minimumSamplingIntervalMs?: number;
}

const HOST = '127.0.0.1';

export class DemoOpcUaServer {
  private server: OPCUAServer | null = null;
  private variables: (UAVariable | null)[] = [];
  private port = 0;

  get endpointUrl(): string {
    return `opc.tcp://${HOST}:${this.port}`;
  }

  async start(opts: DemoOpcUaServerOptions): Promise<string> {
    quietOpcUaLogs();
    this.port = opts.port || (await freePort(HOST));
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
    await server.start();
    this.server = server;
    return this.endpointUrl;
  }

  private build(server: OPCUAServer, minimumSamplingInterval: number): void {
    const addressSpace = server.engine.addressSpace;
    if (!addressSpace) throw new Error('OPC UA address space not initialised');
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
