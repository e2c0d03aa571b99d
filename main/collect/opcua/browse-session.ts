import { MessageSecurityMode, OPCUAClient, SecurityPolicy, type ClientSession } from 'node-opcua';
import type { OpcUaSettings } from '../../config/opcua-schema.js';
import { settle, withTimeout } from '../timeout.js';
import { clientCertificateManager } from './certificate-managers.js';

/**
 * The one place that turns a device's OPC UA settings into a client and session for browsing.
 *
 * Interim: built with the same options the collector uses today (security mode/policy, our PKI folder,
 * anonymous login). When the shared client options (main/collect/opcua/client-options.ts: PKI, trust,
 * user identity) are merged, only this function changes.
 */

export interface BrowseSessionDevice {
  id: number;
  name: string;
  settings: OpcUaSettings;
}

export interface BrowseSession {
  session: ClientSession;
  /** Ends the session and the connection; never throws, never hangs. */
  close(): Promise<void>;
  /** Called once when the connection or session is lost (the owner then drops this session). */
  onLost(listener: (reason: string) => void): void;
}

/** node-opcua-pki's CertificateManagerState.Initializing (the enum is not exported by node-opcua). */
const INITIALIZING = 1;

/**
 * Trap: the PKI's initialize() returns at once, without waiting, while another caller's initialize() of
 * the same (shared) manager is still creating the private key; a client connecting then fails with
 * "Cannot find private key". So wait until the manager has finished.
 */
const initialized = async (cm: { initialize(): Promise<void>; state: number }, timeoutMs: number): Promise<void> => {
  await cm.initialize();
  const end = Date.now() + timeoutMs;
  while (cm.state === INITIALIZING) {
    if (Date.now() > end) throw new Error('the PKI folder took too long to initialise');
    await new Promise((r) => setTimeout(r, 50));
  }
};

export const openBrowseSession = async (
  device: BrowseSessionDevice,
  opts: { pkiDir: string; timeoutMs?: number },
): Promise<BrowseSession> => {
  const s = device.settings;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const cm = clientCertificateManager(opts.pkiDir);
  const client = OPCUAClient.create({
    applicationName: 'TwinEdge Desktop',
    clientName: `TwinEdge browse ${device.id}`,
    securityMode: MessageSecurityMode[s.securityMode],
    securityPolicy: SecurityPolicy[s.securityPolicy],
    endpointMustExist: false,
    keepSessionAlive: true,
    requestedSessionTimeout: 5 * 60_000,
    clientCertificateManager: cm,
    // One attempt and no automatic reconnection: a browse session is reopened on the next request.
    connectionStrategy: { maxRetry: 0, initialDelay: 250, maxDelay: 1000 },
  });
  await initialized(cm, timeoutMs);
  const listeners: ((reason: string) => void)[] = [];
  let lost = false;
  const lose = (reason: string): void => {
    if (lost) return;
    lost = true;
    for (const l of listeners) l(reason);
  };
  let session: ClientSession | null = null;
  const close = async (): Promise<void> => {
    lost = true;
    await settle(session?.close(true), 2000);
    await settle(client.disconnect(), 3000);
    client.removeAllListeners();
  };
  try {
    await withTimeout(client.connect(s.endpointUrl), timeoutMs, 'connect');
    session = await withTimeout(client.createSession(), timeoutMs, 'create session');
  } catch (e) {
    await close();
    throw e;
  }
  client.on('connection_lost', () => lose('the connection was lost'));
  client.on('close', () => lose('the connection was closed'));
  session.on('session_closed', () => lose('the server closed the session'));
  session.on('keepalive_failure', () => lose('the server stopped answering'));
  return { session, close, onLost: (l) => void listeners.push(l) };
};
