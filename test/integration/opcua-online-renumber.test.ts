import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataType, OPCUACertificateManager, OPCUAServer, Variant, type Namespace, type UAObject } from 'node-opcua';
import { formatBrowsePath } from '../../main/collect/opcua/browse-path.js';
import { OpcUaCollector } from '../../main/collect/opcua/opcua-collector.js';
import { quietOpcUaLogs } from '../../main/collect/opcua/quiet-logs.js';
import { StatusCodes } from '../../main/domain/sample/status-codes.js';
import { type TagNodeUpdate } from '../../main/collect/types.js';
import { collectorDevice, Recorder } from '../helpers/device.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

/**
 * A download while the server keeps running (no restart, the session survives): the node is deleted and added again
 * under a new id, and a namespace is registered, so the NamespaceArray changes. The collector notices during the
 * session and follows the tag's browse path.
 */

const NS = 'urn:twinedge:test:online';
const dir = tempDir('twinedge-online-');
let server: OPCUAServer;
let plant: Namespace;
let folder: UAObject;

const addFlow = (id: number, value: number): void => {
  plant.addVariable({
    componentOf: folder,
    browseName: 'Flow',
    nodeId: `i=${id}`,
    dataType: 'Double',
    minimumSamplingInterval: 100,
    value: { get: () => new Variant({ dataType: DataType.Double, value }) },
  });
};

beforeAll(async () => {
  quietOpcUaLogs();
  server = new OPCUAServer({
    port: 0,
    host: '127.0.0.1',
    hostname: '127.0.0.1',
    serverCertificateManager: new OPCUACertificateManager({
      rootFolder: join(dir.path, 'server-pki'),
      automaticallyAcceptUnknownCertificate: true,
    }),
  });
  await server.initialize();
  const space = server.engine.addressSpace!;
  plant = space.registerNamespace(NS);
  folder = plant.addObject({ organizedBy: space.rootFolder.objects, browseName: 'Line', nodeId: 'i=10' });
  addFlow(100, 1);
  await server.start();
}, 60_000);

afterAll(async () => {
  await server?.shutdown(0);
  dir.remove();
});

describe('a PLC download while the server runs', () => {
  it('the tag follows its browse path to the new node id within the session', async () => {
    const rec = new Recorder();
    const moves: TagNodeUpdate[] = [];
    const device = collectorDevice({
      name: 'online',
      protocol: 'opcua',
      settings: { endpointUrl: `opc.tcp://127.0.0.1:${server.endpoints[0]!.port}`, publishingIntervalMs: 100 },
      tags: [
        {
          name: 'Flow',
          nodeId: 'ns=2;i=100',
          samplingIntervalMs: 100,
          browsePath: formatBrowsePath([
            { namespaceUri: NS, name: 'Line' },
            { namespaceUri: NS, name: 'Flow' },
          ]),
        },
      ],
    });
    const c = new OpcUaCollector(
      device,
      { onSamples: (b) => rec.onSamples(b), onState: (s) => rec.onState(s), onTagNodes: (u) => void moves.push(...u) },
      { pkiDir: join(dir.path, 'client-pki') },
    );
    c.start();
    try {
      await waitFor(() => rec.latest().get(1)?.value === 1, 20_000, 'the first value');
      const space = server.engine.addressSpace!;
      space.deleteNode(space.findNode('ns=2;i=100')!);
      addFlow(200, 2);
      space.registerNamespace('urn:twinedge:test:added-by-download');
      await waitFor(
        () => rec.latest().get(1)?.value === 2 && rec.latest().get(1)?.quality === StatusCodes.Good,
        30_000,
        'the value of the new node',
      );
      expect(moves).toEqual([
        expect.objectContaining({ oldNodeId: 'ns=2;i=100', nodeId: 'ns=2;i=200', reason: 'moved' }),
      ]);
      expect(c.diagnostics().tagProblems).toEqual([]);
    } finally {
      await c.stop();
    }
  }, 60_000);
});
