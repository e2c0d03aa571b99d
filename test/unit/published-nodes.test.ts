import { describe, expect, it } from 'vitest';
import { OpcUaDeviceInput } from '../../main/domain/device/device-schema.js';
import {
  deviceFromPublished,
  parsePublishedNodes,
  toPublishedNodes,
} from '../../main/domain/device/published-nodes.js';
import { defaultStoragePolicy } from '../../main/domain/storage/storage-policy.js';

// As OPC Publisher documents it: two endpoints, one with user name auth, nodes with and without settings.
const publisherFile = `[
  {
    "EndpointUrl": "opc.tcp://plc-7:50000",
    "UseSecurity": true,
    "OpcAuthenticationMode": "UsernamePassword",
    "OpcAuthenticationUsername": "operator",
    "DataSetWriterGroup": "Line 7",
    "DataSetPublishingInterval": 2000,
    "OpcNodes": [
      { "Id": "ns=2;s=Line7.Speed", "OpcSamplingInterval": 500, "DisplayName": "Line 7 speed",
        "DeadbandType": "Absolute", "DeadbandValue": 0.5, "QueueSize": 4, "DiscardNew": true },
      { "Id": "nsu=http://example.org/UA/;s=Line7.Temp", "DataSetFieldId": "Line 7 temp" },
      { "Id": "i=2258" },
      { "Id": "i=2258" }
    ]
  },
  { "EndpointUrl": "opc.tcp://10.0.0.9:4840", "OpcNodes": [ { "NodeId": { "Identifier": "ns=3;i=1001" } } ] }
]`;

