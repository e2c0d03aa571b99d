import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OpcUaIdentityError, readUserCertificate, userIdentity } from '../../main/collect/opcua/client-options.js';
import { policyShortName } from '../../main/collect/opcua/endpoints.js';
import { ServerCertificateError, describeOpcUaError, loginError } from '../../main/collect/opcua/messages.js';
import { normalizeThumbprint } from '../../main/collect/opcua/opcua-errors.js';
import { acquirePki, certificateInfo, leafCertificate } from '../../main/collect/opcua/pki.js';
import { OpcUaIdentity } from '../../main/domain/device/opcua-schema.js';
import { devicePasswordKey, SecretStoreError, type SecretStore } from '../../main/secrets/secret-store.js';
import { tempDir } from '../helpers/temp-dir.js';

const tmp = tempDir('twinedge-ua-unit-');
afterAll(() => tmp.remove());

const store = (values: Record<string, string>, fail = false): SecretStore => ({
  description: 'the test keychain',
  get: (k) => (fail ? Promise.reject(new SecretStoreError('locked', 'denied')) : Promise.resolve(values[k] ?? null)),
  set: () => Promise.resolve(),
  delete: () => Promise.resolve(),
});

describe('messages', () => {
  it('names an untrusted server certificate and where to trust it', () => {
    const e = new ServerCertificateError('BadCertificateUntrusted', {
      thumbprint: 'AB'.repeat(20),
      subject: 'CN=PLC',
      issuer: 'CN=PLC',
      validFrom: 0,
      validTo: 1,
      applicationUri: null,
      dnsNames: [],
      selfSigned: true,
      status: 'rejected',
    });
    expect(describeOpcUaError(e)).toBe(
      `the server's certificate is not trusted yet: open Devices → Certificates to check and trust it (thumbprint ${'AB'.repeat(20)})`,
    );
    // node-opcua's own wording, when the certificate could not be fetched for the message.
    expect(
      describeOpcUaError(
        new Error('server Certificate verification failed with err BadCertificateUntrusted (0x801a0000)'),
      ),
    ).toBe("the server's certificate is not trusted yet: open Devices → Certificates to check and trust it");
  });

  it('words a refused login after the login type', () => {
    const raw = new Error('BadUserAccessDenied (0x801f0000)');
    expect(describeOpcUaError(loginError(raw, 'username'))).toBe('the server refused the user name or password');
    expect(describeOpcUaError(loginError(raw, 'anonymous'))).toMatch(/does not accept anonymous login/);
    expect(loginError(new Error('ECONNRESET'), 'username')).toBeInstanceOf(Error);
    expect(describeOpcUaError(loginError(new Error('ECONNRESET'), 'username'))).toBe('connection reset by the server');
  });

  it('passes identity problems through verbatim (no rule rewrites them)', () => {
    expect(
      describeOpcUaError(new OpcUaIdentityError('cannot read the user certificate /x/timeout.pem: file not found')),
    ).toBe('cannot read the user certificate /x/timeout.pem: file not found');
  });
});

describe('user identity', () => {
  const id = (o: Record<string, string>): { identity: OpcUaIdentity } => ({ identity: OpcUaIdentity.parse(o) });

  it('anonymous, and user name with the password from the secret store', async () => {
    expect(await userIdentity(id({}), undefined, 1)).toEqual({ type: 0 });
    const u = await userIdentity(id({ type: 'username', userName: 'op' }), store({ [devicePasswordKey(7)]: 'pw' }), 7);
    expect(u).toEqual({ type: 1, userName: 'op', password: 'pw' });
  });

  it('a missing password, or a keychain that refuses, is a plain error', async () => {
    await expect(userIdentity(id({ type: 'username', userName: 'op' }), store({}), 7)).rejects.toThrow(
      'no password stored for this device: set it in the device form',
    );
    await expect(userIdentity(id({ type: 'username', userName: 'op' }), undefined, 7)).rejects.toThrow(
      /no password stored/,
    );
    await expect(userIdentity(id({ type: 'username', userName: 'op' }), store({}, true), 7)).rejects.toThrow(
      "cannot read this device's password from the test keychain: locked",
    );
  });

  it('a user certificate: PEM or DER, the key must belong to it; readable errors otherwise', async () => {
    const h = acquirePki(path.join(tmp.path, 'user'));
    try {
      // Any certificate with its key will do: the app's own instance certificate.
      await h.pki.init();
      const certFile = h.pki.certificateFile;
      const keyFile = h.pki.privateKeyFile;
      const der = path.join(tmp.path, 'user.der');
      fs.writeFileSync(der, new X509Certificate(fs.readFileSync(certFile)).raw);
      const fromPem = readUserCertificate(certFile, keyFile);
      const fromDer = readUserCertificate(der, keyFile);
      expect(fromDer.certificateData.equals(fromPem.certificateData)).toBe(true);
      expect(fromPem.privateKey).toMatch(/BEGIN PRIVATE KEY/);
      const u = await userIdentity(
        id({ type: 'certificate', certificateFile: der, privateKeyFile: keyFile }),
        undefined,
        1,
      );
      expect(u.type).toBe(2);

      expect(() => readUserCertificate(path.join(tmp.path, 'nope.pem'), keyFile)).toThrow(
        /cannot read the user certificate .*nope\.pem: file not found/,
      );
      expect(() => readUserCertificate(keyFile, keyFile)).toThrow(/is not a certificate/);
      const other = path.join(tmp.path, 'other.pem');
      fs.writeFileSync(
        other,
        generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
      );
      expect(() => readUserCertificate(certFile, other)).toThrow(/does not belong to/);
    } finally {
      await h.release();
    }
  });
});

describe('certificate helpers', () => {
  it('reads subject, URI and names; takes the leaf of a chain; normalises thumbprints', async () => {
    const h = acquirePki(path.join(tmp.path, 'helpers'));
    try {
      const der = await h.pki.ownCertificate();
      const info = certificateInfo(der, 'own');
      expect(info.applicationUri).toBe(h.pki.applicationUri);
      expect(info.subject).toMatch(/CN=TwinEdge Desktop@/);
      expect(leafCertificate(Buffer.concat([der, der])).equals(der)).toBe(true);
      expect(normalizeThumbprint(info.thumbprint.toLowerCase().replace(/(..)(?!$)/g, '$1:'))).toBe(info.thumbprint);
      // Opening the same folder twice shares one manager; the key and certificate are made once.
      const again = acquirePki(path.join(tmp.path, 'helpers'));
      expect(again.pki).toBe(h.pki);
      await again.release();
    } finally {
      await h.release();
    }
  });

  it('short policy names, and unsupported ones marked', () => {
    expect(policyShortName('http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256')).toBe('Basic256Sha256');
    expect(policyShortName('http://opcfoundation.org/UA/SecurityPolicy#Basic128Rsa15')).toBe(
      'unsupported:http://opcfoundation.org/UA/SecurityPolicy#Basic128Rsa15',
    );
  });
});
