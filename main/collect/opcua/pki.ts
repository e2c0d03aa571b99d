import { X509Certificate, createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { OPCUACertificateManager, getHostname } from 'node-opcua';
import type { CertificateInfo, OpcUaCertificates } from '../../domain/opcua/certificate.js';
import { PkiError, normalizeThumbprint } from './opcua-errors.js';

/**
 * The app's OPC UA PKI: its own instance certificate and the trusted/rejected server certificates, in one
 * folder (the app uses <dataDir>/pki; never node-opcua's default folder in the user's home).
 *
 * Unknown server certificates are NOT accepted: node-opcua files them under rejected/ and refuses the
 * connection; an engineer checks the thumbprint and trusts it (opcua.certificates.trust). Trusting goes
 * through the same certificate manager every client of the folder uses, so the next connect attempt of a
 * running collector succeeds without a restart.
 */

export const appApplicationName = 'TwinEdge Desktop';
/** Servers compare it with the URI in our certificate: the client must announce the same one. */
export const appApplicationUri = (hostname = getHostname()): string => `urn:${hostname}:TwinEdge:Desktop`;

export const thumbprintOf = (der: Buffer): string => createHash('sha1').update(der).digest('hex').toUpperCase();

/** The first certificate of a DER chain (servers may send their certificate followed by its issuers). */
export const leafCertificate = (derChain: Buffer): Buffer => {
  // A DER SEQUENCE: 0x30, then the length (short form, or 0x81/0x82/0x83 + 1-3 bytes).
  if (derChain.length < 4 || derChain[0] !== 0x30) return derChain;
  const first = derChain[1]!;
  let len = first;
  let header = 2;
  if (first & 0x80) {
    const n = first & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + derChain[2 + i]!;
    header = 2 + n;
  }
  const total = header + len;
  return total < derChain.length ? derChain.subarray(0, total) : derChain;
};

/** "CN=x, O=y" from Node's one-attribute-per-line form. */
const nameText = (name: string): string =>
  name
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean)
    .join(', ');

/** Subject, issuer, validity and names of a DER (or PEM) certificate. */
export const certificateInfo = (cert: Buffer | string, status: CertificateInfo['status']): CertificateInfo => {
  const x = new X509Certificate(typeof cert === 'string' ? cert : leafCertificate(cert));
  const san = (x.subjectAltName ?? '')
    .split(/,\s*/)
    .map((s) => s.trim())
    .filter(Boolean);
  const uri = san.find((s) => s.startsWith('URI:'));
  let selfSigned: boolean;
  try {
    selfSigned = x.checkIssued(x) && x.verify(x.publicKey);
  } catch {
    selfSigned = false;
  }
  return {
    thumbprint: thumbprintOf(x.raw),
    subject: nameText(x.subject),
    issuer: nameText(x.issuer),
    validFrom: Date.parse(x.validFrom),
    validTo: Date.parse(x.validTo),
    applicationUri: uri ? uri.slice(4).replace(/^"|"$/g, '') : null,
    dnsNames: san.filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4)),
    selfSigned,
    status,
  };
};

/** Reads a certificate file (PEM or DER) as DER; null when it is not a certificate. */
const readCertificateFile = (file: string): Buffer | null => {
  try {
    const raw = fs.readFileSync(file);
    return new X509Certificate(raw).raw;
  } catch {
    return null;
  }
};

const certificatesIn = (dir: string): { file: string; der: Buffer }[] => {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => /\.(pem|der|crt|cer)$/i.test(n))
    .sort()
    .flatMap((n) => {
      const der = readCertificateFile(path.join(dir, n));
      return der ? [{ file: path.join(dir, n), der }] : [];
    });
};

export class OpcUaPki {
  readonly manager: OPCUACertificateManager;
  readonly applicationUri: string;
  private ready: Promise<void> | null = null;
  /** Serialises trust/reject so two clicks never race on the folders. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly dir: string) {
    this.applicationUri = appApplicationUri();
    this.manager = new OPCUACertificateManager({
      rootFolder: dir,
      // Never trust on first use: an unknown server certificate is filed under rejected/ and the
      // connection refused until an engineer has checked its thumbprint and trusted it.
      automaticallyAcceptUnknownCertificate: false,
    });
  }

  /** Our instance certificate (the file node-opcua's client looks for by default in this folder). */
  get certificateFile(): string {
    return path.join(this.dir, 'own', 'certs', 'client_certificate.pem');
  }

  get privateKeyFile(): string {
    return this.manager.privateKey;
  }

  /** Creates the folders, the private key and our certificate on first use; later calls wait for the first. */
  init(): Promise<void> {
    this.ready ??= this.doInit().catch((e: unknown) => {
      this.ready = null; // let a later call try again (e.g. after a full disk was cleaned up)
      throw e;
    });
    return this.ready;
  }

