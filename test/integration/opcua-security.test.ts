import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  DataType,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAServer,
  RegisterServerMethod,
  SecurityPolicy,
  Variant,
} from 'node-opcua';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opcuaSecurityHandlers } from '../../main/app/handlers/opcua-security-handlers.js';
import { freePort } from '../../main/collect/demo/free-port.js';
import { OpcUaCollector } from '../../main/collect/opcua/opcua-collector.js';
import { acquirePki, thumbprintOf, type PkiHandle } from '../../main/collect/opcua/pki.js';
import { quietOpcUaLogs } from '../../main/collect/opcua/quiet-logs.js';
import { StatusCodes } from '../../main/domain/sample/status-codes.js';
import type { CertificateInfo } from '../../main/domain/opcua/certificate.js';
import { EventHub } from '../../main/app/event-hub.js';
import { devicePasswordKey, type SecretStore } from '../../main/secrets/secret-store.js';
import { collectorDevice, Recorder } from '../helpers/device.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

/**
 * A SignAndEncrypt Basic256Sha256 server with a user name login, its own PKI folder, and the app's
 * side: the shared client PKI, the collector and the certificate handlers, as the app wires them.
 *
 * The keychain SecretStore is not merged on this branch yet: the tests use an in-memory stand-in.
 */

class MemorySecrets implements SecretStore {
  readonly description = 'a test store';
  readonly values = new Map<string, string>();
  get(key: string): Promise<string | null> {
    return Promise.resolve(this.values.get(key) ?? null);
  }
  set(key: string, value: string): Promise<void> {
    this.values.set(key, value);
    return Promise.resolve();
  }
  delete(key: string): Promise<void> {
    this.values.delete(key);
    return Promise.resolve();
  }
}

quietOpcUaLogs();
const tmp = tempDir('twinedge-ua-sec-');
const clientPkiDir = path.join(tmp.path, 'pki');
const events = new EventHub();
const emitted: string[] = [];
events.subscribe((e) => emitted.push(e));
const handlers = opcuaSecurityHandlers({ pkiDir: clientPkiDir, events });
const secrets = new MemorySecrets();
let server: OPCUAServer;
let serverCm: OPCUACertificateManager;
let endpoint = '';
let serverThumbprint = '';
let counter = 0;
let ticker: NodeJS.Timeout | null = null;
/** Held for the whole file, like the app's collectors do. */
let held: PkiHandle;
const collectors: OpcUaCollector[] = [];

const settings = {
  securityMode: 'SignAndEncrypt',
  securityPolicy: 'Basic256Sha256',
  identity: { type: 'username', userName: 'operator' },
} as const;

const makeCollector = (id: number, extra: Record<string, unknown> = {}): { c: OpcUaCollector; rec: Recorder } => {
  const rec = new Recorder();
  const dev = collectorDevice(
    {
      name: `secure ${id}`,
      protocol: 'opcua',
      settings: { endpointUrl: endpoint, publishingIntervalMs: 100, ...settings, ...extra },
      tags: [{ name: 'Counter', nodeId: 'ns=1;s=Counter', samplingIntervalMs: 100 }],
    },
    id,
  );
  const c = new OpcUaCollector(dev, rec, {
    pkiDir: clientPkiDir,
    secrets,
    backoff: { initialMs: 200, maxMs: 500, jitter: 0 },
  });
  collectors.push(c);
  return { c, rec };
};

const goodSamples = (rec: Recorder): number =>
  rec.batches.flat().filter((s) => s.quality === StatusCodes.Good && s.value !== null).length;

