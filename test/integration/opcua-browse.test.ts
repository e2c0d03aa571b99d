import path from 'node:path';
import { OPCUACertificateManager, OPCUAServer, RegisterServerMethod } from 'node-opcua';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../main/app/create-app.js';
import { DemoOpcUaServer, DEMO_SETPOINT_NODE_ID } from '../../main/collect/demo/demo-opcua-server.js';
import { freePort } from '../../main/collect/demo/free-port.js';
import { PlantModel } from '../../main/collect/demo/plant-model.js';
import { signals } from '../../main/collect/demo/signals.js';
import { OpcUaBrowseService } from '../../main/collect/opcua/browse-service.js';
import { OpcUaBrowseError } from '../../main/collect/opcua/opcua-errors.js';
import type { BrowseSessionDevice } from '../../main/collect/opcua/browse-session.js';
import { OpcUaSettings } from '../../main/domain/device/opcua-schema.js';
import type { CallName, WireError } from '../../main/contract/wire.js';
import type { CallOutput } from '../../main/contract/contract.js';
import { silentLogger } from '../../main/log/logger.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const dir = tempDir('twinedge-browse-');
const model = new PlantModel({ seed: 5, startTime: Date.now() });
const demo = new DemoOpcUaServer();
let ticker: NodeJS.Timeout | null = null;
let big: OPCUAServer | null = null;
const services: OpcUaBrowseService[] = [];

