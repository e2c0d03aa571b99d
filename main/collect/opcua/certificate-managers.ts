import type { OPCUACertificateManager } from 'node-opcua';
import { acquirePki } from './pki.js';

/**
 * @deprecated Build clients with `clientOptions(settings, pki)` from client-options.ts (with a PKI from
 * `acquirePki`): it also sets the application URI our certificate carries, which strict servers check.
 *
 * Kept so code written against it keeps working: it now hands out the shared manager of pki.ts, which
 * refuses unknown server certificates (no more trust on first use) and which the app's trust/reject calls
 * update. The PKI stays open for the rest of the process.
 */
export const clientCertificateManager = (pkiDir: string): OPCUACertificateManager => acquirePki(pkiDir).pki.manager;
