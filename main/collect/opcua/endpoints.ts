import { MessageSecurityMode, OPCUAClient, UserTokenType, type EndpointDescription } from 'node-opcua';
import { opcuaSecurityPolicies } from '../../domain/device/opcua-schema.js';
import type { CertificateInfo } from '../../domain/opcua/certificate.js';
import type { OpcUaEndpoint } from '../../domain/opcua/endpoint.js';
import { settle, withTimeout } from '../timeout.js';
import { clientOptions } from './client-options.js';
import { describeOpcUaError } from './messages.js';
import { certificateInfo, thumbprintOf, leafCertificate, type OpcUaPki } from './pki.js';
import { quietOpcUaLogs } from './quiet-logs.js';
import { EndpointDiscoveryError } from './opcua-errors.js';

/**
 * Endpoint discovery: GetEndpoints over an unsecured channel (the one every server must offer for
 * discovery), with a short-lived client and no session. Tells the engineer which security modes, policies
 * and logins a server offers, and shows its certificate before anything is trusted.
 */

const modeName = (m: MessageSecurityMode): OpcUaEndpoint['securityMode'] | null =>
  m === MessageSecurityMode.None
    ? 'None'
    : m === MessageSecurityMode.Sign
      ? 'Sign'
      : m === MessageSecurityMode.SignAndEncrypt
        ? 'SignAndEncrypt'
        : null;

/** Basic256Sha256 for ...#Basic256Sha256; unsupported:<uri> for what this app does not offer. */
export const policyShortName = (uri: string | null): string => {
  const short = (uri ?? '').split('#')[1] ?? '';
  return (opcuaSecurityPolicies as readonly string[]).includes(short) ? short : `unsupported:${uri ?? ''}`;
};

const identityName = (t: UserTokenType): OpcUaEndpoint['userIdentities'][number] | null =>
  t === UserTokenType.Anonymous
    ? 'anonymous'
    : t === UserTokenType.UserName
      ? 'username'
      : t === UserTokenType.Certificate
        ? 'certificate'
        : null;

export const toOpcUaEndpoint = (e: EndpointDescription, trusted: Set<string>): OpcUaEndpoint | null => {
  const securityMode = modeName(e.securityMode);
  if (!securityMode) return null;
  let serverCertificate: CertificateInfo | null = null;
  if (e.serverCertificate && e.serverCertificate.length > 0) {
    try {
      const leaf = leafCertificate(e.serverCertificate);
      serverCertificate = certificateInfo(leaf, trusted.has(thumbprintOf(leaf)) ? 'trusted' : 'rejected');
    } catch {
      serverCertificate = null; // unreadable: the endpoint is still worth listing
    }
  }
  const userIdentities = [
    ...new Set((e.userIdentityTokens ?? []).map((t) => identityName(t.tokenType)).filter((t) => t !== null)),
  ];
  return {
    endpointUrl: e.endpointUrl ?? '',
    securityMode,
    securityPolicy: policyShortName(e.securityPolicyUri),
    securityLevel: e.securityLevel,
    userIdentities,
    serverCertificate,
  };
};

/** Readable reasons for a failed discovery; the socket errors as the collector words them. */
const describeDiscoveryError = (e: unknown, url: string): string => {
  const raw = e instanceof Error ? e.message : String(e);
  const base = describeOpcUaError(e);
  if (/took longer/.test(raw)) return `no answer from ${url} (timed out): is it an OPC UA server, and the port right?`;
  if (
    /Invalid message header|BadTcpMessageTypeInvalid|BadTcpInternalError|socket has been disconnected|premature|closed by server|ECONNRESET|Connection Break|BadCommunicationError/i.test(
      raw,
    )
  ) {
    return `${url} answered, but not as an OPC UA server (wrong port?)`;
  }
  return `cannot get the endpoints of ${url}: ${base}`;
};

/** Asks a server for its endpoints (no session, no security). Throws EndpointDiscoveryError. */
export const discoverEndpoints = async (
  endpointUrl: string,
  pki: OpcUaPki,
  opts: { timeoutMs?: number } = {},
): Promise<OpcUaEndpoint[]> => {
  quietOpcUaLogs();
  const timeoutMs = opts.timeoutMs ?? 10_000;
  await pki.init();
  const client = OPCUAClient.create({
    ...clientOptions({ securityMode: 'None', securityPolicy: 'None' }, pki),
    clientName: 'TwinEdge endpoint discovery',
    connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
    transportTimeout: timeoutMs,
  });
  try {
    await withTimeout(client.connect(endpointUrl), timeoutMs, 'connect');
    const endpoints = await withTimeout(client.getEndpoints(), timeoutMs, 'GetEndpoints');
    const trusted = pki.trustedThumbprints();
    return endpoints
      .map((e) => toOpcUaEndpoint(e, trusted))
      .filter((e): e is OpcUaEndpoint => e !== null)
      .sort((a, b) => b.securityLevel - a.securityLevel);
  } catch (e) {
    throw new EndpointDiscoveryError(describeDiscoveryError(e, endpointUrl), { cause: e });
  } finally {
    await settle(client.disconnect(), 3000);
  }
};

/**
 * The certificate a server presents on the endpoint with this mode and policy (null when it cannot be
 * learned), for the message of a refused connection.
 */
export const serverCertificateOf = async (
  endpointUrl: string,
  security: { securityMode: string; securityPolicy: string },
  pki: OpcUaPki,
  timeoutMs = 5000,
): Promise<CertificateInfo | null> => {
  try {
    const list = await discoverEndpoints(endpointUrl, pki, { timeoutMs });
    const match =
      list.find((e) => e.securityMode === security.securityMode && e.securityPolicy === security.securityPolicy) ??
      list.find((e) => e.serverCertificate !== null);
    return match?.serverCertificate ?? null;
  } catch {
    return null;
  }
};