beforeAll(async () => {
  held = acquirePki(clientPkiDir);
  const port = await freePort('127.0.0.1');
  serverCm = new OPCUACertificateManager({
    rootFolder: path.join(tmp.path, 'server-pki'),
    // The server does NOT accept unknown clients either: the test puts our certificate into its
    // trusted folder (serverCm.trustCertificate below), as an administrator would on a real server.
    automaticallyAcceptUnknownCertificate: false,
  });
  await serverCm.initialize();
  server = new OPCUAServer({
    port,
    host: '127.0.0.1',
    hostname: '127.0.0.1',
    serverCertificateManager: serverCm,
    securityModes: [MessageSecurityMode.SignAndEncrypt],
    securityPolicies: [SecurityPolicy.Basic256Sha256],
    allowAnonymous: false,
    userManager: { isValidUser: (user: string, password: string) => user === 'operator' && password === 's3cret' },
    registerServerMethod: RegisterServerMethod.HIDDEN,
    buildInfo: { productName: 'TwinEdge secure test server' },
  });
  await server.initialize();
  const ns = server.engine.addressSpace!.getOwnNamespace();
  ns.addVariable({
    organizedBy: server.engine.addressSpace!.rootFolder.objects,
    browseName: 'Counter',
    nodeId: 's=Counter',
    dataType: 'Double',
    minimumSamplingInterval: 100,
    value: { get: () => new Variant({ dataType: DataType.Double, value: counter }) },
  });
  await server.start();
  ticker = setInterval(() => counter++, 100);
  endpoint = `opc.tcp://127.0.0.1:${port}`;
  serverThumbprint = thumbprintOf(new X509Certificate(fs.readFileSync(server.certificateFile)).raw);
}, 120_000);

afterAll(async () => {
  if (ticker) clearInterval(ticker);
  for (const c of collectors) await c.stop();
  await server?.shutdown(0);
  await serverCm?.dispose();
  await held?.release();
  tmp.remove();
});

describe('endpoint discovery', () => {
  it('lists SignAndEncrypt Basic256Sha256 with a user name login and the server certificate', async () => {
    const list = await handlers['opcua.endpoints']({ endpointUrl: endpoint });
    const secure = list.find((e) => e.securityMode === 'SignAndEncrypt' && e.securityPolicy === 'Basic256Sha256');
    expect(secure).toBeDefined();
    expect(secure!.userIdentities).toContain('username');
    expect(secure!.userIdentities).not.toContain('anonymous');
    expect(secure!.securityLevel).toBeGreaterThan(0);
    expect(secure!.serverCertificate?.thumbprint).toBe(serverThumbprint);
    expect(secure!.serverCertificate?.status).toBe('rejected'); // not trusted yet
    expect(secure!.serverCertificate?.applicationUri).toMatch(/^urn:/);
  });

  it('says plainly when nothing listens, and when the port is not an OPC UA server', async () => {
    const closed = await freePort('127.0.0.1');
    await expect(handlers['opcua.endpoints']({ endpointUrl: `opc.tcp://127.0.0.1:${closed}` })).rejects.toThrow(
      /connection refused/,
    );
    const http = await import('node:http');
    const web = http.createServer((_q, r) => r.end('hello'));
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    const port = (web.address() as { port: number }).port;
    try {
      await expect(handlers['opcua.endpoints']({ endpointUrl: `opc.tcp://127.0.0.1:${port}` })).rejects.toThrow(
        /not as an OPC UA server|timed out/,
      );
    } finally {
      web.closeAllConnections();
      await new Promise<void>((r) => web.close(() => r()));
    }
  });
});

