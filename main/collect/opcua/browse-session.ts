import { OPCUAClient, type ClientSession } from 'node-opcua';
import type { OpcUaSettings } from '../../domain/device/opcua-schema.js';
import type { SecretStore } from '../../secrets/secret-store.js';
import { settle, withTimeout } from '../timeout.js';
import { clientOptions, userIdentity } from './client-options.js';
import { acquirePki } from './pki.js';

/**
 * The one place that turns a device's OPC UA settings into a client and session for browsing: the same
 * client options as the collector (the app's PKI and certificate, security mode and policy, the device's
 * login with its password from the keychain), one attempt, no automatic reconnection.
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

export const openBrowseSession = async (
  device: BrowseSessionDevice,
  opts: { pkiDir: string; secrets?: SecretStore; timeoutMs?: number },
): Promise<BrowseSession> => {
  const s = device.settings;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const pkiHandle = acquirePki(opts.pkiDir);
  let client: OPCUAClient;
  let identity: Awaited<ReturnType<typeof userIdentity>>;
  try {
    await withTimeout(pkiHandle.pki.init(), timeoutMs, 'prepare the certificate');
    identity = await userIdentity(s, opts.secrets, device.id);
    client = OPCUAClient.create({
      ...clientOptions(s, pkiHandle.pki),
      clientName: `TwinEdge browse ${device.id}`,
      keepSessionAlive: true,
      requestedSessionTimeout: 5 * 60_000,
      // One attempt and no automatic reconnection: a browse session is reopened on the next request.
      connectionStrategy: { maxRetry: 0, initialDelay: 250, maxDelay: 1000 },
    });
  } catch (e) {
    await pkiHandle.release();
    throw e;
  }
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
    await pkiHandle.release();
  };
  try {
    await withTimeout(client.connect(s.endpointUrl), timeoutMs, 'connect');
    session = await withTimeout(client.createSession(identity), timeoutMs, 'create session');
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
