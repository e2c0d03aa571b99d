import { X509Certificate, createPrivateKey } from 'node:crypto';
import fs from 'node:fs';
import {
  MessageSecurityMode,
  SecurityPolicy,
  UserTokenType,
  type OPCUAClientOptions,
  type UserIdentityInfo,
} from 'node-opcua';
import type { OpcUaSettings } from '../../domain/device/opcua-schema.js';
import { devicePasswordKey, type SecretStore } from '../../secrets/secret-store.js';
import { PlainOpcUaError } from './messages.js';
import { appApplicationName, type OpcUaPki } from './pki.js';

/**
 * How every OPC UA client of the app is built (collector, browsing, endpoint discovery): the app's
 * instance certificate and trust lists from the PKI folder, the application URI that matches the
 * certificate, and the security the device asks for. Configure a client once with these: node-opcua's
 * reconnection then keeps the same security.
 */

/** A problem with the device's login that an engineer fixes in the device form (no retry will help). */
export class OpcUaIdentityError extends PlainOpcUaError {
  override name = 'OpcUaIdentityError';
}

export const clientOptions = (
  settings: Pick<OpcUaSettings, 'securityMode' | 'securityPolicy'>,
  pki: OpcUaPki,
): OPCUAClientOptions => ({
  applicationName: appApplicationName,
  applicationUri: pki.applicationUri,
  securityMode: MessageSecurityMode[settings.securityMode],
  securityPolicy: SecurityPolicy[settings.securityPolicy],
  clientCertificateManager: pki.manager,
  certificateFile: pki.certificateFile,
  privateKeyFile: pki.privateKeyFile,
  // The server's endpoint list may name the host differently from the URL the engineer typed.
  endpointMustExist: false,
});

const readFile = (file: string, what: string): Buffer => {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new OpcUaIdentityError(`cannot read the ${what} ${file}: ${why}`);
  }
};

/** The user certificate (PEM or DER) as DER, and its private key as PEM, checked to belong together. */
export const readUserCertificate = (
  certificateFile: string,
  privateKeyFile: string,
): { certificateData: Buffer; privateKey: string } => {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(readFile(certificateFile, 'user certificate'));
  } catch (e) {
    if (e instanceof OpcUaIdentityError) throw e;
    throw new OpcUaIdentityError(`${certificateFile} is not a certificate (PEM or DER expected)`);
  }
  let privateKey: string;
  try {
    const key = createPrivateKey(readFile(privateKeyFile, 'private key'));
    if (!cert.checkPrivateKey(key)) {
      throw new OpcUaIdentityError(`the private key ${privateKeyFile} does not belong to ${certificateFile}`);
    }
    privateKey = key.export({ type: 'pkcs8', format: 'pem' }).toString();
  } catch (e) {
    if (e instanceof OpcUaIdentityError) throw e;
    throw new OpcUaIdentityError(
      `${privateKeyFile} is not a readable private key (an unencrypted PEM key is expected)`,
    );
  }
  return { certificateData: cert.raw, privateKey };
};

/**
 * The login of a device's session: anonymous, user name with the password from the keychain, or a user
 * certificate. Throws OpcUaIdentityError with a message for the device's state when it cannot be built.
 */
export const userIdentity = async (
  settings: Pick<OpcUaSettings, 'identity'>,
  secrets: SecretStore | undefined,
  deviceId: number,
): Promise<UserIdentityInfo> => {
  const id = settings.identity;
  switch (id.type) {
    case 'anonymous':
      return { type: UserTokenType.Anonymous };
    case 'username': {
      let password: string | null = null;
      if (secrets) {
        try {
          password = await secrets.get(devicePasswordKey(deviceId));
        } catch (e) {
          throw new OpcUaIdentityError(
            `cannot read this device's password from ${secrets.description}: ${e instanceof Error ? e.message : String(e)}`,
          );
        }
      }
      if (password === null || password === '') {
        throw new OpcUaIdentityError('no password stored for this device: set it in the device form');
      }
      return { type: UserTokenType.UserName, userName: id.userName, password };
    }
    case 'certificate': {
      const { certificateData, privateKey } = readUserCertificate(id.certificateFile, id.privateKeyFile);
      return { type: UserTokenType.Certificate, certificateData, privateKey };
    }
  }
};