describe('certificates and a secure collector', () => {
  it("the app's own certificate carries the app URI and the host name", async () => {
    const list = await handlers['opcua.certificates']({});
    expect(list.own.applicationUri).toMatch(/^urn:[^:]+:TwinEdge:Desktop$/);
    expect(list.own.dnsNames.length).toBe(1);
    expect(list.own.subject).toMatch(/CN=TwinEdge Desktop@/);
    expect(list.own.selfSigned).toBe(true);
    expect(list.own.thumbprint).toMatch(/^[0-9A-F]{40}$/);
    expect(list.pkiDir).toBe(path.resolve(clientPkiDir));
  });

  it('(a) refuses an unknown server certificate, says so, and files it under rejected', async () => {
    secrets.values.set(devicePasswordKey(1), 's3cret');
    const { c, rec } = makeCollector(1);
    c.start();
    await waitFor(() => rec.state?.state === 'error', 30_000, 'error state');
    expect(rec.state?.message).toContain(
      `the server's certificate is not trusted yet: open Devices → Certificates to check and trust it (thumbprint ${serverThumbprint})`,
    );
    const list = await handlers['opcua.certificates']({});
    const rejected = list.rejected.find((r: CertificateInfo) => r.thumbprint === serverThumbprint);
    expect(rejected).toBeDefined();
    expect(rejected!.subject).toMatch(/CN=/);
    expect(rejected!.status).toBe('rejected');
    expect(list.trusted.map((t) => t.thumbprint)).not.toContain(serverThumbprint);
    expect(goodSamples(rec)).toBe(0);

    // (b) trusting it through the handler lets the running collector connect on its next attempt.
    emitted.length = 0;
    const after = await handlers['opcua.certificates.trust']({ thumbprint: serverThumbprint });
    expect(after.trusted.map((t) => t.thumbprint)).toContain(serverThumbprint);
    expect(after.rejected.map((t) => t.thumbprint)).not.toContain(serverThumbprint);
    expect(emitted).toContain('devices.changed');
    // (e) The server does not know our certificate yet either (its PKI does not auto-accept): say so.
    await waitFor(() => /rejected this app's certificate/.test(rec.state?.message ?? ''), 30_000, 'server refusal');
    expect(rec.state?.message).toContain(
      "the server rejected this app's certificate: trust it on the server (Devices → Certificates shows it)",
    );
    // The server's administrator puts our certificate into the server's trusted folder (no auto-accept).
    await serverCm.trustCertificate(new X509Certificate(fs.readFileSync(held.pki.certificateFile)).raw);
    await waitFor(() => goodSamples(rec) >= 5, 30_000, 'good samples after trust');
    expect(rec.state).toEqual({ state: 'connected', message: null });
  });

  it('(c) a wrong password is a plain error; a missing one says where to set it', async () => {
    secrets.values.set(devicePasswordKey(2), 'wrong');
    const { c, rec } = makeCollector(2);
    c.start();
    await waitFor(() => rec.state?.state === 'error', 30_000, 'error state');
    expect(rec.state?.message).toMatch(/: the server refused the user name or password — retrying in/);

    const missing = makeCollector(3);
    missing.c.start();
    await waitFor(() => missing.rec.state?.state === 'error', 30_000, 'error state');
    expect(missing.rec.state?.message).toContain('no password stored for this device: set it in the device form');
    await c.stop();
    await missing.c.stop();
  });

  it('(d) revoking the trust makes the next connection fail again', async () => {
    const { c, rec } = makeCollector(4);
    secrets.values.set(devicePasswordKey(4), 's3cret');
    c.start();
    await waitFor(() => goodSamples(rec) >= 1, 30_000, 'connected');
    await c.stop();
    const after = await handlers['opcua.certificates.reject']({ thumbprint: serverThumbprint });
    expect(after.rejected.map((t) => t.thumbprint)).toContain(serverThumbprint);
    expect(after.trusted.map((t) => t.thumbprint)).not.toContain(serverThumbprint);
    const again = makeCollector(5);
    secrets.values.set(devicePasswordKey(5), 's3cret');
    again.c.start();
    await waitFor(() => again.rec.state?.state === 'error', 30_000, 'error state');
    expect(again.rec.state?.message).toContain(`is not trusted yet`);
    expect(goodSamples(again.rec)).toBe(0);
  });

  it('unknown thumbprints are a not_found error', async () => {
    await expect(handlers['opcua.certificates.trust']({ thumbprint: '00'.repeat(20) })).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});
