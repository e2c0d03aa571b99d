import path from 'node:path';
import { OPCUACertificateManager } from 'node-opcua';

/**
 * One certificate manager per PKI folder, shared by all OPC UA collectors of the app: several
 * managers initialising the same folder at once would race to create the client certificate.
 * node-opcua disposes a client's manager on disconnect; its reference counter makes that a
 * decrement for a shared manager, so each client gets one reference.
 */
const managers = new Map<string, OPCUACertificateManager>();

export const clientCertificateManager = (pkiDir: string): OPCUACertificateManager => {
  const key = path.resolve(pkiDir);
  let cm = managers.get(key);
  if (!cm) {
    cm = new OPCUACertificateManager({
      rootFolder: key,
      // Trust on first use: plant servers mostly have self-signed certificates, and an engineer
      // who typed the endpoint means to talk to it. Rejected/trusted lists live in the folder.
      automaticallyAcceptUnknownCertificate: true,
    });
    managers.set(key, cm);
  }
  cm.referenceCounter++;
  return cm;
};