  private async doInit(): Promise<void> {
    await this.manager.initialize();
    const file = this.certificateFile;
    const existing = readCertificateFile(file);
    if (existing) {
      const info = certificateInfo(existing, 'own');
      if (info.applicationUri === this.applicationUri && info.validTo > Date.now()) return;
      // A certificate from an older version (another URI), a renamed computer or an expired one:
      // servers would refuse it. Keep it beside for the administrator and make a new one.
      fs.renameSync(file, `${file}.${new Date().toISOString().replace(/[:.]/g, '-')}.old`);
    }
    const hostname = getHostname();
    await this.manager.createSelfSignedCertificate({
      applicationUri: this.applicationUri,
      dns: [hostname],
      subject: { commonName: `${appApplicationName}@${hostname}`, organization: 'TwinEdge', domainComponent: hostname },
      startDate: new Date(Date.now() - 24 * 3600_000), // a day early: servers with a slow clock
      validity: 365 * 10,
      outputFile: file,
    });
  }

  async ownCertificate(): Promise<Buffer> {
    await this.init();
    const der = readCertificateFile(this.certificateFile);
    if (!der) throw new PkiError(`the app's certificate ${this.certificateFile} cannot be read`, 'failed');
    return der;
  }

  async list(): Promise<OpcUaCertificates> {
    const own = await this.ownCertificate();
    const ownThumb = thumbprintOf(own);
    const infos = (dir: string, status: 'trusted' | 'rejected'): CertificateInfo[] => {
      const seen = new Set<string>();
      return certificatesIn(dir).flatMap(({ der }) => {
        try {
          const info = certificateInfo(der, status);
          if (info.thumbprint === ownThumb || seen.has(info.thumbprint)) return [];
          seen.add(info.thumbprint);
          return [info];
        } catch {
          return [];
        }
      });
    };
    return {
      own: certificateInfo(own, 'own'),
      trusted: infos(this.manager.trustedFolder, 'trusted'),
      rejected: infos(this.manager.rejectedFolder, 'rejected'),
      pkiDir: this.dir,
    };
  }

  /** Thumbprints of the trusted certificates (read from the folder, so hand-copied files count too). */
  trustedThumbprints(): Set<string> {
    return new Set(certificatesIn(this.manager.trustedFolder).map(({ der }) => thumbprintOf(der)));
  }

  /** Moves a rejected (or already trusted) certificate to the trusted list. */
  trust(thumbprint: string): Promise<OpcUaCertificates> {
    return this.serial(async () => {
      const der = await this.find(thumbprint, ['rejected', 'trusted']);
      await this.manager.trustCertificate(der);
      return this.list();
    });
  }

  /** Moves a trusted certificate to the rejected list: connections presenting it are refused from then on. */
  reject(thumbprint: string): Promise<OpcUaCertificates> {
    return this.serial(async () => {
      const der = await this.find(thumbprint, ['trusted', 'rejected']);
      await this.manager.rejectCertificate(der);
      return this.list();
    });
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const next = this.queue.then(op, op);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async find(thumbprint: string, where: ('trusted' | 'rejected')[]): Promise<Buffer> {
    await this.init();
    const wanted = normalizeThumbprint(thumbprint);
    for (const w of where) {
      const dir = w === 'trusted' ? this.manager.trustedFolder : this.manager.rejectedFolder;
      const hit = certificatesIn(dir).find(({ der }) => thumbprintOf(der) === wanted);
      if (hit) return hit.der;
    }
    throw new PkiError(`no certificate with thumbprint ${wanted} in ${where.join(' or ')}`, 'not_found');
  }
}

// ---- one PKI per folder, shared ----------------------------------------------------------------

interface Entry {
  pki: OpcUaPki;
  users: number;
}
const pkis = new Map<string, Entry>();

/** A handle on the shared PKI of a folder; release() it when done (the last release disposes it). */
export interface PkiHandle {
  readonly pki: OpcUaPki;
  release(): Promise<void>;
}

/**
 * One certificate manager per folder, shared by every client, discovery and handler of the app: several
 * managers on one folder would race to create the key and certificate, and a trust given through one
 * would stay unknown to the others until their file watchers noticed.
 *
 * node-opcua's client increments the manager's referenceCounter when created and its disconnect()
 * calls dispose(), which only decrements while the counter is above zero. We hold one count of our own
 * while the folder has users, so a client's disconnect never disposes a manager others still use.
 */
export const acquirePki = (dir: string): PkiHandle => {
  const key = path.resolve(dir);
  let entry = pkis.get(key);
  if (!entry) {
    entry = { pki: new OpcUaPki(key), users: 0 };
    entry.pki.manager.referenceCounter++;
    pkis.set(key, entry);
  }
  entry.users++;
  const e = entry;
  let released = false;
  return {
    pki: e.pki,
    release: async () => {
      if (released) return;
      released = true;
      e.users--;
      if (e.users > 0 || pkis.get(key) !== e) return;
      pkis.delete(key);
      e.pki.manager.referenceCounter = 0;
      await e.pki.manager.dispose().catch(() => undefined);
    },
  };
};