describe('OPC Publisher published-nodes JSON', () => {
  it('reads endpoints, identities and node settings, with unique tag names', () => {
    const { endpoints, problems } = parsePublishedNodes(publisherFile);
    expect(problems).toEqual([]);
    expect(endpoints.map((e) => [e.name, e.endpointUrl, e.useSecurity, e.identity, e.publishingIntervalMs])).toEqual([
      ['Line 7', 'opc.tcp://plc-7:50000', true, { type: 'username', userName: 'operator' }, 2000],
      ['10.0.0.9', 'opc.tcp://10.0.0.9:4840', false, { type: 'anonymous', userName: '' }, null],
    ]);
    expect(endpoints[0]!.tags).toEqual([
      {
        name: 'Line 7 speed',
        nodeId: 'ns=2;s=Line7.Speed',
        samplingIntervalMs: 500,
        queueSize: 4,
        discardOldest: false,
        deadbandType: 'absolute',
        deadbandValue: 0.5,
      },
      { name: 'Line 7 temp', nodeId: 'nsu=http://example.org/UA/;s=Line7.Temp' },
      { name: 'i=2258', nodeId: 'i=2258' },
      { name: 'i=2258 (2)', nodeId: 'i=2258' },
    ]);
    // Each endpoint becomes a device the app accepts.
    for (const e of endpoints) expect(OpcUaDeviceInput.safeParse(deviceFromPublished(e)).success).toBe(true);
  });

  it('names the place of every problem and still reads the good entries', () => {
    const { endpoints, problems } = parsePublishedNodes(
      JSON.stringify([
        { OpcNodes: [] },
        { EndpointUrl: 'opc.tcp://a:4840', OpcNodes: [{ DisplayName: 'no id' }, { Id: 'x=1' }, { Id: 'ns=1;s=ok' }] },
      ]),
    );
    expect(problems).toEqual([
      { path: '[0].EndpointUrl', message: expect.stringMatching(/string/) as string },
      { path: '[1].OpcNodes[0]', message: 'a node needs "Id"' },
      { path: '[1].OpcNodes[1]', message: expect.stringMatching(/^nodeId: a node id like/) as string },
    ]);
    expect(endpoints[0]!.tags).toEqual([{ name: 'ns=1;s=ok', nodeId: 'ns=1;s=ok' }]);
    expect(parsePublishedNodes('{ nope').problems[0]!.message).toMatch(/^not valid JSON/);
  });

  it('round-trips a device without its password', () => {
    const device = OpcUaDeviceInput.parse({
      name: 'Kiln',
      protocol: 'opcua',
      settings: {
        endpointUrl: 'opc.tcp://kiln:4840',
        securityMode: 'SignAndEncrypt',
        securityPolicy: 'Basic256Sha256',
        identity: { type: 'username', userName: 'eng' },
        publishingIntervalMs: 500,
      },
      tags: [
        {
          name: 'Zone 1',
          unit: '°C',
          nodeId: 'ns=2;s=Z1',
          samplingIntervalMs: 250,
          deadbandType: 'percent',
          deadbandValue: 2,
          browsePath: '/[urn:kiln]Kiln/[urn:kiln]Zone&/1',
        },
        { name: 'Zone 2', nodeId: 'ns=2;s=Z2' },
      ],
    });
    const text = toPublishedNodes([device]);
    expect(text).not.toMatch(/OpcAuthenticationPassword/);
    // Our own key for the browse path, never OPC Publisher's BrowsePath (which means a path relative to Id).
    const exported = JSON.parse(text) as { OpcNodes: Record<string, unknown>[] }[];
    expect(exported[0]!.OpcNodes.map((n) => n.TwinEdgeBrowsePath)).toEqual([
      '/[urn:kiln]Kiln/[urn:kiln]Zone&/1',
      undefined,
    ]);
    expect(text).not.toMatch(/"BrowsePath"/);
    const back = parsePublishedNodes(text);
    expect(back.problems).toEqual([]);
    const again = OpcUaDeviceInput.parse(deviceFromPublished(back.endpoints[0]!));
    expect(again.settings).toMatchObject({
      endpointUrl: 'opc.tcp://kiln:4840',
      publishingIntervalMs: 500,
      identity: { type: 'username', userName: 'eng' },
    });
    expect(again.tags.map(({ unit: _u, ...t }) => t)).toEqual(device.tags.map(({ unit: _u, ...t }) => t));
  });

  it('carries the device storage policy and tag overrides and spans in TwinEdge keys, and reads them back', () => {
    const device = OpcUaDeviceInput.parse({
      name: 'Boiler',
      protocol: 'opcua',
      settings: { endpointUrl: 'opc.tcp://boiler:4840', storage: { mode: 'change', deadband: 0.2, maxIntervalS: 300 } },
      tags: [
        {
          name: 'Drum level',
          nodeId: 'ns=2;s=Level',
          storage: { band: 'percent', deadband: 0.5, compression: 0.25 },
          spanLow: 0,
          spanHigh: 2000,
        },
        { name: 'Burner on', nodeId: 'ns=2;s=Burner', storage: { mode: 'every' } },
        { name: 'Steam', nodeId: 'ns=2;s=Steam' },
      ],
    });
    const text = toPublishedNodes([device]);
    const exported = JSON.parse(text) as (Record<string, unknown> & { OpcNodes: Record<string, unknown>[] })[];
    expect(exported[0]!.TwinEdgeStorage).toEqual(device.settings.storage);
    expect(exported[0]!.OpcNodes.map((n) => [n.TwinEdgeStorage, n.TwinEdgeSpanLow, n.TwinEdgeSpanHigh])).toEqual([
      [device.tags[0]!.storage, 0, 2000],
      [device.tags[1]!.storage, undefined, undefined],
      [undefined, undefined, undefined],
    ]);
    const back = parsePublishedNodes(text);
    expect(back.problems).toEqual([]);
    const again = OpcUaDeviceInput.parse(deviceFromPublished(back.endpoints[0]!));
    expect(again.settings.storage).toEqual(device.settings.storage);
    expect(again.tags.map((t) => [t.storage, t.spanLow, t.spanHigh])).toEqual(
      device.tags.map((t) => [t.storage, t.spanLow, t.spanHigh]),
    );
  });

  it('gives a file without TwinEdge keys the new-device default and no overrides', () => {
    const { endpoints } = parsePublishedNodes(publisherFile);
    const d = OpcUaDeviceInput.parse(deviceFromPublished(endpoints[0]!));
    expect(d.settings.storage).toEqual(defaultStoragePolicy);
    expect(d.tags.every((t) => t.storage === null && t.spanLow === null && t.spanHigh === null)).toBe(true);
  });

  it('names a node whose storage override is malformed, and still reads the others', () => {
    const { endpoints, problems } = parsePublishedNodes(
      JSON.stringify([
        {
          EndpointUrl: 'opc.tcp://a:4840',
          OpcNodes: [
            { Id: 'ns=1;s=a', TwinEdgeStorage: { mode: 'sometimes' } },
            { Id: 'ns=1;s=b', TwinEdgeStorage: { mode: 'every', deadband: 1 } },
            { Id: 'ns=1;s=c', TwinEdgeStorage: { deadband: -1 } },
            { Id: 'ns=1;s=d', TwinEdgeStorage: { deadband: 1 } },
          ],
        },
      ]),
    );
    expect(problems.map((p) => p.path)).toEqual(['[0].OpcNodes[0]', '[0].OpcNodes[1]', '[0].OpcNodes[2]']);
    expect(problems[0]!.message).toMatch(/^TwinEdgeStorage.mode: /);
    expect(problems[1]!.message).toMatch(/choose "on change"/);
    expect(problems[2]!.message).toBe('TwinEdgeStorage.deadband: a deadband is 0 or more');
    expect(endpoints[0]!.tags.map((t) => t.name)).toEqual(['ns=1;s=d']);
  });
});
