import path from 'node:path';
import { OPCUACertificateManager, OPCUAServer } from 'node-opcua';
import { freePort } from './free-port.js';
import { quietOpcUaLogs } from '../../main/collect/opcua/quiet-logs.js';
import { populatePlcSpace, serverStats, type PlcSpaceOptions } from '../fixtures/opcua-plc-space.js';

/** The test PLC (test/fixtures/opcua-plc-space.ts) served in the test's own process, on 127.0.0.1. */
export interface PlcServer {
  endpointUrl: string;
  port: number;
  server: OPCUAServer;
  stats(): { sessions: number; subscriptions: number; items: number };
  tick(): number;
  stop(): Promise<void>;
}

export const startPlcServer = async (
  pkiDir: string,
  opts: PlcSpaceOptions & { port?: number } = {},
): Promise<PlcServer> => {
  quietOpcUaLogs();
  const port = opts.port ?? (await freePort());
  const server = new OPCUAServer({
    port,
    host: '127.0.0.1',
    hostname: '127.0.0.1',
    serverCertificateManager: new OPCUACertificateManager({
      rootFolder: path.join(pkiDir, 'server'),
      automaticallyAcceptUnknownCertificate: true,
    }),
    serverCapabilities: {
      maxSessions: 20,
      maxSubscriptions: 100,
      maxMonitoredItems: 200_000,
      maxMonitoredItemsPerSubscription: 200_000,
      operationLimits: { maxMonitoredItemsPerCall: 1000 },
    },
  });
  await server.initialize();
  const space = await populatePlcSpace(server, opts);
  await server.start();
  return {
    endpointUrl: `opc.tcp://127.0.0.1:${port}`,
    port,
    server,
    stats: () => serverStats(server),
    tick: () => space.tick(),
    stop: async () => {
      space.stop();
      await server.shutdown(0);
    },
  };
};
