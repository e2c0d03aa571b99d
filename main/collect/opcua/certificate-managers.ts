import type { OPCUACertificateManager } from 'node-opcua';
import { acquirePki } from './pki.js';

/**
 * @deprecated Build clients with `clientOptions(settings, pki)` from client-options.ts (with a PKI from
 * `acquirePki`): it also sets the application URI our certificate carries. Without it a client announces
 * node-opcua's default URI, and secure servers that compare it with the certificate (node-opcua's do)
 * refuse the session with BadCertificateUriInvalid.
 *
 * Kept so code written against it keeps compiling: it now hands out the shared manager of pki.ts, which
 * refuses unknown server certificates (no more trust on first use) and which the app's trust/reject calls
 * update. The PKI stays open for the rest of the process.
 */
export const clientCertificateManager = (pkiDir: string): OPCUACertificateManager => {
  const { pki } = acquirePki(pkiDir);
  // Make the app's certificate now, before a client made this way creates one with its default URI.
  void pki.init().catch(() => undefined);
  return pki.manager;
};
