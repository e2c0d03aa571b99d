import type { CertificateInfo } from '../../domain/opcua/certificate.js';
import type { OpcUaIdentityType } from '../../domain/device/opcua-schema.js';

/**
 * node-opcua's errors are written for protocol developers ("BadSecurityPolicyRejected (0x80550000)",
 * multi-line certificate advice). Engineers get one line that says what to check.
 */

/** An error whose message is already written for the engineer: describeOpcUaError passes it through. */
export class PlainOpcUaError extends Error {
  override name = 'PlainOpcUaError';
}

const loginRefused: Record<OpcUaIdentityType, string> = {
  anonymous: 'the server does not accept anonymous login: choose a user name or certificate login',
  username: 'the server refused the user name or password',
  certificate: 'the server refused the user certificate',
};

/** A refused login (ActivateSession) in the words of the login the device uses; other errors unchanged. */
export const loginError = (e: unknown, identity: OpcUaIdentityType): unknown => {
  const raw = e instanceof Error ? e.message : String(e);
  return /BadIdentityTokenInvalid|BadIdentityTokenRejected|BadUserAccessDenied|BadUserSignatureInvalid/.test(raw)
    ? new PlainOpcUaError(loginRefused[identity], { cause: e })
    : e;
};

/**
 * Our client refused the server's certificate (node-opcua: "server Certificate verification failed with err
 * BadCertificateUntrusted"). Carries the certificate so the message can name its thumbprint, which the
 * engineer compares in Devices → Certificates before trusting it.
 */
export class ServerCertificateError extends Error {
  override readonly name = 'ServerCertificateError';
  constructor(
    /** The verification status name, e.g. BadCertificateUntrusted. */
    readonly status: string,
    readonly certificate: CertificateInfo | null,
    options?: { cause?: unknown },
  ) {
    super(`server certificate refused: ${status}`, options);
  }
}

/** The status name in node-opcua's "server Certificate verification failed with err Bad... (0x...)". */
export const serverCertificateStatus = (e: unknown): string | null => {
  const raw = e instanceof Error ? e.message : String(e);
  const m = /server Certificate verification failed with err (\w+)/i.exec(raw);
  return m ? m[1]! : null;
};

const describeServerCertificate = (e: ServerCertificateError): string => {
  const t = e.certificate ? ` (thumbprint ${e.certificate.thumbprint})` : '';
  switch (e.status) {
    case 'BadCertificateUntrusted':
      return `the server's certificate is not trusted yet: open Devices → Certificates to check and trust it${t}`;
    case 'BadCertificateTimeInvalid':
    case 'BadCertificateIssuerTimeInvalid':
      return `the server's certificate has expired or is not valid yet: renew it on the server${t}`;
    case 'BadCertificateRevoked':
    case 'BadCertificateIssuerRevoked':
      return `the server's certificate was revoked by its certificate authority${t}`;
    case 'BadCertificateChainIncomplete':
    case 'BadSecurityChecksFailed':
      return `the server's certificate is signed by a certificate authority this app does not know: add the CA certificate to the PKI's issuers folder${t}`;
    default:
      return `the server's certificate was refused (${e.status})${t}`;
  }
};

const rules: [RegExp, string][] = [
  [/ECONNREFUSED/, 'connection refused'],
  [/ENOTFOUND|EAI_AGAIN/, 'host name not found'],
  [/EHOSTUNREACH|ENETUNREACH/, 'host unreachable'],
  [/ECONNRESET/, 'connection reset by the server'],
  [/ETIMEDOUT|timeout|timed out|took longer/i, 'no answer (timed out)'],
  [/BadSecurityPolicyRejected|BadSecurityModeRejected/, 'the server does not offer this security mode/policy'],
  [
    /Cannot find an Endpoint matching|cannot find endpoint for securityMode/i,
    'the server does not offer this security mode/policy: use "Discover endpoints" in the device form',
  ],
  [
    /BadCertificate|certificate.*(untrusted|rejected)|rejected by server/i,
    "the server rejected this app's certificate: trust it on the server (Devices → Certificates shows it)",
  ],
  [/BadTooManySessions/, 'the server has too many sessions open'],
  [/BadTcpEndpointUrlInvalid|Invalid endpoint/i, 'the server does not know this endpoint URL'],
];

export const describeOpcUaError = (e: unknown): string => {
  if (e instanceof PlainOpcUaError) return e.message;
  if (e instanceof ServerCertificateError) return describeServerCertificate(e);
  const raw = e instanceof Error ? e.message : String(e);
  const status = serverCertificateStatus(e);
  if (status) return describeServerCertificate(new ServerCertificateError(status, null));
  if (/BadIdentityTokenInvalid|BadIdentityTokenRejected|BadUserAccessDenied|BadUserSignatureInvalid/.test(raw)) {
    return 'the server refused the login';
  }
  for (const [re, text] of rules) if (re.test(raw)) return text;
  const firstLine = raw.split('\n')[0]?.trim() ?? raw;
  return firstLine.length > 160 ? `${firstLine.slice(0, 157)}...` : firstLine;
};
