// OPC UA certificates: this app's own, and the servers' trusted and rejected ones.

/** A certificate as an engineer checks it before trusting a server. */
export interface CertificateInfo {
  /** SHA-1 thumbprint, hex, upper case (what UaExpert and Windows show). */
  thumbprint: string;
  subject: string;
  issuer: string;
  /** Epoch ms. */
  validFrom: number;
  validTo: number;
  applicationUri: string | null;
  dnsNames: string[];
  selfSigned: boolean;
  status: 'own' | 'trusted' | 'rejected';
}

export interface OpcUaCertificates {
  own: CertificateInfo;
  trusted: CertificateInfo[];
  rejected: CertificateInfo[];
  /** Where the lists live, so an administrator can manage them by hand. */
  pkiDir: string;
}
