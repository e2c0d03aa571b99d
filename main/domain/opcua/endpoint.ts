import type { CertificateInfo } from './certificate.js';

// An endpoint a server offers (GetEndpoints), to pick security mode, policy and identity.

export interface OpcUaEndpoint {
  endpointUrl: string;
  securityMode: 'None' | 'Sign' | 'SignAndEncrypt';
  /** Short policy name (Basic256Sha256...); 'unsupported:<uri>' for a policy this app does not offer. */
  securityPolicy: string;
  securityLevel: number;
  userIdentities: ('anonymous' | 'username' | 'certificate')[];
  serverCertificate: CertificateInfo | null;
}