const deviceFor = (endpointUrl: string, id = 1): BrowseSessionDevice => ({
  id,
  name: `ua ${id}`,
  settings: OpcUaSettings.parse({ endpointUrl }),
});
const service = (opts: Partial<ConstructorParameters<typeof OpcUaBrowseService>[0]> = {}): OpcUaBrowseService => {
  const s = new OpcUaBrowseService({ pkiDir: path.join(dir.path, 'client-pki'), timeoutMs: 10_000, ...opts });
  services.push(s);
  return s;
};
const failure = async (p: Promise<unknown>): Promise<OpcUaBrowseError> => {
  try {
    await p;
  } catch (e) {
    if (e instanceof OpcUaBrowseError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
};

let demoDevice: BrowseSessionDevice;
let bigDevice: BrowseSessionDevice;
const BIG = 3000;

beforeAll(async () => {
  const url = await demo.start({ port: 0, pkiDir: path.join(dir.path, 'demo-pki') });
  demo.update(model.time, model.values());
  ticker = setInterval(() => {
    model.step(200);
    demo.update(model.time, model.values());
  }, 200);
  demoDevice = deviceFor(url);

  // A server with a folder of 3,000 children and few continuation points per session.
  const port = await freePort('127.0.0.1');
  big = new OPCUAServer({
    port,
    host: '127.0.0.1',
    hostname: '127.0.0.1',
    serverCertificateManager: new OPCUACertificateManager({
      rootFolder: path.join(dir.path, 'big-pki'),
      automaticallyAcceptUnknownCertificate: true,
    }),
    registerServerMethod: RegisterServerMethod.HIDDEN,
    serverCapabilities: { maxBrowseContinuationPoints: 3 },
  });
  await big.initialize();
  const as = big.engine.addressSpace!;
  const ns = as.getOwnNamespace();
  const folder = ns.addFolder(as.rootFolder.objects, { browseName: 'Many', nodeId: 's=Many' });
  for (let i = 0; i < BIG; i++) {
    ns.addVariable({
      organizedBy: folder,
      browseName: `V${i}`,
      nodeId: `s=Many.V${i}`,
      dataType: 'Int32',
      value: { dataType: 'Int32', value: i },
    });
  }
  // Twenty sub-folders with two children each: with 3 continuation points, hasChildren needs several rounds.
  const groups = ns.addFolder(as.rootFolder.objects, { browseName: 'Groups', nodeId: 's=Groups' });
  for (let g = 0; g < 20; g++) {
    const sub = ns.addFolder(groups, { browseName: `G${g}`, nodeId: `s=Groups.G${g}` });
    for (let k = 0; k < 2; k++) {
      ns.addVariable({
        organizedBy: sub,
        browseName: `G${g}.X${k}`,
        nodeId: `s=Groups.G${g}.X${k}`,
        dataType: 'Double',
      });
    }
  }
  ns.addFolder(groups, { browseName: 'Empty', nodeId: 's=Groups.Empty' });
  await big.start();
  bigDevice = deviceFor(`opc.tcp://127.0.0.1:${port}`, 2);
}, 60_000);

afterAll(async () => {
  if (ticker) clearInterval(ticker);
  for (const s of services) await s.closeAll();
  await demo.stop();
  await big?.shutdown(0);
  dir.remove();
});

describe('OPC UA browse service against the demo server', () => {
  it('browses Objects, then the pump skid folder: variables with their data types', async () => {
    const s = service();
    const top = await s.browse(demoDevice);
    const skid = top.find((e) => e.displayName === 'PumpSkid');
    expect(skid).toMatchObject({ nodeId: 'ns=1;s=PumpSkid', nodeClass: 'Object', hasChildren: true, dataType: null });
    expect(top.find((e) => e.nodeId === 'i=2253')).toMatchObject({ browseName: 'Server', hasChildren: true });

    const vars = await s.browse(demoDevice, skid!.nodeId);
    expect(vars).toHaveLength(signals.length + 1);
    for (const sig of signals) {
      const v = vars.find((e) => e.nodeId === sig.nodeId);
      expect(v, sig.nodeId).toMatchObject({
        displayName: sig.name,
        nodeClass: 'Variable',
        dataType: sig.kind === 'bool' ? 'Boolean' : 'Double',
        // Analog items have EURange/EngineeringUnits properties; the booleans have none.
        hasChildren: sig.kind !== 'bool',
      });
    }
    expect(vars.find((e) => e.nodeId === DEMO_SETPOINT_NODE_ID)).toMatchObject({ dataType: 'Double' });
  });

  it('reads details: attributes, access level names, value with status and timestamps, units and EURange', async () => {
    const s = service();
    const flow = signals.find((x) => x.kind === 'number')!;
    const d = await s.readNode(demoDevice, flow.nodeId);
    expect(d).toMatchObject({
      nodeId: flow.nodeId,
      browseName: `1:${flow.browseName}`,
      displayName: flow.name,
      description: flow.description,
      nodeClass: 'Variable',
      dataType: 'Double',
      valueRank: -1,
      accessLevel: ['CurrentRead'],
      writable: false,
      statusCode: 0,
      statusText: 'Good',
      engineeringUnits: flow.unit,
      euRange: { low: flow.normal.min, high: flow.normal.max },
      minimumSamplingIntervalMs: 100,
    });
    expect(Number(d.value)).toBeGreaterThanOrEqual(flow.bounds.min);
    expect(d.sourceTimestamp).toBeGreaterThan(Date.now() - 60_000);
    expect(d.serverTimestamp).toBeGreaterThan(Date.now() - 60_000);

    const folder = await s.readNode(demoDevice, 'ns=1;s=PumpSkid');
    expect(folder).toMatchObject({
      nodeClass: 'Object',
      dataType: null,
      value: null,
      writable: false,
      accessLevel: [],
    });

    const sp = await s.readNode(demoDevice, DEMO_SETPOINT_NODE_ID);
    expect(sp).toMatchObject({
      writable: true,
      accessLevel: ['CurrentRead', 'CurrentWrite'],
      engineeringUnits: '%',
      euRange: { low: 20, high: 80 },
    });
  });

  it('an unknown node and a malformed node id are refused plainly', async () => {
    const s = service();
    const e1 = await failure(s.readNode(demoDevice, 'ns=1;s=PumpSkid.Nope'));
    expect(e1.kind).toBe('node_unknown');
    expect(e1.message).toBe('the server does not know node ns=1;s=PumpSkid.Nope');
    const e2 = await failure(s.browse(demoDevice, 'ns=1;s=PumpSkid.Nope'));
    expect(e2.kind).toBe('node_unknown');
    const e3 = await failure(s.browse(demoDevice, 'not a node'));
    expect(e3.message).toMatch(/is not a node id/);
  });

  it('writes the setpoint converted to Double and reads it back; refusals say why', async () => {
    const s = service();
    expect(await s.write(demoDevice, DEMO_SETPOINT_NODE_ID, 42.5)).toEqual({
      request: `Write ${DEMO_SETPOINT_NODE_ID} (Double) = 42.5`,
    });
    expect((await s.readNode(demoDevice, DEMO_SETPOINT_NODE_ID)).value).toBe('42.5');
    await s.write(demoDevice, DEMO_SETPOINT_NODE_ID, ' 61 ');
    expect((await s.readNode(demoDevice, DEMO_SETPOINT_NODE_ID)).value).toBe('61');
    expect(demo.levelSetpoint()).toBe(61);

    const text = await failure(s.write(demoDevice, DEMO_SETPOINT_NODE_ID, '12,5'));
    expect(text).toMatchObject({
      kind: 'refused',
      message: 'not written: "12,5" is not a number (write decimals with a point)',
    });
    const bool = await failure(s.write(demoDevice, DEMO_SETPOINT_NODE_ID, true));
    expect(bool.message).toBe('not written: Double takes a number, not true');
    const range = await failure(s.write(demoDevice, DEMO_SETPOINT_NODE_ID, 95));
    expect(range).toMatchObject({ kind: 'server_error', message: 'the server refused the write: BadOutOfRange' });

    const flow = signals.find((x) => x.kind === 'number')!;
    const ro = await failure(s.write(demoDevice, flow.nodeId, 1));
    expect(ro).toMatchObject({
      kind: 'refused',
      message: `node ${flow.nodeId} is read-only (AccessLevel: CurrentRead)`,
    });
    const obj = await failure(s.write(demoDevice, 'ns=1;s=PumpSkid', 1));
    expect(obj.message).toBe('node ns=1;s=PumpSkid is an Object: only variables hold a value');
    expect((await s.readNode(demoDevice, DEMO_SETPOINT_NODE_ID)).value).toBe('61');
  });

  it('a server that is not there: "cannot connect", and the next call tries again', async () => {
    const s = service();
    const port = await freePort('127.0.0.1');
    const e = await failure(s.browse(deviceFor(`opc.tcp://127.0.0.1:${port}`, 9)));
    expect(e.kind).toBe('not_connected');
    expect(e.message).toBe(`cannot connect to opc.tcp://127.0.0.1:${port}: connection refused`);
    expect(s.openSessions()).toEqual([]);
  });

  it('sessions: one per device, closed when idle, when settings change, and by retain()', async () => {
    const s = service({ idleMs: 400 });
    await s.browse(demoDevice);
    await s.browse(demoDevice);
    expect(s.openSessions()).toEqual([1]);
    await waitFor(() => s.openSessions().length === 0, 5000, 'idle close');

    await s.browse(demoDevice);
    await s.retain([{ ...demoDevice, settings: { ...demoDevice.settings, endpointUrl: 'opc.tcp://127.0.0.1:1' } }]);
    expect(s.openSessions()).toEqual([]);
    await s.browse(demoDevice);
    await s.retain([]);
    expect(s.openSessions()).toEqual([]);
  });
});

describe('continuation points', () => {
  it('a folder with 3,000 children comes back whole through BrowseNext', async () => {
    const s = service({ maxReferencesPerNode: 100 });
    const top = await s.browse(bigDevice);
    expect(top.find((e) => e.nodeId === 'ns=1;s=Many')).toMatchObject({ hasChildren: true });
    const all = await s.browse(bigDevice, 'ns=1;s=Many');
    expect(all).toHaveLength(BIG);
    expect(new Set(all.map((e) => e.nodeId)).size).toBe(BIG);
    expect(all.every((e) => e.dataType === 'Int32' && !e.hasChildren)).toBe(true);
    expect(all[BIG - 1]!.displayName).toBe(`V${BIG - 1}`);
  });

  it('hasChildren is right for many nodes when the server has only 3 continuation points', async () => {
    const s = service();
    const groups = await s.browse(bigDevice, 'ns=1;s=Groups');
    expect(groups).toHaveLength(21);
    expect(groups.filter((g) => g.hasChildren).map((g) => g.displayName)).toHaveLength(20);
    expect(groups.find((g) => g.displayName === 'Empty')?.hasChildren).toBe(false);
  });
});

describe('opcua.browse / read / write through the app', () => {
  let app: App;
  const appDir = tempDir('twinedge-browse-app-');
  const invoke = async <K extends CallName>(name: K, input: unknown): Promise<CallOutput<K>> => {
    const r = await app.router.invoke(name, input);
    if (!r.ok) throw Object.assign(new Error(r.error.message), { wire: r.error });
    return r.value as CallOutput<K>;
  };
  const wireError = async (name: CallName, input: unknown): Promise<WireError> => {
    const r = await app.router.invoke(name, input);
    if (r.ok) throw new Error(`${name} succeeded`);
    return r.error;
  };

  beforeAll(async () => {
    app = await createApp({
      dataDir: appDir.path,
      shell: 'browser',
      version: 'test',
      logger: silentLogger,
      demo: { enabled: true, opcuaPort: 0, modbusPort: 0 },
    });
  }, 60_000);
  afterAll(async () => {
    await app.stop();
    appDir.remove();
  });

  it('browses the demo device, writes with an audit entry, refuses plainly', async () => {
    const devices = await invoke('devices.list', {});
    const ua = devices.find((d) => d.config.protocol === 'opcua')!;
    const mb = devices.find((d) => d.config.protocol === 'modbus')!;
    const top = await invoke('opcua.browse', { deviceId: ua.id });
    expect(top.map((e) => e.displayName)).toContain('PumpSkid');
    const details = await invoke('opcua.read', { deviceId: ua.id, nodeId: DEMO_SETPOINT_NODE_ID });
    expect(details.writable).toBe(true);

    const ok = await invoke('opcua.write', { deviceId: ua.id, nodeId: DEMO_SETPOINT_NODE_ID, value: 33 });
    expect(ok.request).toBe(`Write ${DEMO_SETPOINT_NODE_ID} (Double) = 33`);
    const ro = signals[1]!.nodeId;
    expect(await wireError('opcua.write', { deviceId: ua.id, nodeId: ro, value: 1 })).toEqual({
      code: 'invalid_input',
      message: `Node ${ro} is read-only (AccessLevel: CurrentRead)`,
    });
    expect(await wireError('opcua.write', { deviceId: ua.id, nodeId: DEMO_SETPOINT_NODE_ID, value: 99 })).toEqual({
      code: 'device_error',
      message: 'The write was not confirmed: The server refused the write: BadOutOfRange',
    });
    const audit = await invoke('audit.list', { deviceId: ua.id });
    expect(audit.map((a) => [a.outcome, a.target, a.value])).toEqual([
      ['failed', DEMO_SETPOINT_NODE_ID, '99'],
      ['failed', `${signals[1]!.name} (${ro})`, `1 ${signals[1]!.unit}`],
      ['ok', DEMO_SETPOINT_NODE_ID, '33'],
    ]);
    expect(audit[2]!.message).toBe(ok.request);
    expect(audit[2]!.id).toBe(ok.auditId);

    expect(await wireError('opcua.read', { deviceId: ua.id, nodeId: 'ns=1;s=Nope' })).toMatchObject({
      code: 'not_found',
      message: 'The server does not know node ns=1;s=Nope',
    });
    expect(await wireError('opcua.browse', { deviceId: mb.id })).toMatchObject({ code: 'invalid_input' });
    expect(await wireError('opcua.browse', { deviceId: 999 })).toMatchObject({ code: 'not_found' });
  });
});
